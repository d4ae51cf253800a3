/**
 * `npm run bench:sandbox`: generate a 10,000-account book (contacts, deals, tickets and 12 months of
 * daily usage) and load it into both stand-ins, timing each phase. Target: under 60 s in all.
 * Prints a table and writes bench/results/sandbox-load.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { crmBook, generateBook } from '../sandbox/generator/generate-book.ts';
import { startSandboxes } from '../sandbox/start-sandboxes.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '7' },
    'as-of': { type: 'string', default: '2026-11-01' },
  },
});
const accounts = Number(values.accounts);
const seed = Number(values.seed);
const TARGET_SECONDS = 60;

const phases: { phase: string; seconds: number; records: string }[] = [];
async function timed<T>(phase: string, run: () => T | Promise<T>, describe: (result: T) => string): Promise<T> {
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  phases.push({ phase, seconds, records: describe(result) });
  process.stderr.write(`  ${phase}: ${seconds.toFixed(2)} s\n`);
  return result;
}

process.stderr.write(`Generating and loading ${accounts} accounts (seed ${seed})…\n`);
const { book } = await timed(
  'generate book',
  () => generateBook({ seed, accounts, asOf: values['as-of'] }),
  ({ book: b }) =>
    `${b.accounts.length} accounts, ${b.contacts.length} contacts, ${b.deals.length} deals, ${b.tickets.length} tickets, ${b.usage.length} usage days, ${b.surveys.length} surveys`,
);
const crm = crmBook(book);
const running = await startSandboxes();
try {
  await timed(
    'load HubSpot',
    () => running.hubspot.sandbox.loadBook(running.hubspot.portalId, crm),
    (ids) =>
      `${ids.companies.size} companies, ${ids.contacts.size} contacts, ${ids.deals.size} deals, ${ids.tickets.size} tickets`,
  );
  await timed(
    'load Salesforce',
    () => running.salesforce.sandbox.loadBook(running.salesforce.orgId, crm),
    (ids) =>
      `${ids.accounts.size} accounts, ${ids.contacts.size} contacts, ${ids.deals.size} opportunities, ${ids.tickets.size} cases`,
  );
} finally {
  await running.close();
}

const total = phases.reduce((sum, phase) => sum + phase.seconds, 0);
const heapMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
const rows = [
  ...phases.map((p) => [p.phase, p.seconds.toFixed(2), p.records]),
  ['total', total.toFixed(2), `target < ${TARGET_SECONDS} s, peak RSS ${heapMb} MB`],
];
const width = [0, 1].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)));
process.stdout.write(
  `\n${['phase'.padEnd(width[0] as number), 'seconds'.padStart(width[1] as number), 'what'].join('  ')}\n` +
    rows
      .map(
        (row) =>
          `${(row[0] as string).padEnd(width[0] as number)}  ${(row[1] as string).padStart(width[1] as number)}  ${row[2]}`,
      )
      .join('\n') +
    `\n\n${total < TARGET_SECONDS ? 'PASS' : 'FAIL'}: ${accounts} accounts generated and loaded into both stand-ins in ${total.toFixed(1)} s.\n`,
);
await mkdir('bench/results', { recursive: true });
await writeFile(
  'bench/results/sandbox-load.json',
  `${JSON.stringify({ accounts, seed, asOf: values['as-of'], phases, totalSeconds: total, rssMb: heapMb, targetSeconds: TARGET_SECONDS }, null, 2)}\n`,
);
if (total >= TARGET_SECONDS) process.exitCode = 1;
