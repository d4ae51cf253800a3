import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { salesforceMetadataProblems, SALESFORCE_METADATA_DIR } from './metadata-check.ts';
import { salesforceManifestSchema, salesforceMetadataFiles, type MetadataOptions } from './metadata-files.ts';

/**
 * Writes the Salesforce metadata (extension-ui/salesforce/metadata/) from manifest.json, replacing
 * what was there, so the package cannot drift from the manifest. `--check` only reports drift.
 */

const MANIFEST_FILE = path.join(import.meta.dirname, '..', '..', 'manifest.json');

export async function readManifest(file = MANIFEST_FILE): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

export async function writeSalesforceMetadata(
  manifest: unknown,
  dir: string = SALESFORCE_METADATA_DIR,
  options: MetadataOptions = {},
): Promise<string[]> {
  const files = salesforceMetadataFiles(salesforceManifestSchema.parse(manifest), options);
  await rm(dir, { recursive: true, force: true });
  for (const [file, content] of files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return [...files.keys()];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const manifest = await readManifest();
  if (process.argv.includes('--check')) {
    const problems = await salesforceMetadataProblems(manifest);
    for (const problem of problems) console.error(problem);
    process.exitCode = problems.length > 0 ? 1 : 0;
  } else {
    const written = await writeSalesforceMetadata(manifest);
    console.log(`Wrote ${written.length} Salesforce metadata files to ${SALESFORCE_METADATA_DIR}`);
  }
}
