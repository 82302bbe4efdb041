// After a crash (kill -9 of `runbook run`) the step's command goes on running on its host. Before
// `--retry-interrupted` runs that host-step again, it looks for the attempt's marker on the host:
// still running -> it waits for it (bounded), never starting a second copy; ended -> its exit code is
// adopted as the outcome; still running past the bound -> refused, naming the pid; no marker or
// killed -> run again, saying so (issue 9, item 6). The built CLI against a real loopback sshd,
// in session mode, exec mode and on the local transport; the host's own counter file and process
// list say how many copies ran.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXIT } from '../../src/engine/errors.js';
import { runCli, sharedTempDir, startCli, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';
import { useSshLab } from '../helpers/sshLab.js';
import { counterLines, waitUntil } from '../faults/support.js';

const sshd = useSshLab(1);

/** How many processes run a command line containing `token` (the host is this machine). */
function copiesRunning(token: string): number {
  // A copy is a process with the token in its command line whose parent has not: the waiting bash
  // forks for each `sleep`, and until that child has exec'd sleep it carries the same command line.
  const procs = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[3].includes(token));
  const pids = new Set(procs.map((m) => m[1]));
  return procs.filter((m) => !pids.has(m[2])).length;
}

/** The fixture's inventory with `runbook_session` set on every host. */
function withSessionMode(inventoryYaml: string, mode: 'shell' | 'exec'): string {
  const inv = parse(inventoryYaml) as { all: { hosts: Record<string, Record<string, unknown>> } };
  for (const h of Object.values(inv.all.hosts)) h.runbook_session = mode;
  return stringify(inv);
}

interface Lab {
  readonly dir: string;
  readonly counter: string;
  /** Unique in the command line of the step's waiting process on the host. */
  readonly token: string;
  /** Let the step (every copy of it) go on to its end. */
  release(): void;
  run(...extra: string[]): ReturnType<typeof startCli>;
  /** The last journal record of the step on its host. */
  record(): Record<string, unknown>;
}

/**
 * One step that appends `start` to a counter file, waits until the test releases it (a file
 * appears), then appends `end` (and exits with `exit`). `mode`: the sshd host in session (default)
 * or exec mode, or the local transport.
 */
function lab(opts: { mode?: 'shell' | 'exec' | 'local'; attrs?: string; exit?: number; printAfter?: boolean }): Lab {
  const dir = sharedTempDir('rb-retry-');
  const counter = join(dir, 'counter');
  const token = `rb-wait-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const go = join(dir, 'go');
  const mode = opts.mode ?? 'shell';
  const inventory =
    mode === 'local'
      ? 'all:\n  hosts:\n    h1:\n      ansible_connection: local\n'
      : withSessionMode(sshd.fx.inventoryYaml(), mode);
  const inv = writeFile(dir, 'inventory.yaml', inventory);
  const body = [`echo start >> ${counter}`, `bash -c 'until [ -e "$1" ]; do sleep 0.05; done' ${token} ${go}`, `echo end >> ${counter}`, ...(opts.printAfter ? ['echo finished; echo finished'] : []), ...(opts.exit ? [`exit ${opts.exit}`] : [])];
  const book = writeFile(dir, 'book.md', `# Crash\n\n${fence(`id=work hosts=all ${opts.attrs ?? ''}`.trim(), body.join('\n'))}`);
  const state = join(dir, 'state.jsonl');
  return {
    dir,
    counter,
    token,
    release: () => writeFileSync(go, ''),
    run: (...extra) => startCli(['run', book, '-i', inv, ...sshd.ssh, '--state', state, ...extra], { cwd: dir }),
    record() {
      const recs = readFileSync(state, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t?: string; rec?: Record<string, unknown> });
      return recs.filter((l) => l.t === 'rec').at(-1)!.rec!;
    },
  };
}

/** Start the run, wait until the step has started on the host, then SIGKILL the runbook process. */
async function crashWhileRunning(l: Lab): Promise<void> {
  const first = l.run();
  await waitUntil(() => counterLines(l.counter).includes('start') && copiesRunning(l.token) === 1, 'the step to start on the host', 30_000, 50);
  first.child.kill('SIGKILL');
  await first.done;
  expect(copiesRunning(l.token)).toBe(1); // the crash left the command running on the host
}

