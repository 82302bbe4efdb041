// Persistent shell sessions against real sshd: each step keeps the semantics of its own exec
// (nothing leaks between steps, stdin is EOF, bytes are exact, markers cannot be forged), leftovers
// of a step never reach a later one, abort/timeout kill the tree, and a dead shell is an
// interrupted step followed by a fresh shell.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { StepInterruptedError } from '../../src/engine/errors.js';
import type { ExecOptions, OutputStream, Transport } from '../../src/engine/transport/types.js';
import { TERM_IGNORING_TREE, collector, fixtureHost, fixtureTransport, pidsIn, processGone, waitUntil } from './support.js';

let f: SshFixture;
let ssh: Transport;
beforeAll(async () => {
  f = await startSshHosts(2, { namePrefix: 'sess' });
  ssh = fixtureTransport(f, { killGraceMs: 500, defaultSession: 'shell' });
});
afterAll(async () => {
  await ssh?.close();
  await f?.stop();
});

/** Raw output bytes per stream. */
function rawCollector() {
  const parts: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const onData: NonNullable<ExecOptions['onData']> = (chunk, stream) => parts[stream].push(Buffer.from(chunk));
  return { onData, bytes: (s: OutputStream) => Buffer.concat(parts[s]) };
}

/** Runs a script and returns its stdout text (asserting exit 0). */
async function run(script: string, opts: ExecOptions = {}, host = 0, as = fixtureHost(f, host)): Promise<string> {
  const out = collector();
  const r = await ssh.exec(as, script, { ...opts, onData: out.onData });
  expect(r, out.text()).toMatchObject({ exitCode: 0, aborted: false });
  return out.text('stdout');
}

/** The pid of the session shell running the step: the parent of the step's own process ($BASHPID). */
const DRIVER_PID = `read -r l < /proc/$BASHPID/stat; r=\${l##*) }; r=\${r#* }; echo "driver \${r%% *}"`;
const driverOf = (text: string): number => Number(/^driver (\d+)$/m.exec(text)?.[1]);

