import type { Response } from 'express';
import type { SandboxContext } from './context.ts';

/**
 * The answer every batch route gives (`BatchResponse…` in the SDK): 207 with the per-input errors
 * when any input failed, else the route's own success status.
 */

export function batchTimes(ctx: SandboxContext, startedAt: number) {
  return { startedAt: new Date(startedAt).toISOString(), completedAt: new Date(ctx.clock.now()).toISOString() };
}

/** A per-input error of a 207 (`StandardError`). */
export function itemError(category: string, message: string, context: Record<string, string[]>) {
  return { status: 'error', category, message, context, errors: [], links: {} };
}

/** Whether the partial_batch fault fails this one input. */
export function failsThisInput(ctx: SandboxContext, failShare: number | undefined): boolean {
  return failShare !== undefined && ctx.faults.rollPerRecord(failShare);
}

/** The error of an input the partial_batch fault failed; HubSpot words it as worth a retry. */
export function partialBatchError(operation: string, context: Record<string, string[]>) {
  return itemError('INTERNAL_ERROR', `Failed to ${operation} this object; try again.`, context);
}

/** HubSpot reports the ids it could not find as one error, ahead of the per-input ones. */
export function withNotFoundFirst<E>(
  errors: E[],
  message: string,
  ids: string[],
): (E | ReturnType<typeof itemError>)[] {
  return ids.length === 0 ? errors : [itemError('OBJECT_NOT_FOUND', message, { ids }), ...errors];
}

export function sendBatchAnswer(
  res: Response,
  times: ReturnType<typeof batchTimes>,
  results: unknown[],
  errors: unknown[] = [],
  okStatus = 200,
): void {
  const answer = { status: 'COMPLETE', results, ...times };
  if (errors.length > 0) res.status(207).json({ ...answer, numErrors: errors.length, errors });
  else res.status(okStatus).json(answer);
}
