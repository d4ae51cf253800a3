import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../../server/platform/runtime.ts';

/** The import rules of DESIGN.md §3 bite: each case lints a snippet as if it lived at `file`. */
const eslint = new ESLint({ cwd: ROOT_DIR });

/**
 * Type-aware linting only sees files on disk, so a probe that names a new file is written there
 * for the moment it is linted (ignored by git), then removed.
 */
async function ruleIds(file: string, code: string): Promise<string[]> {
  const target = `${ROOT_DIR}${file}`;
  if (existsSync(target)) return lint(target, code);
  const probe = target.replace(/\.ts$/, `.${randomBytes(4).toString('hex')}.lint-probe.ts`);
  return withFile(probe, code, () => lint(probe, code));
}

async function lint(target: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: target });
  return (result?.messages ?? []).map((message) => message.ruleId ?? `fatal: ${message.message}`);
}

/** Writes a file for the duration of `run`, creating (and then removing) a folder a fresh clone lacks. */
async function withFile<T>(file: string, code: string, run: () => Promise<T>): Promise<T> {
  const dir = path.dirname(file);
  const createdDir = !existsSync(dir);
  await mkdir(dir, { recursive: true });
  await writeFile(file, code);
  try {
    return await run();
  } finally {
    await rm(file, { force: true });
    if (createdDir) await rmdir(dir).catch(() => undefined);
  }
}

describe('import boundaries', () => {
  it.each([
    ['server/core/probe.ts', "import { parseEnv } from '../platform/env.ts';\nexport const x = parseEnv;\n"],
    ['server/core/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['server/core/probe.ts', "import express from 'express';\nexport const x = express;\n"],
    ['server/http/probe.ts', "import { startWorkers } from '../../jobs/worker.ts';\nexport const x = startWorkers;\n"],
    ['jobs/probe.ts', "import { createApp } from '../server/http/app.ts';\nexport const x = createApp;\n"],
    ['sandbox/probe.ts', "import { parseEnv } from '../server/platform/env.ts';\nexport const x = parseEnv;\n"],
    ['server/contracts/probe.ts', "import pino from 'pino';\nexport const x = pino;\n"],
  ])('rejects what %s may not import', async (file, code) => {
    expect(await ruleIds(file, code)).toContain('boundaries/dependencies');
  });

  it.each([
    ['server/core/probe.ts', "import { z } from 'zod';\nexport const x = z.string();\n"],
    ['server/platform/probe.ts', "import type { Manifest } from './manifest.ts';\nexport type X = Manifest;\n"],
    ['server/http/probe.ts', "import { createQueues } from '../../jobs/queues.ts';\nexport const x = createQueues;\n"],
    ['jobs/probe.ts', "import { parseEnv } from '../server/platform/env.ts';\nexport const x = parseEnv;\n"],
    ['server/main.ts', "import { startJobs } from '../jobs/worker.ts';\nexport const x = startJobs;\n"],
  ])('allows what %s may import', async (file, code) => {
    expect(await ruleIds(file, code)).toEqual([]);
  });
});

describe('platform and core', () => {
  it('lets platform import types from core but no values', async () => {
    const core = `${ROOT_DIR}server/core/${randomBytes(4).toString('hex')}.lint-probe.ts`;
    const name = path.basename(core);
    const coreCode = 'export type Band = "red" | "green";\nexport const BANDS: Band[] = ["red", "green"];\n';
    await withFile(core, coreCode, async () => {
      const valueImport = `import { BANDS } from '../core/${name}';\nexport const x = BANDS;\n`;
      const typeImport = `import type { Band } from '../core/${name}';\nexport type X = Band;\n`;
      expect(await ruleIds('server/platform/probe.ts', valueImport)).toContain('boundaries/dependencies');
      expect(await ruleIds('server/platform/probe.ts', typeImport)).toEqual([]);
    });
  });
});

describe('process.env', () => {
  it('is banned outside server/platform/env.ts', async () => {
    expect(await ruleIds('server/http/probe.ts', 'export const port = process.env.PORT;\n')).toContain(
      'no-restricted-syntax',
    );
    expect(await ruleIds('jobs/probe.ts', 'export const port = process.env.PORT;\n')).toContain('no-restricted-syntax');
  });

  it('is allowed in server/platform/env.ts', async () => {
    expect(await ruleIds('server/platform/env.ts', 'export const port = process.env.PORT;\n')).not.toContain(
      'no-restricted-syntax',
    );
  });
});
