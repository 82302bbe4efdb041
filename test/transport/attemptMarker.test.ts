// Per-attempt markers on the host (attemptMarker.ts), written by the step wrapper run here by a local
// bash: a new attempt removes the earlier attempts' markers of the same step and host, by name, and
// leaves every other marker in the directory alone.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { wrapScript } from '../../src/engine/transport/script.js';

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
});
