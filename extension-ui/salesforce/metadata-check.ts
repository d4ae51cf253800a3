import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { salesforceManifestSchema, salesforceMetadataFiles, type MetadataOptions } from './metadata-files.ts';

/**
 * Drift between manifest.json and the Salesforce metadata on disk: every generated file must exist
 * with exactly the generated content, and nothing else may sit beside them. Answers one sentence per
 * problem, naming the file and the first line that differs.
 */

export const SALESFORCE_METADATA_DIR = path.join(import.meta.dirname, 'metadata');
const REGENERATE = 'run `node --import tsx extension-ui/salesforce/generate-metadata.ts`';

async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function firstDifference(expected: string, found: string): string {
  const want = expected.split('\n');
  const have = found.split('\n');
  for (let line = 0; line < Math.max(want.length, have.length); line += 1) {
    if (want[line] !== have[line]) {
      const show = (text: string | undefined) => (text === undefined ? 'end of file' : JSON.stringify(text.trim()));
      return `line ${line + 1}: expected ${show(want[line])}, found ${show(have[line])}`;
    }
  }
  return 'the content differs';
}

export async function salesforceMetadataProblems(
  manifest: unknown,
  dir: string = SALESFORCE_METADATA_DIR,
  options: MetadataOptions = {},
): Promise<string[]> {
  const parsed = salesforceManifestSchema.safeParse(manifest);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => `manifest.json ${issue.path.join('.')}: ${issue.message}`);
  }
  const expected = salesforceMetadataFiles(parsed.data, options);
  const present = new Set(await filesUnder(dir));
  const problems: string[] = [];
  for (const [file, content] of expected) {
    if (!present.has(file)) {
      problems.push(`Salesforce metadata ${file} is missing; ${REGENERATE}`);
      continue;
    }
    const found = await readFile(path.join(dir, file), 'utf8');
    if (found !== content) {
      problems.push(
        `Salesforce metadata ${file} differs from manifest.json (${firstDifference(content, found)}); ${REGENERATE}`,
      );
    }
  }
  for (const file of [...present].sort()) {
    if (!expected.has(file))
      problems.push(`Salesforce metadata ${file} is not generated from manifest.json; remove it`);
  }
  return problems;
}
