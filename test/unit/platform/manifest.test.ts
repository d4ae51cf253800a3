import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonPath, loadManifest, ManifestError, parseManifest } from '../../../server/platform/manifest.ts';
import { MANIFEST_FILE } from '../../../server/platform/runtime.ts';

const valid = () => structuredClone(loadManifest(MANIFEST_FILE)) as unknown as Record<string, any>;

function problemsOf(value: unknown): readonly string[] {
  try {
    parseManifest(value);
  } catch (error) {
    if (error instanceof ManifestError) return error.problems;
    throw error;
  }
  return [];
}

describe('manifest.json', () => {
  it('is valid and declares every field the product writes back', () => {
    const manifest = loadManifest(MANIFEST_FILE);
    expect(manifest.fields.map((field) => field.key)).toEqual([
      'health_score',
      'health_band',
      'health_trend',
      'health_drivers',
      'renewal_probability',
      'revenue_at_risk',
      'lifecycle_stage',
      'last_scored_at',
    ]);
    expect(manifest.crms.hubspot.scopes.required).toContain('oauth');
    expect(manifest.schedules.map((schedule) => schedule.id)).toContain('maintenance.heartbeat');
  });
});

describe('parseManifest', () => {
  it.each<[string, (m: Record<string, any>) => void, string]>([
    ['a field type of the wrong kind', (m) => (m.fields[0].type = 42), 'fields[0].type:'],
    ['an unknown field type', (m) => (m.fields[2].type = 'colour'), 'fields[2].type:'],
    [
      'a Salesforce name without __c',
      (m) => (m.fields[1].salesforce.name = 'Health_Band'),
      'fields[1].salesforce.name:',
    ],
    ['an enumeration without options', (m) => delete m.fields[1].options, 'fields[1].options:'],
    [
      'a duplicate field key',
      (m) => (m.fields[1].key = 'health_score'),
      'fields[1]: field key "health_score" is already used at index 0',
    ],
    ['a bad cron pattern', (m) => (m.schedules[0].pattern = 'every minute'), 'schedules[0].pattern:'],
    ['a schedule on an unknown queue', (m) => (m.schedules[0].queue = 'nope'), 'schedules[0].queue:'],
    ['a missing scope list', (m) => delete m.crms.hubspot.scopes.required, 'crms.hubspot.scopes.required:'],
    ['an unknown top-level key', (m) => (m.extra = true), '(root): Unrecognized key: "extra"'],
    ['a non-https website', (m) => (m.app.websiteUrl = 'http://x.test'), 'app.websiteUrl:'],
  ])('names the JSON path of %s', (_name, mutate, expected) => {
    const manifest = valid();
    mutate(manifest);
    const found = problemsOf(manifest);
    expect(
      found.some((problem) => problem.startsWith(expected)),
      found.join('\n'),
    ).toBe(true);
  });

  it('reports a file that is not JSON with the parser position', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bw-manifest-'));
    const file = path.join(dir, 'manifest.json');
    await writeFile(file, '{ "app": ');
    expect(() => loadManifest(file)).toThrow(/is not valid JSON/);
  });

  it('reports a wrong type in a file by its path', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bw-manifest-'));
    const file = path.join(dir, 'manifest.json');
    const manifest = valid();
    manifest.fields[3].maxLength = 'long';
    await writeFile(file, JSON.stringify(manifest));
    expect(() => loadManifest(file)).toThrow(/fields\[3\]\.maxLength: Invalid input: expected number, received string/);
  });
});

describe('jsonPath', () => {
  it.each<[PropertyKey[], string]>([
    [[], '(root)'],
    [['fields', 0, 'type'], 'fields[0].type'],
    [['crms', 'hubspot', 'scopes'], 'crms.hubspot.scopes'],
    [['headers', 'set-cookie'], 'headers["set-cookie"]'],
  ])('%o → %s', (segments, expected) => {
    expect(jsonPath(segments)).toBe(expected);
  });
});
