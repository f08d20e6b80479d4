import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const tfjsBan = {
  group: ['@tensorflow/*'],
  message:
    "The UI, the store and a technique's pure maths and views never run tfjs (the main thread has none): go through the worker client, or import types only.",
};
const uiBan = {
  group: [
    'react',
    'react-dom',
    'react-dom/*',
    'zustand',
    'zustand/*',
    'recharts',
    '**/ui/**',
    '**/store/**',
  ],
  message: 'The engine runs in a worker and in Node: keep it free of UI and store code.',
};

const stageBan = {
  regex: '(^|/)(stage|engine)/(?!network/layers$)',
  allowTypeImports: true,
  message:
    "A technique's pure maths and views never run tfjs code: import the stage's types only, or move the logic to the technique's root.",
};

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      'public/data',
      'test-results',
      'playwright-report',
      'bench-results',
      'src/engine/kernels/assembly',
      'src/engine/kernels/build',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/ui/**', 'src/store/**', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: [{ ...tfjsBan, allowTypeImports: true }] }],
    },
  },
  {
    files: ['src/engine/**', 'src/techniques/*/stage/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [uiBan] }] },
  },
  // The experiment model (schema, links, measurements) is plain data: the engine imports it,
  // never the other way round, so there is no cycle.
  {
    files: ['src/experiment/**'],
    ignores: ['src/experiment/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            uiBan,
            { ...tfjsBan, message: 'The experiment model is plain data: no tfjs.' },
            {
              group: ['**/engine/**', '**/worker/**'],
              message: 'The experiment model never imports the engine (the engine imports it).',
            },
          ],
        },
      ],
    },
  },
  // A technique folder has three parts, fenced by path: the pure maths at its root (no tfjs, no
  // UI: importable anywhere), stage/ (tfjs, worker only) and views/ (React, never tfjs).
  {
    files: ['src/techniques/*/*.ts', 'src/techniques/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ ...tfjsBan, allowTypeImports: true }, uiBan, stageBan] },
      ],
    },
  },
  {
    files: ['src/techniques/*/views/**'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        { patterns: [{ ...tfjsBan, allowTypeImports: true }, stageBan] },
      ],
    },
  },
  {
    // Tests of the pure parts may train real models to check them.
    files: ['src/techniques/*/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
