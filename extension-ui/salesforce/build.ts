import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import config, { SALESFORCE_DIST_DIR } from './vite.config.ts';

/** `npm run build:ui`: the Canvas card into extension-ui/salesforce/dist. */

export { SALESFORCE_DIST_DIR };

export async function buildSalesforceCard(options: { quiet?: boolean } = {}): Promise<string> {
  await build({ ...config, configFile: false, logLevel: options.quiet ? 'warn' : 'info' });
  return SALESFORCE_DIST_DIR;
}

/** Builds only when dist/ has no page yet, so `npm start` and the tests stay quick after the first run. */
export async function ensureSalesforceCardBuilt(options: { quiet?: boolean } = {}): Promise<string> {
  if (existsSync(path.join(SALESFORCE_DIST_DIR, 'index.html'))) return SALESFORCE_DIST_DIR;
  return buildSalesforceCard(options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  // `--if-missing` (npm start): build only the first time.
  if (process.argv.includes('--if-missing')) await ensureSalesforceCardBuilt({ quiet: true });
  else await buildSalesforceCard();
  console.log(`Salesforce card built in ${Math.round(performance.now() - started)} ms → ${SALESFORCE_DIST_DIR}`);
}
