import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const tfjsBan = {
  group: ['@tensorflow/*'],
  message:
    'The UI and store run on the main thread, which never runs tfjs: go through the worker client.',
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
      'no-restricted-imports': ['error', { patterns: [tfjsBan] }],
    },
  },
  {
    files: ['src/engine/**', 'src/experiment/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [uiBan] }] },
  },
);
