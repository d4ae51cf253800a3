import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkDrift,
  checkHubspotProject,
  formatDriftProblem,
  type DriftCheck,
} from '../../../server/platform/manifest-check.ts';
import { loadManifest } from '../../../server/platform/manifest.ts';
import { MANIFEST_FILE, ROOT_DIR } from '../../../server/platform/runtime.ts';

const APP_FILE = 'extension-ui/hubspot/src/app/app-hsmeta.json';
const CARD_FILE = 'extension-ui/hubspot/src/app/cards/account-health-hsmeta.json';
const manifest = loadManifest(MANIFEST_FILE);
const copies: string[] = [];

/** A copy of the manifest and the HubSpot project, to break one thing in. */
function copyOfCheckout(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'bellwether-drift-'));
  copies.push(root);
  cpSync(MANIFEST_FILE, path.join(root, 'manifest.json'));
  cpSync(path.join(ROOT_DIR, 'extension-ui/hubspot'), path.join(root, 'extension-ui/hubspot'), {
    recursive: true,
    filter: (source) => !source.includes('node_modules'),
  });
  return root;
}

/** The parts of hsproject.json, app-hsmeta.json and a card's -hsmeta.json the cases below change. */
interface Editable {
  platformVersion: string;
  config: {
    distribution: string;
    auth: { requiredScopes: string[]; optionalScopes: string[] };
    permittedUrls: { fetch: string[] };
    location: string;
    entrypoint: string;
    objectTypes: string[];
  };
}

function editJson(root: string, file: string, edit: (value: Editable) => void): void {
  const full = path.join(root, file);
  const value = JSON.parse(readFileSync(full, 'utf8')) as Editable;
  edit(value);
  writeFileSync(full, JSON.stringify(value, null, 2));
}

afterEach(() => {
  for (const root of copies.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('manifest drift check', () => {
  it('finds the HubSpot project in this checkout matching manifest.json', () => {
    expect(checkDrift(ROOT_DIR, manifest)).toEqual([]);
  });

  it.each<[string, string, (value: Editable) => void, string | string[]]>([
    [
      'a scope added to the app but not to the manifest',
      APP_FILE,
      (app) => app.config.auth.requiredScopes.push('crm.objects.invoices.read'),
      `${APP_FILE} config.auth.requiredScopes: has "crm.objects.invoices.read" that manifest.json crms.hubspot.scopes.required does not`,
    ],
    [
      'a scope dropped from the app',
      APP_FILE,
      (app) => app.config.auth.requiredScopes.splice(app.config.auth.requiredScopes.indexOf('tickets'), 1),
      `${APP_FILE} config.auth.requiredScopes: lacks "tickets" that manifest.json crms.hubspot.scopes.required has`,
    ],
    [
      'an optional scope made required',
      APP_FILE,
      (app) => {
        app.config.auth.optionalScopes = [];
        app.config.auth.requiredScopes.push('crm.objects.owners.read');
      },
      [
        `${APP_FILE} config.auth.requiredScopes: has "crm.objects.owners.read" that manifest.json crms.hubspot.scopes.required does not`,
        `${APP_FILE} config.auth.optionalScopes: lacks "crm.objects.owners.read" that manifest.json crms.hubspot.scopes.optional has`,
      ],
    ],
    [
      'a fetch URL the manifest does not know',
      APP_FILE,
      (app) => app.config.permittedUrls.fetch.push('https://elsewhere.example'),
      `${APP_FILE} config.permittedUrls.fetch: has "https://elsewhere.example" that manifest.json app.websiteUrl (its origin) does not`,
    ],
    [
      'a private app',
      APP_FILE,
      (app) => (app.config.distribution = 'private'),
      `${APP_FILE} config.distribution: Invalid input: expected "marketplace"`,
    ],
    [
      'the card on another object type',
      CARD_FILE,
      (card) => card.config.objectTypes.push('contacts'),
      `${CARD_FILE} config.objectTypes: has "contacts" that manifest.json cards[0].hubspot.objectTypes does not`,
    ],
    [
      'the card in another place',
      CARD_FILE,
      (card) => (card.config.location = 'crm.record.tab'),
      `${CARD_FILE} config.location: is "crm.record.tab"; manifest.json cards[0].hubspot.location is "crm.record.sidebar"`,
    ],
    [
      'an entrypoint that is not there',
      CARD_FILE,
      (card) => (card.config.entrypoint = '/app/cards/Gone.tsx'),
      `${CARD_FILE} config.entrypoint: names /app/cards/Gone.tsx, which does not exist`,
    ],
    [
      'a platform older than 2025.2',
      'extension-ui/hubspot/hsproject.json',
      (project) => (project.platformVersion = '2025.1'),
      'extension-ui/hubspot/hsproject.json platformVersion: must be 2025.2 or newer',
    ],
  ])('catches %s, naming the file and JSON path', (_name, file, edit, expected) => {
    const root = copyOfCheckout();
    editJson(root, file, edit);
    expect(checkHubspotProject(root, manifest).map(formatDriftProblem)).toEqual([expected].flat());
  });

  it('catches a manifest card with no HubSpot card', () => {
    const root = copyOfCheckout();
    unlinkSync(path.join(root, CARD_FILE));
    expect(checkHubspotProject(root, manifest).map(formatDriftProblem)).toEqual([
      'extension-ui/hubspot/src/app/cards cards[0]: has no *-hsmeta.json with uid "account-health" for manifest.json card "account-health"',
    ]);
  });

  it('catches the card code calling an origin the app does not permit', () => {
    const root = copyOfCheckout();
    const api = path.join(root, 'extension-ui/hubspot/src/app/cards/api.ts');
    writeFileSync(
      api,
      readFileSync(api, 'utf8').replace("'https://bellwether.app'", "'https://api.elsewhere.example'"),
    );
    expect(checkHubspotProject(root, manifest).map(formatDriftProblem)).toEqual([
      'extension-ui/hubspot/src/app/cards/api.ts API_ORIGIN: is "https://api.elsewhere.example", which app-hsmeta.json config.permittedUrls.fetch does not permit',
    ]);
  });

  it('runs every registered check, so another CRM can add its own', () => {
    const salesforce: DriftCheck = () => [{ file: 'metadata/x.xml', path: '(root)', problem: 'differs' }];
    expect(checkDrift(ROOT_DIR, manifest, [checkHubspotProject, salesforce])).toEqual([
      { file: 'metadata/x.xml', path: '(root)', problem: 'differs' },
    ]);
  });

  it('exits 1 from the command line when a scope was added to the app only', async () => {
    const root = copyOfCheckout();
    editJson(root, APP_FILE, (app) => app.config.auth.requiredScopes.push('crm.objects.invoices.read'));
    const run = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT_DIR, 'server/platform/manifest-check.ts'), '--root', root],
      { cwd: ROOT_DIR },
    );
    const failure = await run.then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(
      `${APP_FILE} config.auth.requiredScopes: has "crm.objects.invoices.read" that manifest.json crms.hubspot.scopes.required does not`,
    );
  });
});
