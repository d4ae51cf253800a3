import type { Book } from '../../../sandbox/generator/book.ts';
import type { Database } from '../../../server/platform/db/database.ts';
import { insertSurveyResponses, upsertUsageDaily } from '../../../server/platform/db/ingest-store.ts';
import type { SyncHarness } from '../../support/sync-harness.ts';

type Provider = 'hubspot' | 'salesforce';

const DAY_MS = 86_400_000;
const CHUNK = 1_000;

function crmIdOf(h: SyncHarness, provider: Provider, bookAccountId: string): string | undefined {
  return provider === 'hubspot'
    ? h.hubspot.ids?.companies.get(bookAccountId)
    : h.salesforce.ids?.accounts.get(bookAccountId);
}

/**
 * The generated book's usage of the last 60 days and its survey answers, stored as the ingest API
 * stores them under the accounts' CRM ids (known from loading the book, so this may run before the sync).
 */
export async function ingestBookSignals(
  db: Database,
  h: SyncHarness,
  book: Book,
  provider: Provider,
  now: Date,
): Promise<void> {
  const scope = { workspaceId: h.installations[provider].workspaceId, installationId: h.installations[provider].id };
  const from = new Date(now.getTime() - 60 * DAY_MS).toISOString().slice(0, 10);
  const usage = book.usage.flatMap((day) => {
    const id = crmIdOf(h, provider, day.accountId);
    if (!id || day.date < from) return [];
    const { activeUsers, licences, events, features } = day;
    return [{ accountExternalId: id, date: day.date, activeUsers, licences, events, features }];
  });
  const surveys = book.surveys.flatMap((answer) => {
    const id = crmIdOf(h, provider, answer.accountId);
    if (!id) return [];
    const { kind, score, verbatim } = answer;
    const respondedAt = new Date(answer.respondedAt);
    return [
      { clientId: answer.id, accountExternalId: id, kind, score, verbatim, contactExternalId: null, respondedAt },
    ];
  });
  await db.transaction(async (tx) => {
    for (let start = 0; start < usage.length; start += CHUNK)
      await upsertUsageDaily(tx, scope, usage.slice(start, start + CHUNK));
    for (let start = 0; start < surveys.length; start += CHUNK)
      await insertSurveyResponses(tx, scope, surveys.slice(start, start + CHUNK));
  });
}
