import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { ErrorBody } from '../../contracts/health.ts';
import { AppError } from '../../platform/errors.ts';
import { jsonPath } from '../../platform/manifest.ts';

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

// body-parser's error types, answered with a precise code instead of a generic 400.
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than the limit' },
  'entity.parse.failed': { status: 400, code: 'INVALID_JSON', message: 'Request body is not valid JSON' },
  'encoding.unsupported': {
    status: 415,
    code: 'UNSUPPORTED_ENCODING',
    message: 'Request body encoding is not supported',
  },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_CHARSET', message: 'Request body charset is not supported' },
  'request.aborted': { status: 400, code: 'REQUEST_ABORTED', message: 'Request was aborted by the client' },
};

/** The one place that turns an error into `{ "error": { "code", "message" } }`; never a stack, never a secret. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const requestId = typeof req.id === 'string' ? req.id : undefined;
  const send = (status: number, body: ErrorBody['error']) => {
    res.status(status).json({ error: { ...body, ...(requestId ? { requestId } : {}) } });
  };

  if (error instanceof AppError) {
    if (error.status >= 500) req.log.error({ err: error }, error.message);
    send(error.status, { code: error.code, message: error.message });
    return;
  }
  if (error instanceof ZodError) {
    send(400, {
      code: 'VALIDATION_FAILED',
      message: 'Request is invalid',
      issues: error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
    });
    return;
  }
  const httpError = error as HttpLikeError;
  const known = httpError.type ? BODY_ERRORS[httpError.type] : undefined;
  if (known) {
    send(known.status, { code: known.code, message: known.message });
    return;
  }
  // Other client errors from the body parsers (a gzip header on bytes that are not gzip, say).
  const clientStatus = httpError.status ?? httpError.statusCode;
  if (httpError.expose && typeof clientStatus === 'number' && clientStatus >= 400 && clientStatus < 500) {
    send(clientStatus, { code: 'UNREADABLE_BODY', message: 'Request body could not be read' });
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  send(500, { code: 'INTERNAL', message: 'Something went wrong; the request id identifies it in the logs' });
};
