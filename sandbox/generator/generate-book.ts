import { z } from 'zod';
import { generateAccount, type AccountRecords } from './account-generator.ts';
import type { Book, CrmBook, Owner } from './book.ts';
import { LEAD_IN_DAYS, type BookContext } from './context.ts';
import { addMonths, DayFormatter, parseDay } from './dates.ts';
import { drawFirmographics, type Firmographics } from './firmographics.ts';
import { staffBook, type Assignment } from './owners.ts';
import { CONTRACT_TERMS, LATENT, SEGMENT_PROFILES, SIGNALS } from './parameters.ts';
import type { Truth } from './truth.ts';

export const generateOptionsSchema = z.strictObject({
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  accounts: z.int().min(1).max(1_000_000),
  /** The book describes the world up to this day (YYYY-MM-DD). */
  asOf: z.string().refine(isDay, 'asOf must be a calendar day as YYYY-MM-DD'),
  historyMonths: z.int().min(6).max(36).default(12),
});

export type GenerateOptions = z.input<typeof generateOptionsSchema>;

export interface BookPlan {
  meta: Book['meta'];
  owners: Owner[];
  context: BookContext;
  accounts: readonly { firm: Firmographics; assignment: Assignment }[];
}

/** Draws every account's firmographics and staffs the book; the heavy per-account work comes later. */
export function planBook(options: GenerateOptions): BookPlan {
  const { seed, accounts, asOf, historyMonths } = generateOptionsSchema.parse(options);
  const asOfDay = parseDay(asOf);
  const historyStart = addMonths(asOfDay, -historyMonths);
  const days = new DayFormatter();
  const context: BookContext = {
    seed,
    asOf: asOfDay,
    historyStart,
    simStart: historyStart - LEAD_IN_DAYS,
    simEnd: asOfDay + 366,
    days,
  };
  const firms = Array.from({ length: accounts }, (_, index) => drawFirmographics(seed, index, asOfDay));
  const { owners, assignments } = staffBook(seed, firms);
  return {
    meta: { version: 1, seed, accounts, asOf, historyStart: days.format(historyStart) },
    owners,
    context,
    accounts: firms.map((firm, index) => ({ firm, assignment: assignments[index] as Assignment })),
  };
}

/** Generates the accounts one at a time, so a caller can stream them out without holding the book. */
export function* generateAccounts(plan: BookPlan): Generator<AccountRecords> {
  for (const { firm, assignment } of plan.accounts) yield generateAccount(firm, assignment, plan.context);
}

export function truthHeader(plan: BookPlan): Omit<Truth, 'accounts'> {
  return {
    version: 1,
    seed: plan.meta.seed,
    asOf: plan.meta.asOf,
    historyStart: plan.meta.historyStart,
    model: { latent: LATENT, signals: SIGNALS, segments: SEGMENT_PROFILES, contractTerms: CONTRACT_TERMS },
  };
}

/** The whole book and its truth in memory (tests, the truth check, loading the stand-ins). */
export function generateBook(options: GenerateOptions): { book: Book; truth: Truth } {
  const plan = planBook(options);
  const book: Book = {
    meta: plan.meta,
    owners: plan.owners,
    accounts: [],
    contacts: [],
    deals: [],
    tickets: [],
    usage: [],
    surveys: [],
    sentiment: [],
  };
  const truth: Truth = { ...truthHeader(plan), accounts: [] };
  for (const records of generateAccounts(plan)) {
    book.accounts.push(records.account);
    pushAll(book.contacts, records.contacts);
    pushAll(book.deals, records.deals);
    pushAll(book.tickets, records.tickets);
    pushAll(book.usage, records.usage);
    pushAll(book.surveys, records.surveys);
    pushAll(book.sentiment, records.sentiment);
    truth.accounts.push(records.truth);
  }
  return { book, truth };
}

/** The part of the book the CRM stand-ins load. */
export function crmBook(book: Book): CrmBook {
  const { meta, owners, accounts, contacts, deals, tickets } = book;
  return { meta, owners, accounts, contacts, deals, tickets };
}

// push(...items) overflows the stack for very long arrays; accounts add a few hundred at a time.
function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function isDay(value: string): boolean {
  try {
    parseDay(value);
    return true;
  } catch {
    return false;
  }
}
