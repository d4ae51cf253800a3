import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { jsonPath, loadManifest, ManifestError, type Manifest } from './manifest.ts';
import { ROOT_DIR } from './runtime.ts';

/**
 * `npm run manifest:check`: validates manifest.json, then checks that what is derived from it (the
 * HubSpot project; Salesforce metadata adds its own check to DRIFT_CHECKS) still says the same.
 * Every problem names the file and the JSON path to fix. `--root <dir>` checks another checkout.
 */

export interface DriftProblem {
  /** Relative to the checked root, e.g. `extension-ui/hubspot/src/app/app-hsmeta.json`. */
  file: string;
  /** JSON path inside the file, e.g. `config.auth.requiredScopes`; `(root)` for the whole file. */
  path: string;
  problem: string;
}

/** One check per derived artefact set: given the checkout's root and its manifest, what drifted. */
export type DriftCheck = (root: string, manifest: Manifest) => DriftProblem[];

export const HUBSPOT_PROJECT_DIR = 'extension-ui/hubspot';
/** The oldest HubSpot developer platform whose project layout (`*-hsmeta.json`) this check reads. */
const MIN_PLATFORM_VERSION = [2025, 2] as const;

/** Where the cards call the API from: the app's public origin, the one URL `hubspot.fetch` may reach. */
export function apiOrigin(manifest: Manifest): string {
  return new URL(manifest.app.websiteUrl).origin;
}

const hsprojectSchema = z.object({
  name: z.string().min(1),
  srcDir: z.string().min(1),
  platformVersion: z.string().regex(/^\d{4}\.\d{1,2}$/, 'must look like 2025.2'),
});

const appSchema = z.object({
  uid: z.string().min(1),
  type: z.literal('app'),
  config: z.object({
    name: z.string().min(1),
    description: z.string().min(1),
    distribution: z.literal('marketplace'),
    auth: z.object({
      // Marketplace distribution allows OAuth only.
      type: z.literal('oauth'),
      redirectUrls: z.array(z.url({ protocol: /^https$/ })).min(1),
      requiredScopes: z.array(z.string().min(1)),
      optionalScopes: z.array(z.string().min(1)),
      conditionallyRequiredScopes: z.array(z.string().min(1)).optional(),
    }),
    permittedUrls: z.object({
      fetch: z.array(z.string()),
      iframe: z.array(z.string()).optional(),
      img: z.array(z.string()).optional(),
    }),
  }),
});

const cardSchema = z.object({
  uid: z.string().min(1),
  type: z.literal('card'),
  config: z.object({
    name: z.string().min(1),
    location: z.string().min(1),
    entrypoint: z.string().startsWith('/app/cards/', 'must be a file under /app/cards/'),
    objectTypes: z.array(z.string().min(1)).min(1),
  }),
});

class FileProblems {
  readonly problems: DriftProblem[] = [];
  constructor(private readonly root: string) {}

  add(file: string, at: readonly PropertyKey[] | string, problem: string): void {
    this.problems.push({ file, path: typeof at === 'string' ? at : jsonPath(at), problem });
  }

  /** Reads and parses one JSON file; null (with the problems recorded) when it cannot be used. */
  read<T>(file: string, schema: z.ZodType<T>): T | null {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path.join(this.root, file), 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.add(file, [], code ? `cannot be read (${code})` : `is not valid JSON: ${(error as Error).message}`);
      return null;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) this.add(file, issue.path, issue.message);
      return null;
    }
    return result.data;
  }

  /** Reports each value one side has and the other lacks; order does not matter. */
  sameSet(file: string, at: string, actual: readonly string[], expected: readonly string[], source: string): void {
    const want = new Set(expected);
    const have = new Set(actual);
    for (const value of actual) {
      if (!want.has(value)) this.add(file, at, `has "${value}" that manifest.json ${source} does not`);
    }
    for (const value of expected) {
      if (!have.has(value)) this.add(file, at, `lacks "${value}" that manifest.json ${source} has`);
    }
  }
}

