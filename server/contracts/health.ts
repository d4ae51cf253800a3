import { z } from 'zod';

/** `GET /healthz`: the process is alive and serving HTTP. */
export const livenessSchema = z.strictObject({
  status: z.literal('ok'),
  uptimeSeconds: z.number().nonnegative(),
  version: z.string(),
});
export type Liveness = z.infer<typeof livenessSchema>;

export const dependencyCheckSchema = z.strictObject({
  status: z.enum(['up', 'down']),
  latencyMs: z.number().nonnegative(),
  /** What was checked, without credentials, e.g. "pglite" or "postgres 127.0.0.1:5432/app". */
  target: z.string(),
  error: z.string().optional(),
});

/** `GET /readyz`: every dependency named, with its state; 200 when all are up, 503 otherwise. */
export const readinessSchema = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), dependencyCheckSchema),
});
export type Readiness = z.infer<typeof readinessSchema>;

/** Every HTTP error answers this shape. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    requestId: z.string().optional(),
    issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
