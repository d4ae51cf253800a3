import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Who may import whom (DESIGN.md §3), enforced here rather than only written down.
 * Each element may import its own kind; the policies below add what else it may import.
 */
const elements = [
  ['core', 'server/core'],
  ['contracts', 'server/contracts'],
  ['crm', 'server/crm'],
  ['platform', 'server/platform'],
  ['http', 'server/http'],
  // Files directly in server/ (main.ts): the composition root.
  ['entry', 'server'],
  ['jobs', 'jobs'],
  ['ui-shared', 'extension-ui/shared'],
  ['ui-hubspot', 'extension-ui/hubspot'],
  ['ui-salesforce', 'extension-ui/salesforce'],
  ['ui-web', 'extension-ui/web'],
  ['sandbox', 'sandbox'],
  ['test', 'test'],
  ['bench', 'bench'],
].map(([type, pattern]) => ({ type, pattern, partialMatch: false }));

// The producer side of jobs, the one part of jobs/ that server/http may use.
const files = [{ category: 'job-producer', pattern: 'jobs/queues.ts' }];

const element = (...types) => ({ element: { type: types.length === 1 ? types[0] : types } });
const jobProducer = { element: { type: 'jobs' }, file: { categories: 'job-producer' } };
const anyPackage = [{ module: { origin: 'external' } }, { module: { origin: 'core' } }];
const packages = (...sources) => sources.map((source) => ({ module: { origin: 'external', source } }));

const may = (from, to) => ({ from: element(from), allow: { to } });

const policies = [
  ...elements.map(({ type }) => may(type, element(type))),
  may('core', packages('zod')),
  may('contracts', packages('zod')),
  may('crm', [element('core', 'platform'), ...anyPackage]),
  { from: element('platform'), allow: { to: element('core'), dependency: { kind: 'type' } } },
  may('platform', anyPackage),
  may('http', [element('core', 'crm', 'platform', 'contracts'), jobProducer, ...anyPackage]),
  may('jobs', [element('core', 'crm', 'platform'), ...anyPackage]),
  // The embedded default (no CRM credentials) runs the sandbox stand-ins in the same process.
  may('entry', [element('core', 'crm', 'platform', 'contracts', 'http', 'jobs', 'sandbox'), ...anyPackage]),
  may('ui-shared', [element('contracts'), ...packages('react', 'react/**', 'zod')]),
  may('ui-hubspot', [element('ui-shared'), ...packages('react', 'react/**', '@hubspot/**', '@bellwether/card-view')]),
  may('ui-salesforce', [element('ui-shared'), ...anyPackage]),
  may('ui-web', [element('ui-shared', 'contracts'), ...anyPackage]),
  may('sandbox', [...packages('zod', 'express', '@jetstreamapp/**', 'cli-progress'), { module: { origin: 'core' } }]),
  may('test', [{ element: { type: '*' } }, ...anyPackage]),
  may('bench', [{ element: { type: '*' } }, ...anyPackage]),
];

const processEnvBan = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through server/platform/env.ts (parsed and validated once), not process.env.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '**/node_modules/',
      '**/dist/',
      '.bellwether/',
      'coverage/',
      'bench/results/',
      'server/platform/db/migrations/',
      'test/fixtures/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/files': files,
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', checkAllOrigins: true, policies }],
      'no-restricted-syntax': ['error', processEnvBan],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  {
    files: ['server/platform/env.ts', 'test/**', 'bench/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Tests build deliberately malformed input (a manifest with a wrong type, say) from untyped JSON.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
