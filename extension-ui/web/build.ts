import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import config, { WEB_DIST_DIR } from './vite.config.ts';

/** `npm run build:ui`: the dashboard into extension-ui/web/dist. */

export { WEB_DIST_DIR };

export async function buildWeb(options: { quiet?: boolean } = {}): Promise<string> {
  await build({ ...config, configFile: false, logLevel: options.quiet ? 'warn' : 'info' });
  return WEB_DIST_DIR;
}

/** Builds only when dist/ has no page yet, so `npm start` and the tests stay quick after the first run. */
export async function ensureWebBuilt(options: { quiet?: boolean } = {}): Promise<string> {
  if (existsSync(path.join(WEB_DIST_DIR, 'index.html'))) return WEB_DIST_DIR;
  return buildWeb(options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  // `--if-missing` (npm start): build only the first time.
  if (process.argv.includes('--if-missing')) await ensureWebBuilt({ quiet: true });
  else await buildWeb();
  console.log(`Dashboard built in ${Math.round(performance.now() - started)} ms → ${WEB_DIST_DIR}`);
}
