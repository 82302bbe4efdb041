// The quickstart plays headlessly end to end on the local machine, as its prose says: the first
// run stops at the step that fails once (exit 1), the next run resumes there and stops at the
// confirm step (exit 3), and `--yes` finishes it (exit 0).
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, type } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { QUICKSTART } from './helpers.js';

describe('runbooks/quickstart.md played headlessly', () => {
  it('fails once, then stops at confirm, then finishes with --yes', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'runbook-quickstart-test-'));
    const workdir = join(cwd, 'work');
    // A copy, so its state (kept beside the runbook) starts empty and stays out of the repository.
    const book = join(cwd, 'quickstart.md');
    copyFileSync(QUICKSTART, book);
    const run = (...extra: string[]) => runCli(['run', book, '--var', `workdir=${workdir}`, ...extra], { cwd });

    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(first.stdout).toMatch(/stopped: step `qs-fails-once` failed/);
    // Everything before the failing step ran: the file block used the front matter and the capture.
    const hello = readFileSync(join(workdir, 'hello.txt'), 'utf8');
    expect(hello).toContain('Hello from a runbook');
    expect(hello).toContain(`This machine runs ${execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim()}.`);
    expect(type()).toBe('Linux');

    const second = await run();
    expect(second.code, second.stdout + second.stderr).toBe(3);
    expect(second.stdout).toMatch(/qs-fails-once on local\n\s+✔ local {2}ok/);
    expect(second.stdout).not.toMatch(/qs-make-workdir|qs-write-file/);
    expect(second.stdout).toMatch(/stopped before step `qs-clean-up`: it needs confirmation/);
    expect(existsSync(workdir)).toBe(true);

    const third = await run('--yes');
    expect(third.code, third.stdout + third.stderr).toBe(0);
    expect(third.stdout).toMatch(/done: every step is complete/);
    expect(existsSync(workdir)).toBe(false);
    // The state file lives beside the runbook, as the quickstart says.
    expect(existsSync(join(cwd, '.runbook'))).toBe(true);
  });
});
