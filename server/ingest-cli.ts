/**
 * `npm run ingest -- FILE.csv|FILE.jsonl [--kind usage-daily|usage-events|surveys|sentiment] --key KEY [--url URL]`
 *
 * Streams the file to the ingest API in batches of 1,000 items (fewer when that would pass
 * `--batch-bytes`, 900 kB by default, under the server's body limit) with a progress bar and a summary.
 * Each batch's Idempotency-Key is derived from the file, the batch's place in it and its content, so
 * running the command again after a failure resends nothing twice: finished batches answer their
 * stored answer (for 7 days; after that a resent batch is stored again, and items already held
 * count as duplicates).
 *
 * The file holds exactly the API's items (server/contracts/ingest.ts), one per JSONL line or CSV row;
 * every item names its account by `accountId` (the CRM id) or `accountDomain`:
 * - usage-daily:  accountId|accountDomain, date (YYYY-MM-DD), activeUsers, licences?, events?, features?
 * - usage-events: id, accountId|accountDomain, occurredAt (ISO 8601), event, userId?, feature?, properties?
 * - surveys:      id, accountId|accountDomain, kind (nps|csat|ces), score, verbatim?, contactId?, respondedAt
 * - sentiment:    id, accountId|accountDomain, sentiment (positive|neutral|negative), note?, csmId?, recordedAt
 * In CSV the header row names the fields; an empty cell is an absent field; `features` and
 * `properties` cells hold JSON, or `features.<name>` columns give one feature each.
 *
 * The sandbox generator's files (`npm run sandbox:seed`: usage.jsonl, surveys.jsonl, sentiment.jsonl)
 * are taken as they are: a line's `type` (usage.daily, survey.response, csm.sentiment) gives the kind,
 * so `--kind` may be left out; `account.domain` becomes `accountDomain`, and surveys and notes, which
 * carry no id, get one derived from the line, so sending the file again stores nothing twice. The
 * contact's and the CSM's e-mail addresses are not sent (the API takes CRM ids only).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { parse as parseCsv } from 'csv-parse';
import { z } from 'zod';
import { errorBodySchema } from './contracts/health.ts';
import {
  INGEST_KEY_PATTERN,
  INGEST_KINDS,
  ingestResultSchema,
  MAX_BATCH_ITEMS,
  type IngestKind,
} from './contracts/ingest.ts';

const USAGE =
  'usage: npm run ingest -- FILE.csv|FILE.jsonl [--kind usage-daily|usage-events|surveys|sentiment] --key bw_… [--url http://localhost:3000] [--batch-bytes 900000]\n' +
  "       (--kind may be left out for the sandbox generator's usage.jsonl, surveys.jsonl and sentiment.jsonl)";
const DEFAULT_URL = 'http://localhost:3000';
/** Under the server's default body limit (HTTP_BODY_LIMIT, 1mb): a batch closes at 1,000 items or at this size. */
const DEFAULT_BATCH_BYTES = 900_000;
const ATTEMPTS = 5;

class UsageError extends Error {}
/** Stops the run with a message for the person running it (exit 1). */
class Stop extends Error {}

interface Args {
  file: string;
  /** Absent for JSONL files whose lines say their type. */
  kind: IngestKind | undefined;
  key: string;
  url: string;
  format: 'csv' | 'jsonl';
  batchBytes: number;
}

