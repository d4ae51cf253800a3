import type { Response } from 'express';
import type { PendingFigure } from '../../contracts/dashboard.ts';
import { AppError } from '../../platform/errors.ts';

/** Answers shared by the figure routes. */

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function pendingFigure(what: string): PendingFigure {
  return {
    status: 'pending',
    computedAt: null,
    message: `The ${what} have not been computed for this installation yet. They are computed after the first sync and scoring, then every day.`,
  };
}

/** A CSV of a figure that does not exist yet: nothing to download, said plainly. */
export const pendingCsv = (what: string) =>
  new AppError(409, 'FIGURES_PENDING', `The ${what} have not been computed for this installation yet`);

/** Figures change with every analytics run and are scoped to a session: never cached. */
export function sendJson(res: Response, body: unknown): void {
  res.setHeader('Cache-Control', 'no-store');
  res.json(body);
}

/** An answer already serialised (from the answers cache). */
export function sendJsonText(res: Response, text: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.type('json').send(text);
}
