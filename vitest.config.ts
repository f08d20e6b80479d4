import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: on a 2-core machine one, and the suite
    // ran file after file (8.2 min); two workers there take 4.9 min.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
