import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import { readSession } from '../install/cookies.ts';
import type { InstallContext } from '../install/deps.ts';
import { layout } from '../install/pages.ts';

/**
 * The dashboard web app at /app/: hashed assets under /app/assets/ cached for good, and the page itself
 * for every other path under /app (the app routes in the browser), never cached so a new build shows at
 * once. A browser without a session is sent to sign in first and comes back to the page it asked for.
 * Until the app is built, a page says how to build it.
 */

const notBuiltPage = layout(
  'Dashboard not built',
  `<h1>The dashboard has not been built yet</h1>
<p id="not-built">Run <code>npm run build:ui</code> (or start the app with <code>npm start</code>, which builds it the first time), then reload this page.</p>`,
);

function appPage(distDir: string | undefined, install: InstallContext | undefined): RequestHandler {
  return async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (install && !readSession(req, install.cookies)) {
      res.redirect(302, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    let page: string;
    try {
      if (!distDir) throw new Error('no dist directory configured');
      page = await readFile(path.join(distDir, 'index.html'), 'utf8');
    } catch {
      res.status(503).type('html').send(notBuiltPage);
      return;
    }
    res.type('html').send(page);
  };
}

export function mountWebApp(app: Express, distDir: string | undefined, install: InstallContext | undefined): void {
  if (distDir) {
    // Vite names the built files by content hash: they never change under a name.
    app.use(
      '/app/assets',
      express.static(path.join(distDir, 'assets'), {
        immutable: true,
        maxAge: '365d',
        index: false,
      }),
    );
  }
  // A missing asset is a missing file, not a page of the app.
  app.use('/app/assets', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such asset' } });
  });
  app.get(['/app', '/app/*splat'], appPage(distDir, install));
}
