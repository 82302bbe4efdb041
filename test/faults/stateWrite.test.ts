// The state file cannot be written mid-run: its file system fills up (ENOSPC) or is remounted
// read-only (EROFS). The state directory is a small tmpfs mounted by the test (the suite runs as
// root). The player must stop starting new work, say why (exit 4), and leave the last good state
// on disk intact and loadable; once the file system is fixed, the run resumes.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, startCli, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { fence, waitForCli } from './support.js';

let fx: SshFixture;
let inv: string;
const mounts: string[] = [];

beforeAll(async () => {
  fx = await startSshHosts(2);
  inv = writeFile(sharedTempDir(), 'inv.yaml', fx.inventoryYaml());
});
afterEach(() => {
  for (const m of mounts.reverse()) execFileSync('umount', ['-l', m]);
  mounts.length = 0;
});
afterAll(async () => {
  await fx?.stop();
});

function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
}

/** Write zeros until the file system says ENOSPC. */
function fillUp(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'a');
  const chunk = Buffer.alloc(16 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

/**
 * A work directory (markers, shared with rbtest) and a state directory on its own tmpfs. Step
 * `wait` blocks on h1 until `go` exists, then prints 6000 bytes it captures: its `ok` record is
 * larger than a page, so it cannot fit in the slack of the journal's last page.
 */
function setup(opts: { logsOnOwnFs: boolean; hosts?: string }) {
  const work = sharedTempDir('rb-fault-state-');
  const stateDir = join(work, 'state');
  mountTmpfs(stateDir, '256k');
  if (opts.logsOnOwnFs) mountTmpfs(join(stateDir, 'logs'), '4m');
  const hosts = opts.hosts ?? 'h1';
  const rb = writeFile(
    work,
    'book.md',
    `# Full\n\n${fence(`id=first hosts=${hosts}`, `touch ${work}/first.{{ host.name }}`)}\n` +
      fence(`id=wait hosts=${hosts} capture=big`, `touch ${work}/wait.{{ host.name }}\nfor i in $(seq 600); do [ -e ${work}/go ] && break; sleep 0.1; done\nhead -c 6000 /dev/zero | tr '\\0' x`) +
      `\n${fence(`id=last hosts=${hosts}`, `touch ${work}/last.{{ host.name }}`)}`,
  );
  const state = join(stateDir, 'book.state.jsonl');
  const common = [rb, '-i', inv, '--state', state];
  return {
    work,
    stateDir,
    state,
    run: ['run', ...common, '--known-hosts', fx.knownHostsFile, '--no-ssh-config'],
    status: async () => {
      const r = await runCli(['status', ...common, '--json'], { cwd: work });
      expect(r.code, r.stderr).toBe(0);
      const st = JSON.parse(r.stdout) as { steps: { id: string; hosts: Record<string, { status: string }> }[] };
      return Object.fromEntries(st.steps.map((s) => [s.id, Object.fromEntries(Object.entries(s.hosts).map(([h, c]) => [h, c.status]))]));
    },
  };
}

/** Every complete line of the journal is JSON (a torn last line is the only damage allowed). */
function completeLinesParse(file: string): boolean {
  const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
  return lines.every((l) => {
    try {
      JSON.parse(l);
      return true;
    } catch {
      return false;
    }
  });
}

describe('the state file cannot be written', () => {
  it('full disk (ENOSPC): the player stops before new work with exit 4 and the last good state loads; it resumes once space is freed', async () => {
    const t = setup({ logsOnOwnFs: true });
    const p = startCli(t.run, { cwd: t.work });
    await waitForCli(p, () => existsSync(join(t.work, 'wait.h1')), 'step `wait` to start');
    fillUp(t.stateDir);
    writeFileSync(join(t.work, 'go'), '');
    const r = await p.done;

    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout + r.stderr).toMatch(/cannot write state file .*book\.state\.jsonl: no space left on device/);
    expect(existsSync(join(t.work, 'last.h1')), 'a step started after the state failed').toBe(false);
    expect(completeLinesParse(t.state)).toBe(true);
    expect(await t.status()).toEqual({ first: { h1: 'ok' }, wait: { h1: 'running' }, last: { h1: 'pending' } });

    rmSync(join(t.stateDir, 'filler'));
    const again = await runCli([...t.run, '--retry-interrupted'], { cwd: t.work });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await t.status()).toEqual({ first: { h1: 'ok' }, wait: { h1: 'ok' }, last: { h1: 'ok' } });
  });

  it('read-only file system (EROFS): the player stops before new work with exit 4 and the last good state loads', async () => {
    const t = setup({ logsOnOwnFs: true });
    const p = startCli(t.run, { cwd: t.work });
    await waitForCli(p, () => existsSync(join(t.work, 'wait.h1')), 'step `wait` to start');
    execFileSync('mount', ['-o', 'remount,ro', t.stateDir]);
    writeFileSync(join(t.work, 'go'), '');
    const r = await p.done;

    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout + r.stderr).toMatch(/cannot write state file .*book\.state\.jsonl: read-only file system/);
    expect(existsSync(join(t.work, 'last.h1')), 'a step started after the state failed').toBe(false);
    expect(completeLinesParse(t.state)).toBe(true);
    expect(await t.status()).toEqual({ first: { h1: 'ok' }, wait: { h1: 'running' }, last: { h1: 'pending' } });

    // the lock could not be removed on the read-only fs: the next player finds it stale and resumes
    execFileSync('mount', ['-o', 'remount,rw', t.stateDir]);
    const again = await runCli([...t.run, '--retry-interrupted'], { cwd: t.work });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(existsSync(join(t.work, 'last.h1'))).toBe(true);
  });

  it('full disk with the step logs on the same file system, on two hosts: exit 4, nothing new starts, the state loads', async () => {
    const t = setup({ logsOnOwnFs: false, hosts: 'all' });
    const p = startCli(t.run, { cwd: t.work });
    await waitForCli(p, () => existsSync(join(t.work, 'wait.h1')) && existsSync(join(t.work, 'wait.h2')), 'step `wait` to start on both hosts');
    fillUp(t.stateDir);
    writeFileSync(join(t.work, 'go'), '');
    const r = await p.done;

    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout + r.stderr).toMatch(/no space left on device/);
    expect(r.stdout + r.stderr).not.toMatch(/internal error|\n\s+at /);
    for (const h of ['h1', 'h2']) expect(existsSync(join(t.work, `last.${h}`)), `a step started on ${h} after the state failed`).toBe(false);
    expect(completeLinesParse(t.state)).toBe(true);
    const st = await t.status();
    expect(st.first).toEqual({ h1: 'ok', h2: 'ok' });
    expect(st.last).toEqual({ h1: 'pending', h2: 'pending' });

    rmSync(join(t.stateDir, 'filler'));
    const again = await runCli([...t.run, '--retry-interrupted'], { cwd: t.work });
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });
});
