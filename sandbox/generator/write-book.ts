import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicFile } from './atomic-file.ts';
import type { AccountRecords } from './account-generator.ts';
import { FEATURES } from './book.ts';
import { generateAccounts, truthHeader, type BookPlan } from './generate-book.ts';

export const OUTPUT_FILES = ['book.json', 'truth.json', 'usage.jsonl', 'surveys.jsonl', 'sentiment.jsonl'] as const;

export interface BookSummary {
  owners: number;
  accounts: number;
  active: number;
  churned: number;
  contacts: number;
  deals: number;
  tickets: number;
  usageDays: number;
  surveys: number;
  sentimentNotes: number;
  /** ARR of the active accounts at asOf. */
  arr: number;
  upcomingRenewals: number;
  upcomingRenewalArr: number;
  /** Renewals decided between the history start and asOf, and how many were lost. */
  renewalsInHistory: number;
  renewalsLostInHistory: number;
}

/**
 * Writes book.json (the CRM part and meta), truth.json and the ingest files. Accounts are generated
 * and written one at a time; only the CRM records are kept (as serialised lines) until book.json is
 * assembled, so memory does not grow with usage. Every file appears at once, or not at all.
 */
export async function writeBook(
  plan: BookPlan,
  outDir: string,
  onAccount: (done: number) => void = () => {},
): Promise<BookSummary> {
  await mkdir(outDir, { recursive: true });
  const files = Object.fromEntries(OUTPUT_FILES.map((name) => [name, new AtomicFile(join(outDir, name))])) as Record<
    (typeof OUTPUT_FILES)[number],
    AtomicFile
  >;
  try {
    const summary = await writeAll(plan, files, onAccount);
    for (const file of Object.values(files)) await file.close();
    for (const file of Object.values(files)) await file.commit();
    return summary;
  } catch (error) {
    for (const file of Object.values(files)) await file.discard();
    throw error;
  }
}

async function writeAll(
  plan: BookPlan,
  files: Record<(typeof OUTPUT_FILES)[number], AtomicFile>,
  onAccount: (done: number) => void,
): Promise<BookSummary> {
  const emails = new Map(plan.owners.map((owner) => [owner.id, owner.email]));
  const sections = {
    accounts: [] as string[],
    contacts: [] as string[],
    deals: [] as string[],
    tickets: [] as string[],
  };
  const historyStart = plan.meta.historyStart;
  const summary: BookSummary = {
    owners: plan.owners.length,
    accounts: 0,
    active: 0,
    churned: 0,
    contacts: 0,
    deals: 0,
    tickets: 0,
    usageDays: 0,
    surveys: 0,
    sentimentNotes: 0,
    arr: 0,
    upcomingRenewals: 0,
    upcomingRenewalArr: 0,
    renewalsInHistory: 0,
    renewalsLostInHistory: 0,
  };

  const header = JSON.stringify(truthHeader(plan));
  await files['truth.json'].write(`${header.slice(0, -1)},"accounts":[\n`);
  let done = 0;
  for (const records of generateAccounts(plan)) {
    collect(records, sections, summary, historyStart, plan.meta.asOf);
    await files['truth.json'].write(`${done === 0 ? '' : ',\n'}${JSON.stringify(records.truth)}`);
    await writeIngest(records, files, emails);
    onAccount(++done);
  }
  await files['truth.json'].write('\n]}\n');

  const book = files['book.json'];
  await book.write(
    `{"meta":${JSON.stringify(plan.meta)},\n"owners":${jsonLines(plan.owners.map((o) => JSON.stringify(o)))}`,
  );
  for (const [name, lines] of Object.entries(sections))
    await book.write(`,\n${JSON.stringify(name)}:${jsonLines(lines)}`);
  await book.write('}\n');
  return summary;
}

/** A JSON array with one element a line: diffable, and still one JSON document. */
function jsonLines(lines: readonly string[]): string {
  return lines.length === 0 ? '[]' : `[\n${lines.join(',\n')}\n]`;
}

function collect(
  records: AccountRecords,
  sections: Record<'accounts' | 'contacts' | 'deals' | 'tickets', string[]>,
  summary: BookSummary,
  historyStart: string,
  asOf: string,
): void {
  sections.accounts.push(JSON.stringify(records.account));
  for (const contact of records.contacts) sections.contacts.push(JSON.stringify(contact));
  for (const deal of records.deals) sections.deals.push(JSON.stringify(deal));
  for (const ticket of records.tickets) sections.tickets.push(JSON.stringify(ticket));

  summary.accounts++;
  if (records.account.status === 'active') {
    summary.active++;
    summary.arr += records.account.arr;
  } else {
    summary.churned++;
  }
  summary.contacts += records.contacts.length;
  summary.deals += records.deals.length;
  summary.tickets += records.tickets.length;
  summary.usageDays += records.usage.length;
  summary.surveys += records.surveys.length;
  summary.sentimentNotes += records.sentiment.length;
  for (const deal of records.deals) {
    if (deal.type !== 'renewal') continue;
    if (deal.stage === 'open') {
      summary.upcomingRenewals++;
      summary.upcomingRenewalArr += deal.amount;
    } else if (deal.closeDate > historyStart && deal.closeDate <= asOf) {
      summary.renewalsInHistory++;
      if (deal.stage === 'lost') summary.renewalsLostInHistory++;
    }
  }
}

/** The signals Bellwether receives through its ingest API, one event a line. */
async function writeIngest(
  records: AccountRecords,
  files: Record<(typeof OUTPUT_FILES)[number], AtomicFile>,
  ownerEmails: ReadonlyMap<string, string>,
): Promise<void> {
  const account = `{"domain":${JSON.stringify(records.account.domain)}}`;
  // Built by hand: a year of days for ten thousand accounts is millions of lines.
  let usage = '';
  for (const day of records.usage) {
    let features = '';
    for (const feature of FEATURES)
      features += `${features === '' ? '' : ','}"${feature}":${day.features[feature] ?? 0}`;
    usage += `{"type":"usage.daily","account":${account},"date":"${day.date}","activeUsers":${day.activeUsers},"licences":${day.licences},"events":${day.events},"features":{${features}}}\n`;
  }
  await files['usage.jsonl'].write(usage);

  const contactEmails = new Map(records.contacts.map((contact) => [contact.id, contact.email]));
  let surveys = '';
  for (const survey of records.surveys) {
    surveys += `${JSON.stringify({
      type: 'survey.response',
      account: { domain: records.account.domain },
      contact: { email: contactEmails.get(survey.contactId) ?? null },
      kind: survey.kind,
      score: survey.score,
      verbatim: survey.verbatim,
      respondedAt: survey.respondedAt,
    })}\n`;
  }
  await files['surveys.jsonl'].write(surveys);
  let sentiment = '';
  for (const note of records.sentiment) {
    sentiment += `${JSON.stringify({
      type: 'csm.sentiment',
      account: { domain: records.account.domain },
      csm: { email: ownerEmails.get(note.csmId) ?? null },
      sentiment: note.sentiment,
      note: note.note,
      recordedAt: note.recordedAt,
    })}\n`;
  }
  await files['sentiment.jsonl'].write(sentiment);
}
