import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { builtPageIsStale } from '../build-freshness.ts';
import config, { WEB_DIST_DIR, WEB_UI_DIR } from './vite.config.ts';

/** `npm run build:ui`: the dashboard into extension-ui/web/dist. */

export { WEB_DIST_DIR };

/** What the page is built from: its own sources, the shared card code and the contracts it parses. */
const SOURCES = [
  ...['src', 'index.html', 'vite.config.ts'].map((name) => path.join(WEB_UI_DIR, name)),
  path.join(WEB_UI_DIR, '../shared/src'),
  path.join(WEB_UI_DIR, '../../server/contracts'),
];

export async function buildWeb(options: { quiet?: boolean } = {}): Promise<string> {
  await build({ ...config, configFile: false, logLevel: options.quiet ? 'warn' : 'info' });
  return WEB_DIST_DIR;
}

/** Builds only when dist/ has no page or one older than its sources, so `npm start` and the tests stay quick. */
export async function ensureWebBuilt(options: { quiet?: boolean } = {}): Promise<string> {
  if (!builtPageIsStale(path.join(WEB_DIST_DIR, 'index.html'), SOURCES)) return WEB_DIST_DIR;
  return buildWeb(options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  // `--if-stale` (npm start): build only when there is no page or its sources changed.
  if (process.argv.includes('--if-stale') && !builtPageIsStale(path.join(WEB_DIST_DIR, 'index.html'), SOURCES)) {
    console.log(`Dashboard up to date → ${WEB_DIST_DIR}`);
  } else {
    await buildWeb({ quiet: process.argv.includes('--if-stale') });
    console.log(`Dashboard built in ${Math.round(performance.now() - started)} ms → ${WEB_DIST_DIR}`);
  }
}
