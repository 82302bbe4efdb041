// Every temp dir the suite makes (fixtures, sshd labs, state files, local session shells) goes
// under one directory per `npm test` run, removed when the run ends: the tests made thousands of
// dirs in /tmp per run, and a machine that runs the suite often filled /tmp with them.
// Set RUNBOOK_KEEP_TEST_TMP=1 to keep it for a post-mortem (its path is printed).
// It is sticky and world-writable like /tmp: the unprivileged ssh test user writes there too.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-tests-'));
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir; // the test workers are forked after this and inherit it
  return () => {
    if (process.env.RUNBOOK_KEEP_TEST_TMP === '1') console.log(`test temp dirs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}