describe('ssh transport: persistent shell sessions', () => {
  it('runs consecutive steps in one long-lived shell on the host', async () => {
    const a = driverOf(await run(DRIVER_PID));
    const b = driverOf(await run(DRIVER_PID));
    expect(a).toBeGreaterThan(1);
    expect(b).toBe(a);
  });

  it('a host\'s session started ahead of its first step (prepare) is the one that step runs in: one shell per host and user, not two', async () => {
    // Counts the shells the connection's sshd runs (the parent of the step's session shell).
    const shells = [
      DRIVER_PID,
      'read -r l < /proc/${r%% *}/stat; r=${l##*) }; r=${r#* }; s=${r%% *}; n=0',
      'for p in /proc/[0-9]*/stat; do { read -r l < "$p"; } 2>/dev/null || continue; c=${l#*(}; r=${l##*) }; r=${r#* }; [[ ${c%%)*} == bash && ${r%% *} == "$s" ]] && ((++n)); done',
      'echo "shells $n"',
    ].join('\n');
    const fresh = fixtureTransport(f, { defaultSession: 'shell' });
    try {
      const host = fixtureHost(f, 1);
      fresh.prepare!([host]);
      const out = collector();
      const first = await fresh.exec(host, shells, { onData: out.onData });
      expect(first.exitCode, out.text()).toBe(0);
      expect(out.text('stdout')).toMatch(/^shells 1$/m);
      const again = collector();
      await fresh.exec(host, shells, { onData: again.onData });
      expect(again.text('stdout')).toMatch(/^shells 1$/m);
      expect(driverOf(again.text())).toBe(driverOf(out.text()));
    } finally {
      await fresh.close();
    }
  });

  it('shell variables, exports, cd, shell options, traps and aliases do not leak into the next step', async () => {
    const probe = 'echo "${X-unset} ${Y-unset} $PWD $- $(shopt -p nullglob) $(trap -p EXIT)"; alias ll 2>/dev/null || echo noalias; ulimit -n';
    const before = await run(probe);
    await run('X=1; export Y=2; cd /tmp; set -euo pipefail; shopt -s nullglob; trap "echo trapped" EXIT; alias ll=ls; ulimit -n 64');
    expect(await run(probe)).toBe(before);
    expect(before).toMatch(/^unset unset /);
  });

  it('exit and exec end only their own step', async () => {
    const r1 = await ssh.exec(fixtureHost(f, 0), 'exit 7');
    expect(r1.exitCode).toBe(7);
    const out = collector();
    const r2 = await ssh.exec(fixtureHost(f, 0), 'exec sh -c "echo from-exec; exit 4"', { onData: out.onData });
    expect(r2.exitCode).toBe(4);
    expect(out.text()).toBe('from-exec\n');
    expect(await run('echo next')).toBe('next\n');
  });

  it('refuses an attempt marker name that is not <hex key>-<attempt> before running anything; the session stays usable', async () => {
    const out = collector();
    await expect(ssh.exec(fixtureHost(f, 0), 'echo ran', { attemptMarker: '../../etc/x-1', onData: out.onData })).rejects.toThrow(/bad attempt marker name/);
    expect(out.text()).toBe('');
    expect(await run('echo next')).toBe('next\n');
  });

  it('a step reading stdin gets EOF at once', async () => {
    expect(await run('cat; read -r x || echo "eof [$x]"; head -c 10 | wc -c')).toBe('eof []\n0\n');
  });

  it('a step is its own process ($BASHPID) leading its own process group; $$ names the session shell, so `kill $$` interrupts the step', async () => {
    const driver = driverOf(await run(DRIVER_PID));
    const me = await run('echo "$BASHPID $$ $(ps -o pgid= -p $BASHPID)"');
    const [own, dollar, pgid] = me.trim().split(/\s+/).map(Number);
    expect(dollar).toBe(driver); // as in any subshell
    expect(pgid).toBe(own); // abort kills this group
    const err = await ssh.exec(fixtureHost(f, 0), 'kill -TERM $$; sleep 5').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepInterruptedError);
    expect(driverOf(await run(DRIVER_PID))).not.toBe(driver);
  });

  it('a step killed by a signal reports the signal; an exit status that looks like one stays an exit status', async () => {
    expect(await ssh.exec(fixtureHost(f, 0), 'kill -KILL $BASHPID')).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(await ssh.exec(fixtureHost(f, 0), 'kill -INT $BASHPID')).toMatchObject({ exitCode: null, signal: 'SIGINT' });
    expect(await ssh.exec(fixtureHost(f, 0), 'exit 143')).toMatchObject({ exitCode: 143, signal: null });
    expect(await ssh.exec(fixtureHost(f, 0), 'sh -c "kill -9 \\$\\$"')).toMatchObject({ exitCode: 137, signal: null });
  });

  it('a step stopped by SIGSTOP is waited for without a busy loop, and ends as usual once continued', async () => {
    const out = collector();
    const running = ssh.exec(fixtureHost(f, 0), `${DRIVER_PID}; echo "step $BASHPID"; kill -STOP $BASHPID; echo resumed`, { onData: out.onData });
    await out.waitForText('step ');
    const driver = driverOf(out.text());
    const step = Number(/^step (\d+)$/m.exec(out.text())![1]);
    const fields = (pid: number): string[] => { const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); return st.slice(st.lastIndexOf(')') + 2).split(' '); };
    await waitUntil(() => fields(step)[0] === 'T', 10_000, 'the step to be stopped');
    const cpuTicks = (): number => Number(fields(driver)[11]) + Number(fields(driver)[12]);
    const before = cpuTicks();
    const t0 = Date.now();
    await waitUntil(() => Date.now() - t0 >= 1500, 5000, '1.5 s with the step stopped');
    // a driver spinning on wait would use most of those 1.5 s (150 ticks); it sleeps a second at a time
    expect(cpuTicks() - before).toBeLessThan(30);
    process.kill(step, 'SIGCONT');
    const r = await running;
    expect(r).toMatchObject({ exitCode: 0, signal: null, aborted: false });
    expect(out.text('stdout')).toMatch(/resumed\n$/);
  });

  it('binary and large output arrive byte-exact on both streams', async () => {
    const dir = fs.mkdtempSync('/tmp/rb-sess-bin-');
    fs.chmodSync(dir, 0o755);
    const big = Buffer.concat([Buffer.from([0, 1, 0xff, 0x0a, 0x0d]), crypto.randomBytes(8 << 20)]);
    const small = crypto.randomBytes(1 << 20);
    fs.writeFileSync(path.join(dir, 'out'), big);
    fs.writeFileSync(path.join(dir, 'err'), small);
    try {
      const out = rawCollector();
      const r = await ssh.exec(fixtureHost(f, 1), `cat ${dir}/out; cat ${dir}/err >&2`, { onData: out.onData });
      expect(r.exitCode).toBe(0);
      expect(out.bytes('stdout').equals(big)).toBe(true);
      expect(out.bytes('stderr').equals(small)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('output that contains the framing text, even without a newline, is passed on untouched', async () => {
    const text = '__RB_E_0123456789abcdef01234567_0___\n__RB_S_x__\n__RB_READY_y__\n__RB_E_\n__RB_0123\n__RB_E';
    const script = `printf '%s' '${text}'; printf '%s' '${text}' >&2\ncat <<'__RB_abc'\nheredoc body\n__RB_abc`;
    const out = collector();
    const r = await ssh.exec(fixtureHost(f, 0), script, { onData: out.onData });
    expect(r.exitCode).toBe(0);
    expect(out.text('stdout')).toBe(`${text}heredoc body\n`);
    expect(out.text('stderr')).toBe(text);
  });

  it('a background process left holding the output neither hangs the step nor reaches a later step, and keeps running', async () => {
    const dir = `/tmp/rb-sess-bg-${process.pid}-${Date.now()}`;
    const host = fixtureHost(f, 1);
    const first = collector();
    const r1 = await ssh.exec(host,
      `mkdir -p ${dir}; (while [ ! -e ${dir}/go ]; do sleep 0.05; done; echo late-out; echo late-err >&2; echo survived > ${dir}/done) & echo "pid $!"`,
      { onData: first.onData });
    expect(r1.exitCode).toBe(0);
    const [bg] = pidsIn(first.text());
    expect(processGone(bg)).toBe(false); // the step ended while its background process still runs
    const second = collector();
    const r2 = await ssh.exec(host, `touch ${dir}/go; while [ ! -e ${dir}/done ]; do sleep 0.05; done; echo second`, { onData: second.onData });
    expect(r2.exitCode).toBe(0);
    expect(second.text('stdout')).toBe('second\n');
    expect(second.text('stderr')).toBe('');
    expect(fs.readFileSync(path.join(dir, 'done'), 'utf8')).toBe('survived\n'); // not killed by SIGPIPE
    expect(await run('echo third', {}, 1)).toBe('third\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a timeout kills the step\'s whole process tree on the host', async () => {
    const out = collector();
    const signal = AbortSignal.timeout(4000);
    const r = await ssh.exec(fixtureHost(f, 0), TERM_IGNORING_TREE, { signal, onData: out.onData });
    expect(r.aborted).toBe(true);
    const pids = pidsIn(out.text());
    expect(pids).toHaveLength(4);
    await waitUntil(() => pids.every(processGone), 5000, 'every process of the timed-out step to be gone');
    expect(await run('echo after-timeout')).toBe('after-timeout\n');
  });

  it('sudo steps run in one root session, apart from the login user\'s session', async () => {
    const userDriver = driverOf(await run(DRIVER_PID));
    const a = await run(`id -u; ${DRIVER_PID}`, { sudo: true });
    const b = await run(`id -u; ${DRIVER_PID}`, { sudo: true });
    expect(a.split('\n')[0]).toBe('0');
    expect(driverOf(b)).toBe(driverOf(a));
    expect(driverOf(a)).not.toBe(userDriver);
    const owner = fs.statSync(`/proc/${driverOf(a)}`).uid;
    expect(owner).toBe(0);
  });

  it('an ansible_become user gets its own session through `sudo -n -u`, apart from the login user\'s and root\'s', async () => {
    const asNobody = fixtureHost(f, 0, { become: { user: 'nobody' } });
    const nobodyUid = Number(fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))!.split(':')[2]);
    const userDriver = driverOf(await run(DRIVER_PID));
    const rootDriver = driverOf(await run(DRIVER_PID, { sudo: true }));
    const a = await run(`id -un; ${DRIVER_PID}`, {}, 0, asNobody);
    const b = await run(`id -un; ${DRIVER_PID}`, {}, 0, asNobody);
    expect(a.split('\n')[0]).toBe('nobody');
    expect(driverOf(b)).toBe(driverOf(a)); // one session, fed step after step
    expect([userDriver, rootDriver]).not.toContain(driverOf(a));
    expect(fs.statSync(`/proc/${driverOf(a)}`).uid).toBe(nobodyUid);
    const parent = fs.readFileSync(`/proc/${driverOf(a)}/stat`, 'utf8').split(') ')[1].split(' ')[1];
    expect(fs.readFileSync(`/proc/${parent}/cmdline`, 'utf8').split('\0').join(' ').trim()).toBe('sudo -n -u nobody bash -s');
    // a sudo step on that host still runs as root, in the root session
    expect(driverOf(await run(DRIVER_PID, { sudo: true }, 0, asNobody))).toBe(rootDriver);
  });

  it('abort of a become user\'s step kills its process tree (as root, since sudo started it)', async () => {
    const asNobody = fixtureHost(f, 1, { become: { user: 'nobody' } });
    const out = collector();
    const ac = new AbortController();
    const running = ssh.exec(asNobody, TERM_IGNORING_TREE, { signal: ac.signal, onData: out.onData });
    await out.waitForText('ready');
    // The inner subshell prints its sleeper's pid in the background: it may come after "ready".
    await waitUntil(() => pidsIn(out.text()).length === 4, 5000, 'all four pids');
    const pids = pidsIn(out.text());
    ac.abort();
    expect((await running).aborted).toBe(true);
    await waitUntil(() => pids.every(processGone), 5000, 'every process of the aborted step to be gone');
    expect(await run('id -un', {}, 1, asNobody)).toBe('nobody\n');
  });

  it('a shell killed mid-step makes the step interrupted (its tree stopped) and the next step runs in a fresh shell', async () => {
    const host = fixtureHost(f, 1);
    const out = collector();
    const running = ssh.exec(host, `${DRIVER_PID}; sleep 300 & echo "pid $!"; echo ready; wait`, { onData: out.onData });
    await out.waitForText('ready');
    const driver = driverOf(out.text());
    const [sleeper] = pidsIn(out.text());
    process.kill(driver, 'SIGKILL');
    const err = await running.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepInterruptedError);
    expect((err as Error).message).toMatch(/shell session ended \(killed by SIGKILL\)/);
    await waitUntil(() => processGone(sleeper), 5000, 'the orphaned step to be stopped');
    const next = driverOf(await run(DRIVER_PID, {}, 1));
    expect(next).not.toBe(driver);
  });

  it('per step, session=exec still opens its own exec channel', async () => {
    const where = 'if [ "$BASHPID" = "$$" ]; then cat /proc/$PPID/comm; else echo session; fi';
    expect(await run(where)).toBe('session\n');
    expect(await run(where, { session: 'exec' })).toBe('sshd\n');
  });

  it('falls back to one exec per step where the session shell cannot start', async () => {
    const noShell = fixtureTransport(f, { defaultSession: 'shell', sessionShell: 'no-such-shell-here' });
    try {
      const out = collector();
      const r = await noShell.exec(fixtureHost(f, 0), 'echo fallback; [ "$BASHPID" = "$$" ] && cat /proc/$PPID/comm', { onData: out.onData });
      expect(r.exitCode).toBe(0);
      expect(out.text('stdout')).toBe('fallback\nsshd\n');
    } finally {
      await noShell.close();
    }
  });
});
