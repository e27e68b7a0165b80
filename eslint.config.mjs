// One lint for the template repository's own code: the tooling package, the checks, the benchmarks and the
// portal app. The skeleton carries its own configuration (skeleton/eslint.config.js), which lints every
// generated repository as rendered (test/service.test.ts runs its `npm run lint`).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['skeleton/', 'out/', '.cache/', 'site/', 'portal/app/dist/', 'bench/results/', '**/node_modules/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  // Before the rules below: it turns off the formatting rules Prettier owns, max-len among them.
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      // Prettier wraps code at 120 columns; this holds comments and strings to the same width.
      'max-len': ['error', { code: 120, ignoreUrls: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // node:test's describe and test return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
