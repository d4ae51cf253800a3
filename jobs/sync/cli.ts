/**
 * `npm run sync -- --installation ID [--full] [--reconcile]`: one sync of one installation, run here
 * and now (not through the queue), with a progress bar per object and a summary table. It takes the
 * same per-installation lease as the workers, so it never overlaps a scheduled run.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { bootRuntime, startupProblem } from '../../server/platform/runtime.ts';
import { createQueues } from '../queues.ts';
import { syncLeaseKey, tryLease } from './lease.ts';
import { runSync, SYNC_OBJECTS, type SyncMode, type SyncObject, type SyncSummary } from './run-sync.ts';
import { buildJobServices } from './services.ts';

const USAGE = 'usage: npm run sync -- --installation <installation id> [--full | --reconcile]';

class UsageError extends Error {}

function parseCommandLine(argv: string[]): { installationId: string; mode: SyncMode } {
  let values: { installation?: string | undefined; full?: boolean | undefined; reconcile?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { installation: { type: 'string' }, full: { type: 'boolean' }, reconcile: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const id = z.uuid().safeParse(values.installation);
  if (!id.success) {
    throw new UsageError(
      values.installation === undefined
        ? `--installation is required\n${USAGE}`
        : `--installation must be an installation id (a UUID), got "${values.installation}"\n${USAGE}`,
    );
  }
  if (values.full && values.reconcile) throw new UsageError(`--full and --reconcile cannot be combined\n${USAGE}`);
  return { installationId: id.data, mode: values.full ? 'full' : values.reconcile ? 'reconcile' : 'incremental' };
}

function table(summary: SyncSummary): string {
  const rows = [
    ['object', 'records', 'deleted', 'calls'],
    ...summary.objects.map((o) => [o.objectType, String(o.records), String(o.deleted), String(o.calls)]),
    [
      'total',
      String(summary.objects.reduce((sum, o) => sum + o.records, 0)),
      String(summary.objects.reduce((sum, o) => sum + o.deleted, 0)),
      String(summary.calls),
    ],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}

async function main(): Promise<number> {
  let args: { installationId: string; mode: SyncMode };
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const runtime = await bootRuntime('sync-cli');
  try {
    const queues = createQueues(runtime.producer, runtime.env.QUEUE_PREFIX);
    runtime.onClose('queues', () => queues.close());
    const services = buildJobServices(runtime, queues);
    const { sync } = services.sync;
    const found = (await sync.installations.listAllForScheduling()).find((row) => row.id === args.installationId);
    if (!found) {
      process.stderr.write(
        `No installation ${args.installationId}: list them on the admin page or in the install status.\n`,
      );
      return 1;
    }
    if (found.status !== 'active') {
      process.stderr.write(`Installation ${found.id} is ${found.status}: reconnect it before syncing.\n`);
      return 1;
    }
    const lease = await tryLease(runtime.producer, syncLeaseKey(found.id));
    if (!lease) {
      process.stderr.write(`A sync of installation ${found.id} is already running; try again when it has finished.\n`);
      return 1;
    }
    const key = { workspaceId: found.workspaceId, installationId: found.id };
    const known = new Map((await sync.store.status(key)).map((row) => [row.objectType, row]));
    const bars = new cliProgress.MultiBar(
      {
        format: ' {object} |{bar}| {value} records · {phase} · {calls} calls',
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    const bar = new Map<SyncObject, cliProgress.SingleBar>();
    for (const object of SYNC_OBJECTS) {
      const stored = (known.get(object) as { records?: number } | undefined)?.records ?? 0;
      bar.set(object, bars.create(Math.max(1, stored), 0, { object: object.padEnd(8), phase: 'waiting', calls: 0 }));
    }
    let summary: SyncSummary;
    try {
      summary = await runSync(
        sync,
        { ...key, mode: args.mode },
        {
          onProgress(progress) {
            const line = bar.get(progress.object);
            if (!line) return;
            if (progress.records > line.getTotal()) line.setTotal(progress.records);
            line.update(progress.records, { phase: progress.phase, calls: progress.calls });
            if (progress.phase === 'done') line.setTotal(Math.max(1, progress.records));
          },
        },
      );
    } finally {
      bars.stop();
      await lease.release();
    }
    if (summary.skipped) {
      process.stderr.write(`Nothing synced: ${summary.skipped}.\n`);
      return 1;
    }
    process.stdout.write(
      `\n${table(summary)}\n\n${args.mode} sync of installation ${found.id} finished in ${(summary.durationMs / 1000).toFixed(1)} s.\n`,
    );
    return 0;
  } finally {
    await runtime.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const problem = startupProblem(error);
    const detail = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${problem ?? `Sync failed: ${detail}`}\n`);
    process.exit(1);
  },
);