function parseCommandLine(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        kind: { type: 'string' },
        key: { type: 'string' },
        url: { type: 'string' },
        'batch-bytes': { type: 'string' },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`name one file to send\n${USAGE}`);
  const file = positionals[0]!;
  const extension = path.extname(file).toLowerCase();
  const format = extension === '.csv' ? 'csv' : extension === '.jsonl' || extension === '.ndjson' ? 'jsonl' : undefined;
  if (!format) throw new UsageError(`${file}: the file must end in .csv or .jsonl\n${USAGE}`);
  const kind = INGEST_KINDS.find((candidate) => candidate === values.kind);
  if (values.kind !== undefined && !kind) {
    throw new UsageError(`--kind must be one of ${INGEST_KINDS.join(', ')}\n${USAGE}`);
  }
  if (!kind && format === 'csv') {
    throw new UsageError(`--kind is needed for a CSV file (one of ${INGEST_KINDS.join(', ')})\n${USAGE}`);
  }
  if (values.key === undefined || !INGEST_KEY_PATTERN.test(values.key)) {
    throw new UsageError(
      `--key must be an ingest key (bw_<prefix>_<secret>, created on the installation's ingest keys)\n${USAGE}`,
    );
  }
  let url: URL;
  try {
    url = new URL(values.url ?? DEFAULT_URL);
  } catch {
    throw new UsageError(`--url must be the app's address, such as ${DEFAULT_URL}\n${USAGE}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https`);
  const batchBytes = Number(values['batch-bytes'] ?? DEFAULT_BATCH_BYTES);
  if (!Number.isInteger(batchBytes) || batchBytes < 1_000) {
    throw new UsageError(`--batch-bytes must be a whole number of bytes, at least 1000\n${USAGE}`);
  }
  return { file, kind, key: values.key, url: url.toString().replace(/\/$/, ''), format, batchBytes };
}

/** One item read from the file, with the line it started on (for error messages). */
interface ReadItem {
  line: number;
  item: unknown;
  /** Bytes of the file read when this item was complete. */
  bytes: number;
}

interface ReadLine extends ReadItem {
  /** The line as written. */
  text: string;
}

async function* readJsonl(file: string): AsyncGenerator<ReadLine> {
  const input = createReadStream(file);
  let bytes = 0;
  input.on('data', (chunk) => (bytes += chunk.length));
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch (error) {
      throw new Stop(`${file}:${line}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    yield { line, item, bytes, text };
  }
}

/**
 * The sandbox generator's lines (sandbox/generator/write-book.ts): a `type`, the account by domain,
 * and otherwise the API's fields, which the API itself checks (and the refusal names the line).
 */
const sandboxAccount = z.strictObject({ domain: z.string() });
const sandboxPerson = z.strictObject({ email: z.string().nullable() });
const SANDBOX_LINES = {
  'usage.daily': {
    kind: 'usage-daily',
    schema: z.looseObject({ type: z.literal('usage.daily'), account: sandboxAccount }),
  },
  'survey.response': {
    kind: 'surveys',
    schema: z.looseObject({ type: z.literal('survey.response'), account: sandboxAccount, contact: sandboxPerson }),
  },
  'csm.sentiment': {
    kind: 'sentiment',
    schema: z.looseObject({ type: z.literal('csm.sentiment'), account: sandboxAccount, csm: sandboxPerson }),
  },
} as const satisfies Record<string, { kind: IngestKind; schema: z.ZodType }>;
type SandboxType = keyof typeof SANDBOX_LINES;
const SANDBOX_TYPES = Object.keys(SANDBOX_LINES) as SandboxType[];

/** The kind a line asks for by its `type`, or undefined for a plain API item. */
function sandboxTypeOf(item: unknown): SandboxType | undefined | { unknown: unknown } {
  if (typeof item !== 'object' || item === null || !Object.hasOwn(item, 'type')) return undefined;
  const type = (item as { type: unknown }).type;
  return SANDBOX_TYPES.find((known) => known === type) ?? { unknown: type };
}

/** A sandbox line as the API's item; a line that does not have the sandbox's shape stops the run, naming it. */
function itemOfSandboxLine(file: string, read: ReadLine, type: SandboxType): unknown {
  const parsed = SANDBOX_LINES[type].schema.safeParse(read.item);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`);
    throw new Stop(`${file}:${read.line}: not a ${type} line of the sandbox generator (${problems.join('; ')})`);
  }
  const {
    type: _type,
    account,
    contact: _contact,
    csm: _csm,
    ...fields
  } = parsed.data as Record<string, unknown> & {
    account: { domain: string };
  };
  const item: Record<string, unknown> = { accountDomain: account.domain, ...fields };
  // Surveys and notes have no id in the file: one derived from the line makes a resend a duplicate.
  if (type !== 'usage.daily') item.id = `sandbox-${createHash('sha256').update(read.text).digest('hex').slice(0, 32)}`;
  return item;
}

