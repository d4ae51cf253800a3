/**
 * Runs inside a fresh network namespace (unshare -n), where nothing listens on 6379.
 * Starts Bellwether with no REDIS_URL, checks /readyz, presses Ctrl-C, and reports as JSON on stdout.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { childEnv, interrupt, startCommand, tempDataDir, TSX_ENTRY } from './process.ts';

const dataDir = await tempDataDir();
const started = startCommand(
  TSX_ENTRY[0],
  [...TSX_ENTRY[1], 'server/main.ts'],
  childEnv({ DATA_DIR: dataDir, PORT: '0' }),
);
const report: Record<string, unknown> = {};
try {
  const url = await started.url;
  const pidFile = path.join(dataDir, 'redis', 'redis-server.pid');
  const redisPid = Number(await readFile(pidFile, 'utf8'));
  report.redisPid = redisPid;
  const response = await fetch(`${url}/readyz`);
  report.readyStatus = response.status;
  report.ready = await response.json();
  interrupt(started);
  report.exitCode = await started.exited;
  report.redisStillRunning = await readFile(`/proc/${redisPid}/status`, 'utf8').then(
    (status) => !/State:\s+Z/.test(status),
    () => false,
  );
} catch (error) {
  report.error = String(error);
  started.child.kill('SIGKILL');
}
report.stdout = started.output().stdout;
report.stderr = started.output().stderr;
process.stdout.write(`${JSON.stringify(report)}\n`);
