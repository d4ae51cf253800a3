import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readinessSchema } from '../../../server/contracts/health.ts';
import { ROOT_DIR } from '../../../server/platform/runtime.ts';
import { childEnv, interrupt, startCommand, tempDataDir, TSX_ENTRY } from '../../support/process.ts';

const node = (args: string[], env: NodeJS.ProcessEnv) => startCommand(TSX_ENTRY[0], [...TSX_ENTRY[1], ...args], env);

describe('npm start', () => {
  it('serves /healthz and /readyz, and Ctrl-C exits 0 within 10 s', async () => {
    const dataDir = await tempDataDir();
    const started = startCommand('npm', ['start'], childEnv({ DATA_DIR: dataDir, PORT: '0' }));
    try {
      const url = await started.url;

      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      const body = readinessSchema.parse(await ready.json());
      expect(body.status).toBe('ready');
      expect(body.checks.database).toMatchObject({ status: 'up' });
      expect(body.checks.database?.target).toMatch(/^pglite /);
      expect(body.checks.redis).toMatchObject({ status: 'up' });

      // The embedded database belongs to one process: a second start on the same data folder says so.
      const second = node(['server/main.ts'], childEnv({ DATA_DIR: dataDir, PORT: '0' }));
      expect(await second.exited).toBe(1);
      expect(second.output().stderr).toMatch(
        /^Bellwether cannot start: the embedded database is in use by process \d+\./,
      );

      const stopAt = Date.now();
      interrupt(started);
      expect(await started.exited).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(10_000);
      expect(started.output().stdout).toContain('"msg":"stopped"');
    } finally {
      started.child.kill('SIGKILL');
    }
  });
});

describe('start-up problems are one clear line, exit 1', () => {
  it('names REDIS_URL when it points at nothing', async () => {
    const started = node(
      ['server/main.ts'],
      childEnv({ DATA_DIR: await tempDataDir(), PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' }),
    );
    expect(await started.exited).toBe(1);
    const lines = started.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Bellwether cannot start: Redis is not reachable at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\): ECONNREFUSED\. Start Redis/,
    );
    expect(started.output().stderr).not.toMatch(/\n\s+at /);
  });

  it('names PORT and ENCRYPTION_KEY together', async () => {
    const started = node(
      ['server/main.ts'],
      childEnv({ DATA_DIR: await tempDataDir(), PORT: 'abc', ENCRYPTION_KEY: 'too-short' }),
    );
    expect(await started.exited).toBe(1);
    const lines = started.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Bellwether cannot start, the environment is invalid: PORT .*; ENCRYPTION_KEY .*\.$/);
    expect(lines[0]).not.toContain('too-short');
  });

  it('names a Postgres that does not answer', async () => {
    const started = node(
      ['server/main.ts'],
      childEnv({ DATA_DIR: await tempDataDir(), PORT: '0', DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' }),
    );
    expect(await started.exited).toBe(1);
    const stderr = started.output().stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/Postgres is not reachable at 127\.0\.0\.1:1\/none \(DATABASE_URL\): ECONNREFUSED/);
    expect(stderr).not.toContain('secret');
  });
});

describe('the embedded Redis default', () => {
  it('starts a private redis-server when nothing answers on 6379 and no REDIS_URL is set, and stops it on exit', () => {
    // A new network namespace has an empty loopback: nothing listens on 6379 there.
    const result = spawnSync(
      'unshare',
      [
        '-n',
        'sh',
        '-c',
        `ip link set lo up && exec "${process.execPath}" --import tsx test/support/netns-private-redis-probe.ts`,
      ],
      { cwd: ROOT_DIR, env: childEnv({}), encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.status, `unshare failed: ${result.stderr}`).toBe(0);
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(report.error, JSON.stringify(report)).toBeUndefined();
    expect(report.stdout).toContain('started a private Redis');
    expect(report.readyStatus).toBe(200);
    expect(report.ready).toMatchObject({ status: 'ready', checks: { redis: { status: 'up' } } });
    expect(report.exitCode).toBe(0);
    expect(report.redisStillRunning).toBe(false);
  });

  it('stops with one line naming REDIS_URL when nothing answers and no redis-server is installed', async () => {
    const dataDir = await tempDataDir();
    const result = spawnSync(
      'unshare',
      [
        '-n',
        'sh',
        '-c',
        `ip link set lo up && exec /usr/bin/env PATH=/nonexistent "${process.execPath}" --import tsx server/main.ts`,
      ],
      { cwd: ROOT_DIR, env: childEnv({ DATA_DIR: dataDir, PORT: '0' }), encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Bellwether cannot start: Redis is not reachable at redis:\/\/127\.0\.0\.1:6379 \(ECONNREFUSED\) and no redis-server is installed .* set REDIS_URL/,
    );
  });
});