/** JSONL items with each one's kind: from its sandbox `type`, else from --kind. */
async function* readJsonlItems(args: Args): AsyncGenerator<ReadItem & { kind: IngestKind }> {
  for await (const read of readJsonl(args.file)) {
    const type = sandboxTypeOf(read.item);
    if (type === undefined) {
      if (!args.kind) {
        throw new Stop(
          `${args.file}:${read.line}: the line has no "type" (${SANDBOX_TYPES.join(', ')}); say what the file holds with --kind`,
        );
      }
      yield { ...read, kind: args.kind };
    } else if (typeof type === 'object') {
      throw new Stop(
        `${args.file}:${read.line}: unknown line type ${JSON.stringify(type.unknown)}; expected one of ${SANDBOX_TYPES.join(', ')}`,
      );
    } else {
      yield { ...read, item: itemOfSandboxLine(args.file, read, type), kind: SANDBOX_LINES[type].kind };
    }
  }
}

const INTEGER_FIELDS: Record<IngestKind, readonly string[]> = {
  'usage-daily': ['activeUsers', 'licences', 'events'],
  'usage-events': [],
  surveys: ['score'],
  sentiment: [],
};
const JSON_FIELDS = new Set(['features', 'properties']);

/** A CSV row as the API's item: typed numbers and JSON cells; a value that does not convert is sent as written, so the API names it. */
function itemOfRow(row: Record<string, string>, kind: IngestKind): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(row)) {
    if (cell === '') continue;
    const feature = /^features\.(.+)$/.exec(column);
    if (feature) {
      const features = (item.features ??= {}) as Record<string, unknown>;
      features[feature[1]!] = /^\d+$/.test(cell) ? Number(cell) : cell;
    } else if (INTEGER_FIELDS[kind].includes(column)) {
      item[column] = /^-?\d+$/.test(cell) ? Number(cell) : cell;
    } else if (JSON_FIELDS.has(column)) {
      try {
        item[column] = JSON.parse(cell);
      } catch {
        item[column] = cell;
      }
    } else {
      item[column] = cell;
    }
  }
  return item;
}

async function* readCsv(file: string, kind: IngestKind): AsyncGenerator<ReadItem & { kind: IngestKind }> {
  const parser = createReadStream(file).pipe(
    parseCsv({ columns: true, skip_empty_lines: true, trim: true, bom: true, info: true }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number; bytes: number };
    }>) {
      yield { line: info.lines, item: itemOfRow(record, kind), bytes: info.bytes, kind };
    }
  } catch (error) {
    throw new Stop(`${file}: not valid CSV (${error instanceof Error ? error.message : String(error)})`);
  }
}

