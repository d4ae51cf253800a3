import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether a built page is older than any of its sources, so `npm start` and the browser tests
 * rebuild after a source change instead of serving the page of an earlier version.
 */
export function builtPageIsStale(builtPage: string, sources: readonly string[]): boolean {
  let built: number;
  try {
    built = statSync(builtPage).mtimeMs;
  } catch {
    return true;
  }
  return sources.some((source) => newestChange(source) > built);
}

function newestChange(source: string): number {
  const stat = statSync(source, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(source, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.parentPath.includes(`${path.sep}node_modules`)) continue;
    newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
