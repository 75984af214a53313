import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // writes src/core/schema/generated/contract-validators.js, which the schema code imports
    globalSetup: ['test/global-setup.ts'],
    // guards against hangs, not speed bounds: with one fork per core a CPU-heavy test (1,200
    // PBKDF2 runs, 200 openssl spawns) gets no more than its core, and a machine busy with other
    // work stretches it past a minute
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One fork per core. vitest's default leaves a core to itself (cores - 1), which on a
    // 2-core machine is a single fork, while most tests wait on child processes (the CLI,
    // openssl, cryptsetup, podman, rsyslogd) and leave their core idle. Test files can share
    // the machine because every check is scoped to what the file created (its temporary
    // folder, ports it was given, its own emulator instance in podman). VITEST_MAX_WORKERS or
    // --maxWorkers still override this.
    maxWorkers: availableParallelism(),
  },
});