/** The HubSpot project in extension-ui/hubspot against manifest.json: app identity, scopes, fetch URLs, cards. */
export const checkHubspotProject: DriftCheck = (root, manifest) => {
  const files = new FileProblems(root);
  const file = (...parts: string[]) => path.posix.join(HUBSPOT_PROJECT_DIR, ...parts);
  const hubspot = manifest.crms.hubspot;

  const project = files.read(file('hsproject.json'), hsprojectSchema);
  if (!project) return files.problems;
  const [major = 0, minor = 0] = project.platformVersion.split('.').map(Number);
  const [minMajor, minMinor] = MIN_PLATFORM_VERSION;
  if (major < minMajor || (major === minMajor && minor < minMinor)) {
    files.add(file('hsproject.json'), 'platformVersion', `must be ${minMajor}.${minMinor} or newer`);
  }
  const appDir = (...parts: string[]) => file(project.srcDir, 'app', ...parts);

  const appFile = appDir('app-hsmeta.json');
  const app = files.read(appFile, appSchema);
  if (app) {
    if (app.config.name !== manifest.app.name) {
      files.add(appFile, 'config.name', `is "${app.config.name}"; manifest.json app.name is "${manifest.app.name}"`);
    }
    const auth = app.config.auth;
    files.sameSet(
      appFile,
      'config.auth.requiredScopes',
      auth.requiredScopes,
      hubspot.scopes.required,
      'crms.hubspot.scopes.required',
    );
    files.sameSet(
      appFile,
      'config.auth.optionalScopes',
      auth.optionalScopes,
      hubspot.scopes.optional,
      'crms.hubspot.scopes.optional',
    );
    const origin = apiOrigin(manifest);
    files.sameSet(
      appFile,
      'config.permittedUrls.fetch',
      app.config.permittedUrls.fetch,
      [origin],
      'app.websiteUrl (its origin)',
    );
    auth.redirectUrls.forEach((url, index) => {
      if (new URL(url).origin !== origin) {
        files.add(
          appFile,
          ['config', 'auth', 'redirectUrls', index],
          `must be on ${origin} (manifest.json app.websiteUrl)`,
        );
      }
    });
  }

  // The card code's own API origin must be one `hubspot.fetch` is permitted to reach.
  const apiFile = appDir('cards', 'api.ts');
  const declared = existsSync(path.join(root, apiFile))
    ? /export const API_ORIGIN = '([^']+)'/.exec(readFileSync(path.join(root, apiFile), 'utf8'))?.[1]
    : undefined;
  if (declared === undefined) files.add(apiFile, 'API_ORIGIN', "must declare export const API_ORIGIN = 'https://…'");
  else if (app && !app.config.permittedUrls.fetch.includes(declared)) {
    files.add(
      apiFile,
      'API_ORIGIN',
      `is "${declared}", which app-hsmeta.json config.permittedUrls.fetch does not permit`,
    );
  }

  const cardsDir = appDir('cards');
  const cardFiles = existsSync(path.join(root, cardsDir))
    ? readdirSync(path.join(root, cardsDir))
        .filter((name) => name.endsWith('-hsmeta.json'))
        .sort()
    : [];
  const declaredCards = new Map<string, string>();
  for (const name of cardFiles) {
    const cardFile = path.posix.join(cardsDir, name);
    const card = files.read(cardFile, cardSchema);
    if (!card) continue;
    declaredCards.set(card.uid, cardFile);
    const wanted = manifest.cards.find((candidate) => candidate.id === card.uid);
    if (!wanted) {
      files.add(cardFile, 'uid', `"${card.uid}" is not a card in manifest.json cards`);
      continue;
    }
    const at = `cards[${manifest.cards.indexOf(wanted)}]`;
    if (card.config.name !== wanted.title) {
      files.add(cardFile, 'config.name', `is "${card.config.name}"; manifest.json ${at}.title is "${wanted.title}"`);
    }
    if (card.config.location !== wanted.hubspot.location) {
      files.add(
        cardFile,
        'config.location',
        `is "${card.config.location}"; manifest.json ${at}.hubspot.location is "${wanted.hubspot.location}"`,
      );
    }
    files.sameSet(
      cardFile,
      'config.objectTypes',
      card.config.objectTypes,
      wanted.hubspot.objectTypes,
      `${at}.hubspot.objectTypes`,
    );
    if (!existsSync(path.join(root, file(project.srcDir), card.config.entrypoint))) {
      files.add(cardFile, 'config.entrypoint', `names ${card.config.entrypoint}, which does not exist`);
    }
  }
  manifest.cards.forEach((card, index) => {
    if (!declaredCards.has(card.id)) {
      files.add(
        cardsDir,
        `cards[${index}]`,
        `has no *-hsmeta.json with uid "${card.id}" for manifest.json card "${card.id}"`,
      );
    }
  });
  return files.problems;
};

/** Salesforce metadata drift joins here as its check is written. */
export const DRIFT_CHECKS: readonly DriftCheck[] = [checkHubspotProject];

export function checkDrift(
  root: string,
  manifest: Manifest,
  checks: readonly DriftCheck[] = DRIFT_CHECKS,
): DriftProblem[] {
  return checks.flatMap((check) => check(root, manifest));
}

export function formatDriftProblem({ file, path: at, problem }: DriftProblem): string {
  return `${file} ${at}: ${problem}`;
}

function rootFromArgs(argv: readonly string[]): string {
  const index = argv.indexOf('--root');
  if (index === -1) return ROOT_DIR;
  const value = argv[index + 1];
  if (!value) throw new ManifestError('--root', ['needs a directory, e.g. --root ../other-checkout']);
  return path.resolve(value);
}

function main(argv: readonly string[]): number {
  try {
    const root = rootFromArgs(argv);
    const manifest = loadManifest(path.join(root, 'manifest.json'));
    const problems = checkDrift(root, manifest);
    if (problems.length > 0) {
      process.stderr.write(
        `manifest.json and the files derived from it disagree:\n${problems.map((p) => `  - ${formatDriftProblem(p)}`).join('\n')}\n`,
      );
      return 1;
    }
    process.stdout.write(
      `manifest.json is valid: ${manifest.app.name} ${manifest.app.version}, ${manifest.fields.length} fields written back, ` +
        `${manifest.cards.length} card(s), ${manifest.schedules.length} schedule(s); the HubSpot project matches it.\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    process.stderr.write(
      `${error.source} is invalid:\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}\n`,
    );
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
