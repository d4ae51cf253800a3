import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../server/platform/runtime.ts';

/** Variables a test decides for itself; never inherited from the shell or CI. */
const CONTROLLED = [
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'DATA_DIR',
  'DATABASE_URL',
  'REDIS_URL',
  'QUEUE_PREFIX',
  'ENCRYPTION_KEY',
  'ENCRYPTION_KEY_PREVIOUS',
  'NODE_ENV',
  'LOG_LEVEL',
];

export function childEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONTROLLED) delete env[name];
  return { ...env, ...overrides };
}

export async function tempDataDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'bw-data-'));
}

export interface Started {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** Resolves with the URL the process printed, or rejects if it exits first. */
  url: Promise<string>;
}

/**
 * Spawns a command from the project root in its own process group, so that `interrupt` sends
 * SIGINT to the whole group as Ctrl-C in a terminal does.
 */
export function startCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd: ROOT_DIR, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const url = new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /is running at (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', check);
    void exited.then((code) => reject(new Error(`exited with ${code} before printing a URL.\n${stdout}\n${stderr}`)));
  });
  // Callers that only wait for the exit must not see an unhandled rejection.
  url.catch(() => undefined);
  return { child, output: () => ({ stdout, stderr }), exited, url };
}

/** Ctrl-C: SIGINT to the process group. */
export function interrupt(started: Started): void {
  if (started.child.pid) process.kill(-started.child.pid, 'SIGINT');
}

export const TSX_ENTRY = [process.execPath, ['--import', 'tsx']] as const;
