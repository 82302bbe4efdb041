// Per-attempt markers on the host (attemptMarker.ts), written by the step wrapper run here by a local
// bash: a new attempt removes the earlier attempts' markers of the same step and host, by name, and
// leaves every other marker in the directory alone. The check of a session step's marker waits for
// the session shell that records its end, while that shell lives.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { markerCheckScript } from '../../src/engine/transport/attemptMarker.js';
import { wrapScript } from '../../src/engine/transport/script.js';
import { waitUntil } from './support.js';

const dir = `/tmp/runbook-${process.geteuid!()}`;
const key = randomBytes(12).toString('hex');
const other = randomBytes(12).toString('hex');
const created: string[] = [];

function runAttempt(attempt: number, body = 'echo hi'): void {
  const r = spawnSync('bash', ['-s'], { input: wrapScript(body, undefined, `${key}-${attempt}`), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  created.push(`${key}-${attempt}`);
}

function plant(name: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(`${dir}/${name}`, 'pid 1\n');
  created.push(name);
}

afterAll(() => {
  for (const n of created) rmSync(`${dir}/${n}`, { force: true });
});

describe('attempt markers', () => {
  it('an attempt writes its marker with its exit code', () => {
    runAttempt(1);
    expect(readFileSync(`${dir}/${key}-1`, 'utf8')).toMatch(/^pid \d+\n[\s\S]*\nexit 0\nended \d+\n$/);
  });

  it('a new attempt removes the earlier attempts\' markers of the same step and host', () => {
    plant(`${key}-2`);
    runAttempt(3);
    expect(existsSync(`${dir}/${key}-1`)).toBe(false);
    expect(existsSync(`${dir}/${key}-2`)).toBe(false);
    expect(existsSync(`${dir}/${key}-3`)).toBe(true);
  });

  it('leaves the markers of other steps, hosts and state files alone', () => {
    plant(`${other}-1`);
    runAttempt(4);
    expect(existsSync(`${dir}/${other}-1`)).toBe(true);
  });

  describe('the check of a session step\'s marker (its end written by the session shell, the writer)', () => {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const startTime = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
    /** A marker whose step's shell has ended (its pid is gone) and whose end is not written yet. */
    function endedStepMarker(name: string, writer: string): void {
      const gone = spawnSync('bash', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
      plant(name);
      writeFileSync(`${dir}/${name}`, `pid ${gone}\npgid ${gone}\nstarttime 1\nboot ${boot}\nstarted 1700000000\nwriter ${writer}\n`);
    }

    it('while the writer lives, it waits for the end the writer records, and reports it', async () => {
      const writer = spawn('sleep', ['60'], { stdio: 'ignore' });
      const name = `${key}-50`;
      try {
        endedStepMarker(name, `${writer.pid} ${startTime(writer.pid!)}`);
        const check = spawn('bash', ['-s'], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        check.stdout.on('data', (d: Buffer) => (out += d.toString()));
        check.stdin.end(markerCheckScript(name, 0));
        // the check is waiting (its sleep between looks is running) before the end is written
        const sleeping = (): boolean => readdirSync('/proc').some((p) => /^\d+$/.test(p) && (() => {
          try {
            const st = readFileSync(`/proc/${p}/stat`, 'utf8');
            return st.includes('(sleep)') && st.split(') ')[1].split(' ')[1] === String(check.pid);
          } catch {
            return false;
          }
        })());
        await waitUntil(sleeping, 10_000, 'the check to wait for the writer');
        appendFileSync(`${dir}/${name}`, 'exit 3\nended 1700000005\n');
        await new Promise((r) => check.on('close', r));
        expect(out).toBe('runbook-attempt ended 3 1700000005\n');
      } finally {
        writer.kill();
      }
    });

    it('once the writer is gone too, an end not written is reported gone at once', () => {
      const name = `${key}-51`;
      const deadWriter = spawnSync('bash', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
      endedStepMarker(name, `${deadWriter} 1`);
      const r = spawnSync('bash', ['-s'], { input: markerCheckScript(name, 0), encoding: 'utf8', timeout: 5_000 });
      expect(r.stdout).toBe('runbook-attempt gone\n');
    });
  });
});
