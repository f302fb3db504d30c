// One lint configuration for every workspace.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import localRules from './scripts/lint/workspace-imports.mjs';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.wrangler/**', '**/dist/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // A workspace package is imported by its name (kamailio-jsonrpc, @sip-bridge/contract, ...),
    // never through a relative path into its folder: scripts/lint/workspace-imports.mjs.
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    plugins: { local: localRules },
    rules: { 'local/workspace-imports': 'error' },
  },
  {
    // Tests poke at JSON bodies; typing every nested field there would add noise, not safety.
    files: ['**/*.test.ts', '**/test/harness.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
