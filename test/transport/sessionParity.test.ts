// 50 steps x 20 real sshd hosts give the same outcome (exit code, signal, stdout, stderr, byte for
// byte) in persistent-session mode and in one-exec-per-step mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import type { SessionMode } from '../../src/engine/transport/types.js';
import { fixtureHost, fixtureTransport } from './support.js';

const HOSTS = 20;
const STEPS = 50;

let f: SshFixture;
beforeAll(async () => {
  f = await startSshHosts(HOSTS, { namePrefix: 'par' });
}, 120_000);
afterAll(async () => {
  await f?.stop();
});

/** Step i on host h: a mix of exit codes, signals, both streams, no trailing newline, state that must not leak. */
function stepScript(h: number, i: number): string {
  switch (i % 6) {
    case 0: return `echo "h${h} s${i}"; exit ${(h + i) % 5}`;
    case 1: return `for n in 1 2 3; do echo "out $n"; echo "err $n" >&2; done; printf 'no newline ${i}'`;
    case 2: return i % 12 === 2 ? 'echo before; kill -TERM $BASHPID; echo never' : 'kill -KILL $BASHPID';
    case 3: return `printf '\\x00\\x01\\xff%s\\n' "${h}-${i}"; echo "\${LEAK-none} $(pwd)"; LEAK=set; cd /; export LEAK`;
    case 4: return `set -eo pipefail; false | true || echo "pipefail ${i}"; cat; echo "stdin done"`;
    default: return `x=$(seq 1 ${200 + i} | tail -n 1); echo "$x" >&2; test ${i % 4} -eq 1`;
  }
}

interface Outcome {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function runAll(mode: SessionMode): Promise<Outcome[][]> {
  const ssh = fixtureTransport(f, { defaultSession: mode });
  try {
    return await Promise.all(
      f.hosts.map(async (_, h) => {
        const host = fixtureHost(f, h);
        const outcomes: Outcome[] = [];
        for (let i = 0; i < STEPS; i++) {
          const parts = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
          const r = await ssh.exec(host, stepScript(h, i), { onData: (b, s) => parts[s].push(Buffer.from(b)) });
          outcomes.push({
            exitCode: r.exitCode,
            signal: r.signal,
            stdout: Buffer.concat(parts.stdout).toString('latin1'),
            stderr: Buffer.concat(parts.stderr).toString('latin1'),
          });
        }
        return outcomes;
      }),
    );
  } finally {
    await ssh.close();
  }
}

describe('session modes agree', () => {
  it('50 steps on 20 hosts give identical outcomes with persistent sessions and with one exec per step', async () => {
    const shell = await runAll('shell');
    const exec = await runAll('exec');
    expect(shell).toEqual(exec);
    // and the outcomes are the intended ones, not two equal wrong answers
    expect(shell[3][0]).toEqual({ exitCode: 3, signal: null, stdout: 'h3 s0\n', stderr: '' });
    expect(shell[0][2]).toEqual({ exitCode: null, signal: 'SIGTERM', stdout: 'before\n', stderr: '' });
    expect(shell[0][8]).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(shell[5][3].stdout).toMatch(/^\x00\x01\xff5-3\nnone \/\S+\n$/);
    expect(shell[5][9].stdout).toBe(shell[5][3].stdout.replace('5-3', '5-9')); // no LEAK, no cd from step 3
    expect(shell[1][4]).toEqual({ exitCode: 0, signal: null, stdout: 'pipefail 4\nstdin done\n', stderr: '' });
  }, 600_000);
});
