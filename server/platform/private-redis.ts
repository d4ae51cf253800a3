import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.ts';
import { probeRedis } from './redis-probe.ts';

/**
 * The embedded default: a redis-server owned by this process, in the data folder, on a free
 * loopback port, keeping nothing on disk. It is stopped on shutdown; one left behind by a crash is
 * stopped on the next start.
 */

export interface PrivateRedis {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function stopLeftover(pidFile: string, logger: Logger): Promise<void> {
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid)) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (cmdline.includes('redis-server')) {
    logger.info({ pid }, 'stopping a private Redis left behind by an earlier run');
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await rm(pidFile, { force: true });
}

/** Starts redis-server; resolves undefined when no redis-server binary is installed. */
export async function startPrivateRedis(dataDir: string, logger: Logger): Promise<PrivateRedis | undefined> {
  const dir = path.join(dataDir, 'redis');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(dir, 'redis-server.pid');
  await stopLeftover(pidFile, logger);

  const port = await freePort();
  const log = await open(path.join(dir, 'redis-server.log'), 'a');
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
    ],
    // Its own process group: a Ctrl-C in the terminal must not stop Redis before the workers have closed.
    { stdio: ['ignore', log.fd, log.fd], detached: true },
  );
  const spawnError = new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
  const spawned = await Promise.race([once(child, 'spawn').then(() => undefined), spawnError]);
  await log.close();
  if (spawned) {
    if (spawned.code === 'ENOENT') return undefined;
    throw spawned;
  }
  const pid = child.pid as number;
  await writeFile(pidFile, String(pid), { mode: 0o600 });
  const url = `redis://127.0.0.1:${port}`;

  const exited = once(child, 'exit');
  const deadline = Date.now() + START_TIMEOUT_MS;
  while ((await probeRedis(url, 500)) !== undefined) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the private redis-server did not start; see ${path.join(dir, 'redis-server.log')}`);
    }
    await sleep(50);
  }

  return {
    url,
    pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(pidFile, { force: true });
    },
  };
}
