import type { Request, Response } from 'express';
import type { ErrorBody } from '../../contracts/health.ts';

export interface Issue {
  /** `items[3].score`, or `items` for the batch as a whole. */
  path: string;
  message: string;
  /** The item's index, when the issue is about one item. */
  index?: number;
}

/** A batch refused item by item; thrown inside the batch's transaction so nothing of it is stored. */
export class BatchRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** What is wrong with the named items, for one item and for several: ["is invalid", "are invalid"]. */
    readonly what: readonly [one: string, several: string],
    readonly issues: readonly Issue[],
  ) {
    super(`${code}: ${issues.length} issues`);
    this.name = 'BatchRefused';
  }
}

/** The indexes named in a message, shortened past a dozen so the message stays one line. */
function indexList(indexes: readonly number[]): string {
  const shown = indexes.slice(0, 12).join(', ');
  return indexes.length > 12 ? `${shown} and ${indexes.length - 12} more` : shown;
}

/** Answers the standard error body with every issue; the message names the bad items' indexes. */
export function sendRefusal(req: Request, res: Response, refusal: BatchRefused): void {
  const indexes = [
    ...new Set(refusal.issues.flatMap((issue) => (issue.index === undefined ? [] : [issue.index]))),
  ].sort((a, b) => a - b);
  const summary =
    indexes.length > 0
      ? indexes.length === 1
        ? `1 item ${refusal.what[0]} (index ${indexes[0]})`
        : `${indexes.length} items ${refusal.what[1]} (index ${indexList(indexes)})`
      : refusal.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  const body: ErrorBody = {
    error: {
      code: refusal.code,
      message: `${summary}; nothing of this batch was stored`,
      ...(typeof req.id === 'string' ? { requestId: req.id } : {}),
      issues: refusal.issues.map(({ path, message }) => ({ path, message })),
    },
  };
  res.status(refusal.status).json(body);
}