describe('--retry-interrupted after a crash (kill -9) while the step runs', () => {
  it('session mode: waits for the attempt still running on the host, starts no second copy, and adopts its exit code', async () => {
    const l = lab({});
    await crashWhileRunning(l);
    const retry = l.run('--retry-interrupted');
    await retry.waitFor(/still running on h1 \(pid \d+/);
    expect(copiesRunning(l.token)).toBe(1);
    expect(counterLines(l.counter)).toEqual(['start']);
    l.release();
    const r = await retry.done;
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.OK);
    expect(counterLines(l.counter)).toEqual(['start', 'end']);
    expect(l.record()).toMatchObject({ status: 'ok', exitCode: 0, attempts: 1, adoptedFrom: 1 });
    expect(String(l.record().message)).toMatch(/result adopted from attempt 1/);
  });

  it('exec mode: an attempt that ended after the crash is adopted at once, not run again', async () => {
    const l = lab({ mode: 'exec' });
    await crashWhileRunning(l);
    l.release();
    await waitUntil(() => counterLines(l.counter).includes('end'), 'the orphaned attempt to end', 30_000, 50);
    const r = await l.run('--retry-interrupted').done;
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.OK);
    expect(r.stdout).not.toMatch(/still running/);
    expect(counterLines(l.counter)).toEqual(['start', 'end']);
    expect(l.record()).toMatchObject({ status: 'ok', adoptedFrom: 1 });
  });

  it('a failure is adopted as a failure: exit 1, the earlier exit code recorded', async () => {
    const l = lab({ exit: 7 });
    await crashWhileRunning(l);
    l.release();
    await waitUntil(() => counterLines(l.counter).includes('end'), 'the orphaned attempt to end', 30_000, 50);
    const r = await l.run('--retry-interrupted').done;
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.STEP_FAILED);
    expect(counterLines(l.counter)).toEqual(['start', 'end']);
    expect(l.record()).toMatchObject({ status: 'failed', exitCode: 7, adoptedFrom: 1 });
  });

  it('an attempt the crash left to die of SIGPIPE (its output had nowhere to go) is run again, not adopted as a failure', async () => {
    const l = lab({ mode: 'exec', printAfter: true });
    await crashWhileRunning(l);
    l.release();
    await waitUntil(() => counterLines(l.counter).includes('end') && copiesRunning(l.token) === 0, 'the orphaned attempt to end', 30_000, 50);
    const r = await l.run('--retry-interrupted').done;
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.OK);
    expect(r.stdout + r.stderr).toMatch(/attempt 1 was killed on the host by SIGPIPE \(status 141\) after runbook stopped/);
    expect(counterLines(l.counter)).toEqual(['start', 'end', 'start', 'end']);
    expect(l.record()).toMatchObject({ status: 'ok', exitCode: 0, attempts: 2 });
    expect(l.record().adoptedFrom).toBeUndefined();
  });

  it('still running past the wait (the step timeout): refused with exit 3, naming host and pid; once it is killed, run again', async () => {
    const l = lab({ attrs: 'timeout=2s' });
    await crashWhileRunning(l);
    const r = await l.run('--retry-interrupted').done;
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.STOPPED);
    const named = /still running on h1 as pid (\d+) \(process group (\d+)/.exec(r.stdout);
    expect(named, r.stdout).not.toBeNull();
    expect(r.stdout).toMatch(/not started a second time/);
    expect(copiesRunning(l.token)).toBe(1);
    expect(counterLines(l.counter)).toEqual(['start']);
    expect(l.record()).toMatchObject({ status: 'interrupted', attempts: 1 });

    // The operator stops it on the host (as the message says): the next retry finds it killed (in
    // session mode the session shell, outside the step's process group, records the SIGKILL), and
    // runs the step again (this time within its timeout it is killed).
    process.kill(-Number(named![2]), 'SIGKILL');
    await waitUntil(() => copiesRunning(l.token) === 0, 'the attempt to be killed', 10_000, 50);
    const again = await l.run('--retry-interrupted').done;
    expect(again.stdout).toMatch(/attempt 1 was killed on the host by SIGKILL \(status 137\) after runbook stopped \(.*or stopped on the host\): running the step again/);
    expect(counterLines(l.counter)).toEqual(['start', 'start']);
    expect(l.record()).toMatchObject({ attempts: 2 });
  });

  it('no marker on the host (e.g. /tmp wiped): says so and runs the step again, as before', async () => {
    const l = lab({});
    await crashWhileRunning(l);
    l.release();
    await waitUntil(() => counterLines(l.counter).includes('end'), 'the orphaned attempt to end', 30_000, 50);
    const marker = String(l.record().marker);
    expect(marker).toMatch(/^[0-9a-f]+-1$/);
    const uid = execFileSync('id', ['-u', sshd.fx.user], { encoding: 'utf8' }).trim();
    rmSync(join(`/tmp/runbook-${uid}`, marker));
    const r = await l.run('--retry-interrupted').done;
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.OK);
    expect(r.stdout).toMatch(/no marker of attempt 1 on the host/);
    expect(counterLines(l.counter)).toEqual(['start', 'end', 'start', 'end']);
    expect(l.record()).toMatchObject({ status: 'ok', attempts: 2 });
    expect(l.record().adoptedFrom).toBeUndefined();
  });

  it('local transport: the same wait and adoption, no second copy', async () => {
    const l = lab({ mode: 'local' });
    await crashWhileRunning(l);
    const retry = l.run('--retry-interrupted');
    await retry.waitFor(/still running on h1 \(pid \d+/);
    expect(copiesRunning(l.token)).toBe(1);
    l.release();
    const r = await retry.done;
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.OK);
    expect(counterLines(l.counter)).toEqual(['start', 'end']);
    expect(l.record()).toMatchObject({ status: 'ok', adoptedFrom: 1 });
  });
});
