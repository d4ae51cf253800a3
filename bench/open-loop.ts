import type { ChildProcess } from 'node:child_process';
import http from 'node:http';

/** What the HTTP benches share: an open-loop load driver, timed GETs, percentiles, child-process messages. */

export interface Timed {
  latencyMs: number;
  status: number;
  bytes: number;
}

/** One GET, timed from when it was due (not from when it was sent), so a late send still counts its wait. */
export function timedGet(url: string, options: http.RequestOptions, due: number): Promise<Timed> {
  return new Promise((resolve) => {
    const req = http.request(url, options, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ latencyMs: performance.now() - due, status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', () => resolve({ latencyMs: performance.now() - due, status: 0, bytes: 0 }));
    req.end();
  });
}

/**
 * Open-loop load: `rate` sends a second for `durationS` seconds, each due at a fixed time whether or not
 * earlier answers have come back, so a slow server cannot slow the load down and hide its queueing.
 */
export async function openLoop<T>(
  rate: number,
  durationS: number,
  send: (index: number, due: number) => Promise<T>,
): Promise<T[]> {
  const total = Math.round(durationS * rate);
  const interval = 1000 / rate;
  const outcomes: Promise<T>[] = [];
  const start = performance.now() + 50;
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) {
      outcomes.push(send(sent, start + sent * interval));
      sent += 1;
    }
    const wait = start + sent * interval - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait - 1)));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  return Promise.all(outcomes);
}

/** The nearest-rank percentile of an ascending list. */
export const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/** The next message of `type` from a forked bench process; its exit first is an error. */
export function nextMessage<M extends { type: string }, T extends M['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: M) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as Extract<M, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('exit', (code) =>
      reject(new Error(`the bench's child process exited (${code}) before sending ${type}`)),
    );
  });
}
