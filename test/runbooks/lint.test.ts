// Every shipped runbook passes `runbook lint` with ShellCheck: no error, no finding, no warning.
// Cluster runbooks are linted against the example inventory they are written for.
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { EXAMPLE_INVENTORY, shippedRunbooks } from './helpers.js';

describe('runbook lint on the shipped runbooks', () => {
  it('runs with ShellCheck installed (CI installs it too)', () => {
    expect(spawnSync('shellcheck', ['--version']).status).toBe(0);
  });

  for (const rb of shippedRunbooks()) {
    it(`${basename(rb.path)} is clean, ShellCheck included`, async () => {
      const args = ['lint', rb.path, '--no-ssh-config', ...(rb.needsInventory ? ['-i', EXAMPLE_INVENTORY] : [])];
      const r = await runCli(args);
      expect(r.stdout + r.stderr).toMatch(/steps checked \(with ShellCheck\): 0 error\(s\), 0 ShellCheck finding\(s\), 0 warning\(s\)/);
      expect(r.code).toBe(0);
    });
  }
});
