import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const HEADER = 'x-request-id';
// Accept a caller's id (a proxy's or a load balancer's) only when it is short and plain.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{8,128}$/;

/** Used as pino-http's genReqId: reuses a sane incoming X-Request-Id, else a new UUID; echoes it. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers[HEADER];
  const id = typeof incoming === 'string' && ACCEPTABLE.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}
