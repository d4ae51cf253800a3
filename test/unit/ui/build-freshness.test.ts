import { mkdtempSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtPageIsStale } from '../../../extension-ui/build-freshness.ts';

/** `npm start` rebuilds a page when a source changed after it was built, and only then. */

function tree() {
  const root = mkdtempSync(path.join(tmpdir(), 'bw-build-'));
  const src = path.join(root, 'src', 'pages');
  mkdirSync(src, { recursive: true });
  mkdirSync(path.join(root, 'dist'));
  const source = path.join(src, 'page.tsx');
  const built = path.join(root, 'dist', 'index.html');
  writeFileSync(source, 'export {}');
  writeFileSync(built, '<html></html>');
  const set = (file: string, seconds: number) => utimesSync(file, seconds, seconds);
  return { root, source, built, set };
}

describe('builtPageIsStale', () => {
  it.each([
    { case: 'built after every source', sourceAt: 1_000, builtAt: 2_000, stale: false },
    { case: 'a nested source changed after the build', sourceAt: 3_000, builtAt: 2_000, stale: true },
  ])('$case → stale $stale', ({ sourceAt, builtAt, stale }) => {
    const t = tree();
    t.set(t.source, sourceAt);
    t.set(path.dirname(t.source), 1_000);
    t.set(path.join(t.root, 'src'), 1_000);
    t.set(t.built, builtAt);
    expect(builtPageIsStale(t.built, [path.join(t.root, 'src')])).toBe(stale);
  });

  it('is stale when nothing was built, and ignores a source folder that does not exist', () => {
    const t = tree();
    expect(builtPageIsStale(path.join(t.root, 'dist', 'missing.html'), [path.join(t.root, 'src')])).toBe(true);
    t.set(t.built, 9_999_999_999);
    expect(builtPageIsStale(t.built, [path.join(t.root, 'nope'), t.source])).toBe(false);
  });
});