interface Totals {
  batches: number;
  items: number;
  accepted: number;
  duplicates: number;
  replayed: number;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Sends one batch, retrying what may succeed later (network, 5xx, 429); the idempotency key makes retries safe. */
async function sendBatch(
  args: Args,
  kind: IngestKind,
  fileId: string,
  index: number,
  batch: ReadItem[],
  totals: Totals,
): Promise<void> {
  const body = JSON.stringify({ items: batch.map((read) => read.item) });
  const idempotencyKey = `cli:${kind}:${fileId}:${index}:${sha(body)}`;
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(`${args.url}/api/ingest/${kind}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${args.key}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body,
      });
    } catch (error) {
      if (attempt >= ATTEMPTS) {
        throw new Stop(`could not reach ${args.url}: ${error instanceof Error ? error.message : String(error)}`);
      }
      await sleep(500 * 2 ** (attempt - 1));
      continue;
    }
    if (response.ok) {
      const answer = ingestResultSchema.parse(await response.json());
      totals.batches++;
      totals.items += batch.length;
      totals.accepted += answer.accepted;
      totals.duplicates += answer.duplicates;
      if (response.headers.get('idempotent-replayed') === 'true') totals.replayed++;
      return;
    }
    if ((response.status >= 500 || response.status === 429) && attempt < ATTEMPTS) {
      await sleep(500 * 2 ** (attempt - 1));
      continue;
    }
    throw new Stop(describeRefusal(args, batch, index, response.status, await response.text()));
  }
}

/** The API's answer with each item's path turned into the file's line. */
function describeRefusal(args: Args, batch: ReadItem[], index: number, status: number, text: string): string {
  let parsed;
  try {
    parsed = errorBodySchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) return `batch ${index + 1} was refused (HTTP ${status}): ${text.slice(0, 500)}`;
  const { error } = parsed.data;
  const lines = (error.issues ?? []).slice(0, 50).map((issue) => {
    const item = /^items\[(\d+)\]\.?(.*)$/.exec(issue.path);
    const read = item ? batch[Number(item[1])] : undefined;
    const where = read ? `${args.file}:${read.line}${item![2] ? ` ${item![2]}` : ''}` : issue.path;
    return `  ${where}: ${issue.message}`;
  });
  const more = (error.issues?.length ?? 0) > 50 ? [`  … and ${error.issues!.length - 50} more`] : [];
  return [`batch ${index + 1} was refused (HTTP ${status}, ${error.code}): ${error.message}`, ...lines, ...more].join(
    '\n',
  );
}

function summary(totals: Totals, seconds: number): string {
  const rate = seconds > 0 ? Math.round(totals.items / seconds) : totals.items;
  return [
    `${totals.items} items in ${totals.batches} batches: ${totals.accepted} accepted, ${totals.duplicates} already held`,
    totals.replayed > 0 ? `${totals.replayed} batches had been sent before and answered as then` : undefined,
    `${seconds.toFixed(1)} s, ${rate} items/s`,
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}

async function run(args: Args): Promise<number> {
  const fileSize = (await stat(args.file).catch(() => undefined))?.size;
  if (fileSize === undefined) throw new Stop(`${args.file}: no such file`);
  const fileId = sha(path.resolve(args.file));
  const totals: Totals = { batches: 0, items: 0, accepted: 0, duplicates: 0, replayed: 0 };
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {items} items · {accepted} accepted · {duplicates} already held',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, fileSize), 0, { items: 0, accepted: 0, duplicates: 0 });
  const started = performance.now();
  let batch: ReadItem[] = [];
  let batchSize = 0;
  let index = 0;
  // Fixed by --kind, or by the first line's type; one file goes to one endpoint.
  let kind = args.kind;
  const flush = async () => {
    if (batch.length === 0 || !kind) return;
    await sendBatch(args, kind, fileId, index, batch, totals);
    bar.update(batch[batch.length - 1]!.bytes, {
      items: totals.items,
      accepted: totals.accepted,
      duplicates: totals.duplicates,
    });
    index++;
    batch = [];
    batchSize = 0;
  };
  try {
    const items = args.format === 'csv' && args.kind ? readCsv(args.file, args.kind) : readJsonlItems(args);
    for await (const read of items) {
      kind ??= read.kind;
      if (read.kind !== kind) {
        throw new Stop(
          `${args.file}:${read.line}: a ${read.kind} item in a file of ${kind} items; send each kind from its own file`,
        );
      }
      const itemBytes = Buffer.byteLength(JSON.stringify(read.item)) + 1;
      if (batch.length > 0 && batchSize + itemBytes > args.batchBytes) await flush();
      batch.push(read);
      batchSize += itemBytes;
      if (batch.length === MAX_BATCH_ITEMS) await flush();
    }
    await flush();
    bar.update(Math.max(1, fileSize));
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    bar.stop();
    const resume =
      totals.batches > 0 ? '\nThe batches before it were stored; fix the file and run the same command again.' : '';
    process.stderr.write(`${error.message}${resume}\n`);
    return 1;
  } finally {
    bar.stop();
    process.stdout.write(`${summary(totals, (performance.now() - started) / 1000)}\n`);
  }
  if (totals.items === 0) process.stdout.write(`${args.file} holds no items.\n`);
  return 0;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  try {
    return await run(args);
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Ingest failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
