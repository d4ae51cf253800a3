import type { RequestHandler } from 'express';
import type { Readiness } from '../../contracts/health.ts';

export interface ReadinessCheck {
  /** Shown in the answer, without credentials. */
  target: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

async function run(check: ReadinessCheck): Promise<Readiness['checks'][string]> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started), target: check.target };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      target: check.target,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Readiness: every dependency checked in parallel and named; 503 when any is down. */
export function getReadyz(checks: Record<string, ReadinessCheck>): RequestHandler {
  return async (_req, res) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await run(check)] as const),
    );
    const body: Readiness = {
      status: results.every(([, result]) => result.status === 'up') ? 'ready' : 'not_ready',
      checks: Object.fromEntries(results),
    };
    res.status(body.status === 'ready' ? 200 : 503).json(body);
  };
}
