import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseDay } from './dates.ts';

/** A command-line mistake: the message is for the person who typed it. */
export class UsageError extends Error {}

const wholeNumber = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `--${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `--${name} must be at least ${min}`).max(max, `--${name} must be at most ${max}`));

const calendarDay = (name: string) =>
  z.string().refine((value) => {
    try {
      parseDay(value);
      return true;
    } catch {
      return false;
    }
  }, `--${name} must be a calendar day as YYYY-MM-DD`);

export const SEED_USAGE =
  'usage: npm run sandbox:seed -- [--accounts N] [--seed S] [--as-of YYYY-MM-DD] [--history-months M] [--out DIR]';

const seedArgsSchema = z.strictObject({
  accounts: wholeNumber('accounts', 1, 1_000_000).default(1_000),
  seed: wholeNumber('seed', 0, 2 ** 32 - 1).default(1),
  'as-of': calendarDay('as-of').optional(),
  'history-months': wholeNumber('history-months', 6, 36).default(12),
  out: z.string().min(1, '--out must name a directory').default('.bellwether/sandbox'),
});

export interface SeedArgs {
  accounts: number;
  seed: number;
  asOf: string;
  historyMonths: number;
  out: string;
}

/**
 * `today` is the default as-of day: the only place the generator looks at the calendar, so a book
 * is reproducible from its seed and as-of day alone.
 */
export function parseSeedArgs(argv: readonly string[], today: string): SeedArgs {
  const values = parseOrThrow(argv, {
    accounts: { type: 'string' },
    seed: { type: 'string' },
    'as-of': { type: 'string' },
    'history-months': { type: 'string' },
    out: { type: 'string' },
  });
  const parsed = validate(seedArgsSchema, values);
  return {
    accounts: parsed.accounts,
    seed: parsed.seed,
    asOf: parsed['as-of'] ?? today,
    historyMonths: parsed['history-months'],
    out: parsed.out,
  };
}

export const TRUTH_CHECK_USAGE =
  'usage: npm run sandbox:truth-check -- [--accounts N] [--seed S] [--as-of YYYY-MM-DD] | [--dir DIR]';

const truthCheckArgsSchema = z.strictObject({
  accounts: wholeNumber('accounts', 50, 1_000_000).default(2_000),
  seed: wholeNumber('seed', 0, 2 ** 32 - 1).default(1),
  'as-of': calendarDay('as-of').default('2026-06-30'),
  dir: z.string().min(1).optional(),
});

export type TruthCheckArgs =
  { source: 'generate'; accounts: number; seed: number; asOf: string } | { source: 'directory'; dir: string };

export function parseTruthCheckArgs(argv: readonly string[]): TruthCheckArgs {
  const values = parseOrThrow(argv, {
    accounts: { type: 'string' },
    seed: { type: 'string' },
    'as-of': { type: 'string' },
    dir: { type: 'string' },
  });
  const parsed = validate(truthCheckArgsSchema, values);
  if (parsed.dir !== undefined) {
    if (values.accounts !== undefined || values.seed !== undefined || values['as-of'] !== undefined) {
      throw new UsageError('--dir reads a written book; it does not combine with --accounts, --seed or --as-of');
    }
    return { source: 'directory', dir: parsed.dir };
  }
  return { source: 'generate', accounts: parsed.accounts, seed: parsed.seed, asOf: parsed['as-of'] };
}

function parseOrThrow<T extends Record<string, { type: 'string' }>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Partial<
      Record<keyof T, string>
    >;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function validate<S extends z.ZodType>(schema: S, values: unknown): z.output<S> {
  const result = schema.safeParse(values);
  if (!result.success) throw new UsageError(result.error.issues.map((issue) => issue.message).join('; '));
  return result.data;
}
