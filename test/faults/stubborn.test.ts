// Remote commands that ignore SIGTERM (and a child that does the same): stopping the step, by the
// operator (SIGINT to the headless player) or by `timeout=`, escalates to SIGKILL and frees the
// host. The hosts are loopback sshd servers, so "on the host" is this machine, as user rbtest.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, startCli, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { fence, pidAlive, waitForCli } from './support.js';

let fx: SshFixture;
let inv: string;

beforeAll(async () => {
  fx = await startSshHosts(1);
  inv = writeFile(sharedTempDir(), 'inv.yaml', fx.inventoryYaml());
});
afterAll(async () => {
  await fx?.stop();
});

/** Processes (of rbtest, or of anyone) whose command line contains `needle`. */
function rbtestProcesses(needle: string, user: string | undefined = 'rbtest'): string[] {
  try {
    return execFileSync('pgrep', [...(user ? ['-u', user] : []), '-f', needle], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** A step that ignores SIGTERM, with a background child that ignores it too; both write pid files. */
function stubbornBook(dir: string, tag: number, attrs: string): string {
  const body = [
    `trap '' TERM`,
    `bash -c 'trap "" TERM; echo $$ > ${dir}/child.pid; exec sleep ${tag}1' &`,
    `echo $BASHPID > ${dir}/shell.pid`,
    `sleep ${tag}2`,
    `echo finished > ${dir}/finished`,
  ].join('\n');
  return writeFile(dir, 'book.md', `# Stubborn\n\n${fence(`id=stubborn hosts=h1 ${attrs}`, body)}\n${fence('id=next hosts=h1', `touch ${dir}/next`)}`);
}

function args(dir: string, rb: string): string[] {
  return ['run', rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(dir, 's.jsonl')];
}

const pids = (dir: string): number[] => ['shell.pid', 'child.pid'].map((f) => Number(readFileSync(join(dir, f), 'utf8').trim()));

describe('a remote command that ignores SIGTERM', { timeout: 120_000 }, () => {
  it('is killed (SIGTERM, then SIGKILL) with its child when the operator aborts with SIGINT, and the host is freed', async () => {
    const dir = sharedTempDir('rb-fault-stubborn-');
    const tag = 7301;
    const rb = stubbornBook(dir, tag, '');
    const p = startCli(args(dir, rb), { cwd: dir });
    // (Each writes its pid file just before its sleep starts: wait for both sleeps, not only the files.)
    await waitForCli(p, () => existsSync(join(dir, 'shell.pid')) && existsSync(join(dir, 'child.pid')) && rbtestProcesses(`sleep ${tag}`).length === 2, 'the step and its child to start');
    const [shell, child] = pids(dir);
    expect(pidAlive(shell) && pidAlive(child)).toBe(true);
    expect(rbtestProcesses(`sleep ${tag}`)).toHaveLength(2);

    const t0 = Date.now();
    p.child.kill('SIGINT');
    const r = await p.done;
    const abortMs = Date.now() - t0;
    console.log(`SIGINT abort of a SIGTERM-ignoring step: player exited ${abortMs}ms after SIGINT`);

    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/h1\s+failed.*aborted by operator/);
    expect(r.stdout).toMatch(/aborted during step `stubborn`/);
    expect(pidAlive(shell), 'step shell still alive').toBe(false);
    expect(pidAlive(child), 'child still alive').toBe(false);
    expect(rbtestProcesses(`sleep ${tag}`)).toEqual([]);
    expect(existsSync(join(dir, 'finished'))).toBe(false);
    expect(existsSync(join(dir, 'next'))).toBe(false); // nothing new starts after an abort
    expect(abortMs).toBeLessThan(40_000); // a bound on a hang, not a speed: the kill's grace period, on a loaded 2-core machine

    // the host is free: the next step runs there
    const again = await runCli([...args(dir, rb), '--only', 'next'], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(existsSync(join(dir, 'next'))).toBe(true);
  });

  it('run through sudo (as root), is killed with its child when the operator aborts with SIGINT', async () => {
    const dir = sharedTempDir('rb-fault-stubborn-');
    const tag = 7303;
    const rb = stubbornBook(dir, tag, 'sudo');
    const p = startCli(args(dir, rb), { cwd: dir });
    await waitForCli(p, () => existsSync(join(dir, 'shell.pid')) && existsSync(join(dir, 'child.pid')), 'the step and its child to start');
    const [shell, child] = pids(dir);
    expect(execFileSync('ps', ['-o', 'user=', '-p', String(shell)], { encoding: 'utf8' }).trim()).toBe('root');
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/h1\s+failed.*aborted by operator/);
    expect(pidAlive(shell), 'step shell still alive').toBe(false);
    expect(pidAlive(child), 'child still alive').toBe(false);
    expect(rbtestProcesses(`sleep ${tag}`, undefined)).toEqual([]);
  });

  it('is killed with its child when the step exceeds its timeout=', async () => {
    const dir = sharedTempDir('rb-fault-stubborn-');
    const tag = 7302;
    const rb = stubbornBook(dir, tag, 'timeout=1s');
    const t0 = Date.now();
    const r = await runCli(args(dir, rb), { cwd: dir });
    const ms = Date.now() - t0;
    console.log(`timeout=1s on a SIGTERM-ignoring step: player exited after ${ms}ms`);

    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/h1\s+failed.*timed out after 1s/);
    const [shell, child] = pids(dir);
    expect(pidAlive(shell), 'step shell still alive').toBe(false);
    expect(pidAlive(child), 'child still alive').toBe(false);
    expect(rbtestProcesses(`sleep ${tag}`)).toEqual([]);
    expect(existsSync(join(dir, 'finished'))).toBe(false);
    expect(existsSync(join(dir, 'next'))).toBe(false);
  });
});
