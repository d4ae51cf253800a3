import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { builtPageIsStale } from '../build-freshness.ts';
import config, { SALESFORCE_DIST_DIR, SALESFORCE_UI_DIR } from './vite.config.ts';

/** `npm run build:ui`: the Canvas card into extension-ui/salesforce/dist. */

export { SALESFORCE_DIST_DIR };

/** What the page is built from: its own sources, the shared card code and the contracts it parses. */
const SOURCES = [
  ...['src', 'index.html', 'hubspot-preview.html', 'vite.config.ts'].map((name) => path.join(SALESFORCE_UI_DIR, name)),
  path.join(SALESFORCE_UI_DIR, '../shared/src'),
  path.join(SALESFORCE_UI_DIR, '../../server/contracts'),
];

export async function buildSalesforceCard(options: { quiet?: boolean } = {}): Promise<string> {
  await build({ ...config, configFile: false, logLevel: options.quiet ? 'warn' : 'info' });
  return SALESFORCE_DIST_DIR;
}

/** Builds only when dist/ has no page or one older than its sources, so `npm start` and the tests stay quick. */
export async function ensureSalesforceCardBuilt(options: { quiet?: boolean } = {}): Promise<string> {
  if (!builtPageIsStale(path.join(SALESFORCE_DIST_DIR, 'index.html'), SOURCES)) return SALESFORCE_DIST_DIR;
  return buildSalesforceCard(options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  // `--if-stale` (npm start): build only when there is no page or its sources changed.
  if (process.argv.includes('--if-stale') && !builtPageIsStale(path.join(SALESFORCE_DIST_DIR, 'index.html'), SOURCES)) {
    console.log(`Salesforce card up to date → ${SALESFORCE_DIST_DIR}`);
  } else {
    await buildSalesforceCard({ quiet: process.argv.includes('--if-stale') });
    console.log(`Salesforce card built in ${Math.round(performance.now() - started)} ms → ${SALESFORCE_DIST_DIR}`);
  }
}
