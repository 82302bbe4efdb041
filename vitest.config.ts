import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/setup/tmpdir.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A worker busy at the end of its file (ShellCheck, sshd teardown) on a loaded machine: the
    // default 10 s printed 'Timeout terminating forks worker' though every test had passed.
    teardownTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
