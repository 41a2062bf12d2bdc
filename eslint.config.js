import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'stream', 'zlib', 'util', 'events', 'url', 'worker_threads'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.local/**', 'dist/**', 'bench/results/**', 'db/*/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Workflow code is replayed: it must be deterministic, so no I/O, drivers, clocks from Node, or environment.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'Node builtins are not allowed in workflow code.' })),
            ...['mysql2', 'mysql2/promise', 'drizzle-orm', '@aws-sdk/client-s3', '@aws-sdk/client-dynamodb', '@shopify/admin-api-client', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'].map((name) => ({ name, message: 'Drivers and clients belong in activities/, not workflow code.' })),
          ],
          patterns: [
            { group: ['**/activities/**'], allowTypeImports: true, message: 'Import activities as types only.' },
            { group: ['**/db/**', '**/connectors/**', '**/lake/**', '**/workers/**', '**/sandbox/**', '**/stack/**', '**/cli/**', '**/ops/**'], message: 'Workflow code may import only pure domain/ helpers.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'No process.env or process APIs in workflow code.' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Configuration is read in workers/, not in workflows.' }],
    },
  },
);
