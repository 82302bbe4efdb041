// Hostile paths as root: a device, a FIFO, a directory or a symlink given where runbook reads or
// writes a file is bad input (exit 2) before anything is written; nothing hangs; the lock holds no
// command line; leftovers of killed processes are cleaned up; the tool's directories are 0700.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliBounded, sharedTempDir, startCli, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';
import { waitUntil } from '../faults/support.js';

const BOOK = `# Hostile\n\n${fence('id=one', 'echo one')}`;

function work(): { dir: string; rb: string } {
  const dir = sharedTempDir('rb-hostile-');
  return { dir, rb: writeFile(dir, 'book.md', BOOK) };
}

/** A dead pid: a process that has already exited. */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

describe('--state on a device', () => {
  it('a character device like /dev/null is refused with exit 2; it stays a device and nothing is created next to it', async () => {
    const { dir, rb } = work();
    const devdir = join(dir, 'dev');
    mkdirSync(devdir);
    execFileSync('mknod', [join(devdir, 'null'), 'c', '1', '3']);
    const r = await runCliBounded(['run', rb, '--state', join(devdir, 'null')], 20_000, { cwd: dir });
    expect(r.timedOut).toBe(false);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('state file is a character device, not a regular file');
    expect(lstatSync(join(devdir, 'null')).isCharacterDevice()).toBe(true);
    expect(readdirSync(devdir)).toEqual(['null']);
  });

  it('the real /dev/null and /dev/zero are refused by run, status, reset and plan, and /dev gets no logs or lock', async () => {
    const { dir, rb } = work();
    // Only try the real devices once a device node of our own is refused (never risk /dev/null).
    execFileSync('mknod', [join(dir, 'zero'), 'c', '1', '5']);
    expect((await runCliBounded(['run', rb, '--state', join(dir, 'zero')], 20_000, { cwd: dir })).code).toBe(2);
    for (const [dev, cmds] of [['/dev/null', [['run', rb], ['reset', rb], ['plan', rb]]], ['/dev/zero', [['run', rb], ['status', rb, '--json']]]] as const) {
      for (const cmd of cmds) {
        const r = await runCliBounded([...cmd, '--state', dev], 20_000, { cwd: dir });
        expect(r.timedOut, `${cmd.join(' ')} --state ${dev}`).toBe(false);
        expect(r.code, `${cmd.join(' ')} --state ${dev}: ${r.stderr}`).toBe(2);
      }
      expect(statSync(dev).isCharacterDevice()).toBe(true);
      expect(existsSync(`${dev}.lock`)).toBe(false);
    }
    expect(existsSync('/dev/logs')).toBe(false);
  });
});

describe('the lock file', () => {
  it('holds pid, host, start time and the command name only: no --var value, no arguments', async () => {
    const { dir } = work();
    const rb = writeFile(dir, 'hold.md', `# Hold\n\n${fence('id=wait', `touch ${dir}/started; for i in $(seq 300); do [ -e ${dir}/release ] && break; sleep 0.1; done`)}`);
    const state = join(dir, 'st', 'hold.state.jsonl');
    const p = startCli(['run', rb, '--state', state, '--var', 'db_password=LockLeak-Zq81x', '--var', 'plain=AlsoNot-7710'], { cwd: dir });
    try {
      await waitUntil(() => existsSync(join(dir, 'started')), 'the step to start');
      const text = readFileSync(`${state}.lock`, 'utf8');
      const lock = JSON.parse(text);
      expect(Object.keys(lock).sort()).toEqual(['command', 'hostname', 'pid', 'startedAt']);
      expect(lock.command).toBe('runbook run');
      expect(text).not.toContain('LockLeak');
      expect(text).not.toContain('AlsoNot');
      const second = await runCli(['run', rb, '--state', state], { cwd: dir });
      expect(second.code).toBe(4);
      expect(second.stderr).toContain(`in use by pid ${p.child.pid}`);
      expect(second.stderr).toContain('(command runbook run)');
    } finally {
      writeFileSync(join(dir, 'release'), '');
    }
    expect((await p.done).code).toBe(0);
  });

  it('a lock left by an older version with the whole command line shows only the command name', async () => {
    const { dir, rb } = work();
    const state = join(dir, 'book.state.jsonl');
    const old = { pid: process.pid, hostname: (await import('node:os')).hostname(), startedAt: new Date().toISOString(), command: `${dir}/bin/runbook run book.md --var db_password=OldLock-Secret9` };
    writeFileSync(`${state}.lock`, JSON.stringify(old) + '\n', { mode: 0o600 });
    const r = await runCli(['run', rb, '--state', state], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('(command runbook run)');
    expect(r.stderr).not.toContain('OldLock-Secret9');
  });

  it('temporary lock and state files left by a killed process are removed by the next run; a live process keeps its own', async () => {
    const { dir, rb } = work();
    const state = join(dir, 'book.state.jsonl');
    const dead = deadPid();
    const leftovers = [`.book.state.jsonl.lock.new-${dead}-0123abcd`, `.book.state.jsonl.lock.stale-${dead}-89abcdef`, `.book.state.jsonl.tmp-${dead}-deadbeef`];
    for (const n of leftovers) writeFileSync(join(dir, n), '{"command":"runbook run --var db_password=x"}', { mode: 0o600 });
    const live = `.book.state.jsonl.lock.new-${process.pid}-00000000`;
    writeFileSync(join(dir, live), '{}');
    const r = await runCli(['run', rb, '--state', state], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const n of leftovers) expect(existsSync(join(dir, n)), n).toBe(false);
    expect(existsSync(join(dir, live))).toBe(true);
  });
});

describe('the .runbook directory', () => {
  it('a pre-existing .runbook/ (and its logs/) made 0755 is tightened to 0700 when the tool writes there', async () => {
    const { dir, rb } = work();
    mkdirSync(join(dir, '.runbook', 'logs'), { recursive: true });
    chmodSync(join(dir, '.runbook'), 0o755);
    chmodSync(join(dir, '.runbook', 'logs'), 0o755);
    const r = await runCli(['run', rb], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(dir, '.runbook')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '.runbook', 'logs')).mode & 0o777).toBe(0o700);
  });

  it('a state directory that is a symlink to a directory is used; a state file that is a symlink to /dev/null is refused', async () => {
    const { dir, rb } = work();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'linked'));
    expect((await runCli(['run', rb, '--state', join(dir, 'linked', 's.jsonl')], { cwd: dir })).code).toBe(0);
    symlinkSync('/dev/null', join(dir, 'null.jsonl'));
    const r = await runCli(['run', rb, '--state', join(dir, 'null.jsonl')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('state file is a symbolic link');
    expect(lstatSync(join(dir, 'null.jsonl')).isSymbolicLink()).toBe(true);
  });
});
