import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // writes src/core/schema/generated/contract-validators.js, which the schema code imports
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // one fork per core (vitest's default leaves one core idle): most test time is spent waiting
    // for the CLI, openssl, cryptsetup or rsyslogd in child processes, so a second fork on two
    // cores roughly halves the wall time without starving anything
    maxWorkers: availableParallelism(),
  },
});
