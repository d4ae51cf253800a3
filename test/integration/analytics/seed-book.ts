import type { Book } from '../../../sandbox/generator/book.ts';
import { generateBook } from '../../../sandbox/generator/generate-book.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { Database } from '../../../server/platform/db/database.ts';
import { insertSentiment, insertSurveyResponses, upsertUsageDaily } from '../../../server/platform/db/ingest-store.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { accounts, contacts, deals, owners, tickets } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';

/**
 * A generated book of business written straight into the normalised tables, as a sync and the
 * ingest API would leave them (book ids as CRM ids), under a new workspace and installation: what
 * the analytics tests and the job's timing run on without the CRM stand-ins.
 */

const CHUNK = 1_000;
const ROLE = { champion: 'champion', executive_sponsor: 'executive_sponsor', admin: 'other', user: 'other' } as const;

async function inChunks<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) await write(rows.slice(start, start + CHUNK));
}

export async function installBook(db: Database, name: string, portal: string): Promise<InstallationKey> {
  const workspace = await createWorkspace(db, name);
  const installation = await installationRepository(db, createSealer(Buffer.alloc(32, 9))).install({
    workspaceId: workspace.id,
    provider: 'hubspot',
    externalId: portal,
    displayName: name,
    baseUrl: null,
    scopes: [],
    tokens: { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null },
  });
  return { workspaceId: workspace.id, installationId: installation.id };
}

export async function writeBook(db: Database, key: InstallationKey, book: Book): Promise<void> {
  const at = (iso: string) => new Date(iso);
  await db.transaction(async (tx) => {
    await inChunks(book.owners, (chunk) =>
      tx.insert(owners).values(
        chunk.map((owner) => ({
          ...key,
          externalId: owner.id,
          modifiedAt: at(`${book.meta.historyStart}T00:00:00Z`),
          email: owner.email,
          firstName: owner.firstName,
          lastName: owner.lastName,
          name: `${owner.firstName} ${owner.lastName}`,
        })),
      ),
    );
    await inChunks(book.accounts, (chunk) =>
      tx.insert(accounts).values(
        chunk.map((account) => ({
          ...key,
          externalId: account.id,
          modifiedAt: at(account.updatedAt),
          createdAtCrm: at(account.createdAt),
          name: account.name,
          domain: account.domain,
          arr: account.arr.toFixed(2),
          renewalDate: account.contractEnd,
          segment: account.segment,
          ownerExternalId: account.accountExecutiveId,
          csmExternalId: account.csmId,
          parentExternalId: account.parentId,
          licences: account.licences,
          customerStatus: account.status,
        })),
      ),
    );
    await inChunks(book.contacts, (chunk) =>
      tx.insert(contacts).values(
        chunk.map((contact) => ({
          ...key,
          externalId: contact.id,
          modifiedAt: at(contact.updatedAt),
          createdAtCrm: at(contact.createdAt),
          accountExternalId: contact.accountId,
          email: contact.email,
          firstName: contact.firstName,
          lastName: contact.lastName,
          name: `${contact.firstName} ${contact.lastName}`,
          title: contact.title,
          role: ROLE[contact.role],
          departed: contact.leftAt !== null,
          departedOn: contact.leftAt === null ? null : contact.leftAt.slice(0, 10),
          lastEngagedAt: contact.lastEngagedAt === null ? null : at(contact.lastEngagedAt),
        })),
      ),
    );
    await inChunks(book.deals, (chunk) =>
      tx.insert(deals).values(
        chunk.map((deal) => ({
          ...key,
          externalId: deal.id,
          modifiedAt: at(deal.updatedAt),
          createdAtCrm: at(deal.createdAt),
          accountExternalId: deal.accountId,
          name: deal.name,
          amount: deal.amount.toFixed(2),
          closeDate: deal.closeDate,
          stage: deal.stage,
          kind: deal.type,
          ownerExternalId: deal.ownerId,
        })),
      ),
    );
    await inChunks(book.tickets, (chunk) =>
      tx.insert(tickets).values(
        chunk.map((ticket) => ({
          ...key,
          externalId: ticket.id,
          modifiedAt: at(ticket.updatedAt),
          createdAtCrm: at(ticket.createdAt),
          accountExternalId: ticket.accountId,
          contactExternalId: ticket.contactId,
          subject: ticket.subject,
          priority: ticket.priority,
          status: ticket.status,
          closed: ticket.status === 'closed',
          closedAt: ticket.closedAt === null ? null : at(ticket.closedAt),
        })),
      ),
    );
    await inChunks(book.usage, (chunk) =>
      upsertUsageDaily(
        tx,
        key,
        chunk.map((day) => ({
          accountExternalId: day.accountId,
          date: day.date,
          activeUsers: day.activeUsers,
          licences: day.licences,
          events: day.events,
          features: day.features,
        })),
      ),
    );
    await inChunks(book.surveys, (chunk) =>
      insertSurveyResponses(
        tx,
        key,
        chunk.map((answer) => ({
          clientId: answer.id,
          accountExternalId: answer.accountId,
          kind: answer.kind,
          score: answer.score,
          verbatim: answer.verbatim,
          contactExternalId: answer.contactId,
          respondedAt: at(answer.respondedAt),
        })),
      ),
    );
    await inChunks(book.sentiment, (chunk) =>
      insertSentiment(
        tx,
        key,
        chunk.map((note) => ({
          clientId: note.id,
          accountExternalId: note.accountId,
          sentiment: note.sentiment,
          note: note.note,
          csmExternalId: note.csmId,
          recordedAt: at(note.recordedAt),
        })),
      ),
    );
  });
}

/** A new installation holding a generated book as of `asOf`. */
export async function seedBook(
  db: Database,
  options: { name: string; portal: string; seed: number; accounts: number; asOf: string; historyMonths?: number },
): Promise<{ key: InstallationKey; book: Book }> {
  const { book } = generateBook({
    seed: options.seed,
    accounts: options.accounts,
    asOf: options.asOf,
    historyMonths: options.historyMonths ?? 24,
  });
  const key = await installBook(db, options.name, options.portal);
  await writeBook(db, key, book);
  return { key, book };
}
