import type { RequestHandler } from 'express';
import { AppError } from '../../platform/errors.ts';
import { installationFor } from '../install/access.ts';
import type { InstallContext } from '../install/deps.ts';
import { installationPage, problemPage } from '../install/pages.ts';

/** `GET /installations/:id`: the success page; its script polls the status endpoint. */
export function getInstallationPage(ctx: InstallContext): RequestHandler {
  return async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      const { installation } = await installationFor(req, ctx, req.params.id);
      res.type('html').send(installationPage(installation));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const title = error.status === 401 ? 'Not signed in' : 'Installation not found';
      res.status(error.status).type('html').send(problemPage(title, error.message));
    }
  };
}
