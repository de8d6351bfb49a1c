import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { config as hubspotUiExtensions } from '@hubspot/eslint-config-ui-extensions';

// What HubSpot's sandboxed UI-extension runtime cannot do (DOM, browser storage, native fetch, parent
// imports...), checked with HubSpot's own rules on what `hs project upload` bundles. Tests and their
// fakes run under jest, not in HubSpot, so they are left out.
const UI_EXTENSION_FILES = ['extensions/app/**/*.{js,jsx,ts,tsx}'];
const UI_EXTENSION_TEST_FILES = ['extensions/**/*.test.{ts,tsx}', 'extensions/**/testing/**'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'data/**', '**/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The domain is pure: no I/O, no clock, no adapters (STYLE.md principle 1).
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../domain', '!../domain/*'],
              message: 'src/domain imports nothing outside the domain.',
            },
            {
              group: [
                'node:*',
                'fs',
                'http',
                'https',
                'net',
                'child_process',
                'pg',
                'better-sqlite3',
                'kysely',
                'express',
                '@hubspot/api-client',
              ],
              message: 'src/domain does no I/O.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Pass `now` in: the domain reads no clock.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Pass `now` in: the domain reads no clock.',
        },
        { selector: "MemberExpression[object.name='process']", message: 'The domain reads no environment.' },
      ],
    },
  },
  {
    // The webhook edge stands alone: src wires it, never the other way round (DESIGN.md §2).
    files: ['webhooks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../src', '../src/*', '**/src/**'],
              message: 'webhooks/ depends on no module of src/.',
            },
          ],
        },
      ],
    },
  },
  ...hubspotUiExtensions
    .filter((entry) => entry.plugins)
    .map((entry) => ({ ...entry, files: UI_EXTENSION_FILES, ignores: UI_EXTENSION_TEST_FILES })),
  {
    // CommonJS entry points, tool configs, and worker-thread scripts (no TypeScript loader in a worker).
    files: ['bin/**/*.cjs', 'src/**/*.worker.cjs', '*.js', '.dependency-cruiser.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.tsx', 'extensions/**/*.test.tsx'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
