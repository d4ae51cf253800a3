import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, RequestHandler } from 'express';
import type { Queues } from '../../../jobs/queues.ts';

/**
 * bull-board at /admin/queues: every queue the workers serve, with job progress, logs, retries and
 * the job schedulers, behind the admin check. Its page loads its own scripts from /admin/queues/static
 * and a web font stylesheet; the app-wide CSP already admits both (script-src 'self', style-src https:).
 */

export const QUEUES_BOARD_PATH = '/admin/queues';

export function mountQueuesBoard(app: Express, queues: Queues, auth: RequestHandler): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_BOARD_PATH);
  createBullBoard({
    queues: queues.all().map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Bellwether queues' } },
  });
  // Operator pages hold job data: never cached by a proxy or the browser's back button.
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  app.use(QUEUES_BOARD_PATH, auth, noStore, serverAdapter.getRouter() as RequestHandler);
}
