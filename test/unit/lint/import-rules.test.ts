import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
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
  let target = `${ROOT_DIR}${file}`;
  const probe = !existsSync(target);
  if (probe) {
    target = target.replace(/\.ts$/, `.${randomBytes(4).toString('hex')}.lint-probe.ts`);
    await writeFile(target, code);
  }
  try {
    const [result] = await eslint.lintText(code, { filePath: target });
    return (result?.messages ?? []).map((message) => message.ruleId ?? `fatal: ${message.message}`);
  } finally {
    if (probe) await rm(target, { force: true });
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
    await writeFile(core, 'export type Band = "red" | "green";\nexport const BANDS: Band[] = ["red", "green"];\n');
    const name = core.slice(`${ROOT_DIR}server/core/`.length);
    try {
      expect(
        await ruleIds(
          'server/platform/probe.ts',
          `import { BANDS } from '../core/${name}';\nexport const x = BANDS;\n`,
        ),
      ).toContain('boundaries/dependencies');
      expect(
        await ruleIds(
          'server/platform/probe.ts',
          `import type { Band } from '../core/${name}';\nexport type X = Band;\n`,
        ),
      ).toEqual([]);
    } finally {
      await rm(core, { force: true });
    }
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
