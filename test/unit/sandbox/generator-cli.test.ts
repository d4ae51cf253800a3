import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSeedArgs, parseTruthCheckArgs, UsageError } from '../../../sandbox/generator/cli-args.ts';
import { generateAccounts, planBook } from '../../../sandbox/generator/generate-book.ts';
import { readBookDirectory } from '../../../sandbox/generator/read-book.ts';
import { collectCases } from '../../../sandbox/generator/truth-check-report.ts';
import { OUTPUT_FILES, writeBook } from '../../../sandbox/generator/write-book.ts';

const run = promisify(execFile);
const directories: string[] = [];
const scratch = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bellwether-book-'));
  directories.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of directories) await rm(dir, { recursive: true, force: true });
});

describe('seed arguments', () => {
  const today = '2026-11-23';

  it('reads the options, with defaults', () => {
    expect(
      parseSeedArgs(['--accounts', '25', '--seed', '9', '--as-of', '2026-03-31', '--out', 'books'], today),
    ).toEqual({
      accounts: 25,
      seed: 9,
      asOf: '2026-03-31',
      historyMonths: 12,
      out: 'books',
    });
    expect(parseSeedArgs([], today)).toMatchObject({ asOf: today, out: '.bellwether/sandbox' });
  });

  it.each([
    [['--accounts', 'many'], '--accounts must be a whole number'],
    [['--accounts', '0'], '--accounts must be at least 1'],
    [['--seed', '-3'], /--seed/],
    [['--as-of', '2026-02-30'], '--as-of must be a calendar day as YYYY-MM-DD'],
    [['--as-of', '30/06/2026'], '--as-of must be a calendar day as YYYY-MM-DD'],
    [['--acounts', '5'], /Unknown option '--acounts'/],
    [['--accounts'], /argument missing/],
    [['extra'], /positional/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseSeedArgs(argv, today)).toThrow(UsageError);
    expect(() => parseSeedArgs(argv, today)).toThrow(message);
  });

  it('keeps the truth check from mixing a directory with generation options', () => {
    expect(parseTruthCheckArgs(['--dir', 'x'])).toEqual({ source: 'directory', dir: 'x' });
    expect(() => parseTruthCheckArgs(['--dir', 'x', '--seed', '2'])).toThrow(/does not combine/);
    expect(parseTruthCheckArgs([])).toMatchObject({ source: 'generate', accounts: 2_000 });
  });
});

describe('writeBook', () => {
  it('writes byte-identical files for the same seed, all at once, and they read back to the same book', async () => {
    const plan = () => planBook({ seed: 5, accounts: 120, asOf: '2026-06-30' });
    const [first, second] = [await scratch(), await scratch()];
    const summary = await writeBook(plan(), first);
    await writeBook(plan(), second);
    expect((await readdir(first)).sort()).toEqual([...OUTPUT_FILES].sort());
    for (const name of OUTPUT_FILES) {
      expect((await readFile(join(second, name))).equals(await readFile(join(first, name))), name).toBe(true);
    }
    expect(summary.accounts).toBe(120);
    expect(summary.active + summary.churned).toBe(120);
    expect(summary.upcomingRenewals).toBe(summary.active);

    const usageLine = JSON.parse((await readFile(join(first, 'usage.jsonl'), 'utf8')).split('\n')[0]!) as Record<
      string,
      unknown
    >;
    expect(Object.keys(usageLine)).toEqual([
      'type',
      'account',
      'date',
      'activeUsers',
      'licences',
      'events',
      'features',
    ]);
    expect(usageLine.type).toBe('usage.daily');

    // What the ingest files and book.json describe is exactly what was generated.
    const read = await readBookDirectory(first);
    const generated = collectCases(
      (function* () {
        const p = plan();
        for (const records of generateAccounts(p)) yield { slice: records, truth: records.truth };
      })(),
      read.meta.historyStart,
      read.meta.asOf,
    );
    expect(collectCases(read.pairs, read.meta.historyStart, read.meta.asOf)).toEqual(generated);
  });

  it('leaves no file behind when writing fails', async () => {
    const dir = await scratch();
    const plan = planBook({ seed: 5, accounts: 30, asOf: '2026-06-30' });
    await expect(
      writeBook(plan, dir, (done) => {
        if (done === 10) throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('sandbox:seed', () => {
  it('exits 2 with the reason and the usage on bad arguments', async () => {
    const failure = await run(process.execPath, [
      '--import',
      'tsx',
      'sandbox/generator/cli.ts',
      '--accounts',
      'ten',
    ]).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('sandbox:seed: --accounts must be a whole number');
    expect(failure?.stderr).toContain('usage: npm run sandbox:seed');
  });
});
