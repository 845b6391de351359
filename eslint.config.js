// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Modules that do I/O: the pure core (domain, risk, routing) may not import them. */
const ioModules = [
  'node:fs',
  'node:fs/*',
  'fs',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'pino',
  'postgres',
  'drizzle-orm',
  'drizzle-orm/*',
  '@electric-sql/pglite',
  'hono',
  'hono/*',
  'ccxt',
  '@alpacahq/*',
  '@modelcontextprotocol/*',
];

/** @param {string[]} layers */
const zone = (layers) => ({
  patterns: [
    { group: ioModules, message: 'The pure core does no I/O: take what you need through a port.' },
    {
      group: layers.flatMap((layer) => [`../${layer}/*`, `../../${layer}/*`, `../../../${layer}/*`]),
      message: 'Dependencies point inward (STYLE.md): this layer may not import that one.',
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'drizzle/**', '.data/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='parseFloat']",
          message: 'No binary floats near money: use Decimal (src/domain/decimal.ts).',
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        zone([
          'engine',
          'brokers',
          'store',
          'mcp',
          'http',
          'main',
          'marketdata',
          'risk',
          'routing',
          'agents',
        ]),
      ],
    },
  },
  {
    files: ['src/risk/**/*.ts', 'src/routing/**/*.ts', 'src/analytics/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        zone(['engine', 'brokers', 'store', 'mcp', 'http', 'main', 'agents']),
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
