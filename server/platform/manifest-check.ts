import { loadManifest, ManifestError } from './manifest.ts';
import { MANIFEST_FILE } from './runtime.ts';

/** `npm run manifest:check`: validates manifest.json and says what it declares, or what is wrong and where. */
try {
  const manifest = loadManifest(MANIFEST_FILE);
  process.stdout.write(
    `manifest.json is valid: ${manifest.app.name} ${manifest.app.version}, ${manifest.fields.length} fields written back, ` +
      `${manifest.cards.length} card(s), ${manifest.schedules.length} schedule(s).\n`,
  );
} catch (error) {
  if (!(error instanceof ManifestError)) throw error;
  process.stderr.write(
    `${error.source} is invalid:\n${error.problems.map((problem) => `  - ${problem}`).join('\n')}\n`,
  );
  process.exit(1);
}
