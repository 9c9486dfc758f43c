// Lint rules: type-aware checks that catch real bugs (floating promises, import cycles).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// Our sources import siblings as `./x.js` (NodeNext) while the files are `x.ts`: a tiny resolver maps one to the
// other for import-x/no-cycle. Packages are not followed (a cycle can only be among our own files).
const tsFromJsResolver = {
  interfaceVersion: 3,
  name: 'ts-from-js',
  resolve(modulePath, sourceFile) {
    if (!modulePath.startsWith('.')) return { found: false };
    const base = resolve(dirname(sourceFile), modulePath);
    for (const candidate of [base.replace(/\.js$/, '.ts'), base]) {
      if (existsSync(candidate)) return { found: true, path: candidate };
    }
    return { found: false };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'bench/tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [tsFromJsResolver],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
