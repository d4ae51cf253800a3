import type { RequestHandler } from 'express';
import type { Liveness } from '../../contracts/health.ts';

/** Liveness: answers while the event loop turns; checks no dependency, so a Redis blip never restarts us. */
export function getHealthz(version: string): RequestHandler {
  return (_req, res) => {
    const body: Liveness = { status: 'ok', uptimeSeconds: Math.round(process.uptime()), version };
    res.json(body);
  };
}
