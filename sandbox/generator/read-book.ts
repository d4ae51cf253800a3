import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import {
  accountSchema,
  bookSchema,
  contactSchema,
  dealSchema,
  FEATURES,
  SENTIMENTS,
  ticketSchema,
  type Book,
  type Sentiment,
  type SurveyResponse,
  type UsageDay,
} from './book.ts';
import type { AccountSlice } from './signals.ts';
import { truthSchema, type AccountTruth } from './truth.ts';

const crmFileSchema = z.strictObject({
  meta: bookSchema.shape.meta,
  owners: bookSchema.shape.owners,
  accounts: z.array(accountSchema),
  contacts: z.array(contactSchema),
  deals: z.array(dealSchema),
  tickets: z.array(ticketSchema),
});

const usageLineSchema = z.strictObject({
  type: z.literal('usage.daily'),
  account: z.strictObject({ domain: z.string() }),
  date: z.string(),
  activeUsers: z.int().nonnegative(),
  licences: z.int().nonnegative(),
  events: z.int().nonnegative(),
  features: z.record(z.enum(FEATURES), z.int().nonnegative()),
});

const surveyLineSchema = z.strictObject({
  type: z.literal('survey.response'),
  account: z.strictObject({ domain: z.string() }),
  contact: z.strictObject({ email: z.string() }),
  kind: z.enum(['nps', 'csat', 'ces']),
  score: z.int(),
  verbatim: z.string().nullable(),
  respondedAt: z.string(),
});

const sentimentLineSchema = z.strictObject({
  type: z.literal('csm.sentiment'),
  account: z.strictObject({ domain: z.string() }),
  csm: z.strictObject({ email: z.string() }),
  sentiment: z.enum(SENTIMENTS),
  note: z.string(),
  recordedAt: z.string(),
});

/** Reads what `sandbox:seed` wrote back into per-account slices, keyed the way the ingest files are (domain, email). */
export async function readBookDirectory(dir: string): Promise<{
  meta: Book['meta'];
  pairs: { slice: AccountSlice; truth: AccountTruth }[];
}> {
  const crm = crmFileSchema.parse(JSON.parse(await readFile(join(dir, 'book.json'), 'utf8')));
  const truth = truthSchema.parse(JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')));
  const slices = new Map<
    string,
    AccountSlice & { usage: UsageDay[]; surveys: SurveyResponse[]; sentiment: Sentiment[] }
  >();
  const byDomain = new Map<string, string>();
  for (const account of crm.accounts) {
    byDomain.set(account.domain, account.id);
    slices.set(account.id, { account, contacts: [], deals: [], tickets: [], usage: [], surveys: [], sentiment: [] });
  }
  const sliceOf = (accountId: string, what: string) => {
    const slice = slices.get(accountId);
    if (!slice) throw new Error(`${what} points at unknown account ${accountId}`);
    return slice;
  };
  const contactByEmail = new Map<string, string>();
  for (const contact of crm.contacts) {
    (sliceOf(contact.accountId, contact.id).contacts as unknown[]).push(contact);
    contactByEmail.set(contact.email, contact.id);
  }
  for (const deal of crm.deals) (sliceOf(deal.accountId, deal.id).deals as unknown[]).push(deal);
  for (const ticket of crm.tickets) (sliceOf(ticket.accountId, ticket.id).tickets as unknown[]).push(ticket);
  const ownerByEmail = new Map(crm.owners.map((owner) => [owner.email, owner.id]));
  const accountOf = (domain: string) => {
    const id = byDomain.get(domain);
    if (id === undefined) throw new Error(`ingest line for unknown domain ${domain}`);
    return id;
  };

  await eachLine(join(dir, 'usage.jsonl'), (line) => {
    const { account, date, activeUsers, licences, events, features } = usageLineSchema.parse(JSON.parse(line));
    const accountId = accountOf(account.domain);
    sliceOf(accountId, 'usage').usage.push({ accountId, date, activeUsers, licences, events, features });
  });
  let surveyNumber = 0;
  await eachLine(join(dir, 'surveys.jsonl'), (line) => {
    const survey = surveyLineSchema.parse(JSON.parse(line));
    const accountId = accountOf(survey.account.domain);
    sliceOf(accountId, 'survey').surveys.push({
      id: `line-${++surveyNumber}`,
      accountId,
      contactId: contactByEmail.get(survey.contact.email) ?? '',
      kind: survey.kind,
      score: survey.score,
      verbatim: survey.verbatim,
      respondedAt: survey.respondedAt,
    });
  });
  let noteNumber = 0;
  await eachLine(join(dir, 'sentiment.jsonl'), (line) => {
    const note = sentimentLineSchema.parse(JSON.parse(line));
    const accountId = accountOf(note.account.domain);
    sliceOf(accountId, 'note').sentiment.push({
      id: `line-${++noteNumber}`,
      accountId,
      csmId: ownerByEmail.get(note.csm.email) ?? '',
      sentiment: note.sentiment,
      note: note.note,
      recordedAt: note.recordedAt,
    });
  });

  const truthByAccount = new Map(truth.accounts.map((account) => [account.accountId, account]));
  const pairs = [...slices.values()].map((slice) => {
    const planted = truthByAccount.get(slice.account.id);
    if (!planted) throw new Error(`account ${slice.account.id} is missing from truth.json`);
    return { slice, truth: planted };
  });
  return { meta: crm.meta, pairs };
}

async function eachLine(path: string, handle: (line: string) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') handle(line);
}
