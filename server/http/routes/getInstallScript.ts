import type { RequestHandler } from 'express';
import { STATUS_SCRIPT } from '../install/status-script.ts';

/** `GET /install/installation.js`: the status page's script. */
export const getInstallScript: RequestHandler = (_req, res) => {
  res.type('application/javascript').setHeader('Cache-Control', 'no-cache').send(STATUS_SCRIPT);
};
