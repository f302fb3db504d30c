// One lint configuration for every workspace.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
    // Workspace packages are imported by name, never by reaching into their source folders.
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['kamailio/jsonrpc/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/jsonrpc/src', '**/jsonrpc/src/*'],
              message:
                "Import the Kamailio JSON-RPC client by its package name: 'kamailio-jsonrpc'.",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests poke at JSON bodies; typing every nested field there would add noise, not safety.
    files: ['**/*.test.ts', '**/test/harness.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
