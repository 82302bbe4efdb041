import { describe, it, expect } from 'vitest';
import { readFileSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { COALESCE_BYTES, HIGH_WATER, HOLD_AT, logBytesWaiting, openStepLog, safeFileComponent, SMALL_WRITE } from '../../src/engine/state/logs.js';
import { readsHeld } from '../../src/engine/transport/fairReads.js';
import { resolveStatePaths } from '../../src/engine/state/paths.js';
import { tempDir } from './helpers.js';

function paths() {
  const cwd = tempDir();
  return resolveStatePaths('site.md', { cwd });
}

describe('step logs', () => {
  it('writes <logsDir>/<step>/<host>.<attempt>.log and returns its path relative to the state dir', async () => {
    const p = paths();
    const log = await openStepLog(p, 'init', 'cp1', 2);
    log.write('hello\n');
    await log.close();
    expect(log.path).toBe(path.join('logs', 'site', 'init', 'cp1.2.log'));
    expect(readFileSync(path.join(p.dir, log.path), 'utf8')).toBe('hello\n');
  });

  it('stores bytes exactly as given, binary and invalid UTF-8 included', async () => {
    const p = paths();
    const data = Buffer.concat([randomBytes(100_000), Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a])]);
    const log = await openStepLog(p, 's', 'h', 1);
    for (let i = 0; i < data.length; i += 7000) log.write(data.subarray(i, i + 7000));
    log.write('ünïcode');
    await log.close();
    expect(readFileSync(log.absolutePath).equals(Buffer.concat([data, Buffer.from('ünïcode')]))).toBe(true);
    expect(log.bytes).toBe(data.length + Buffer.byteLength('ünïcode'));
  });

  it('never leaves more than HIGH_WATER bytes waiting for the disk, however fast the writer', async () => {
    const p = paths();
    const log = await openStepLog(p, 'big', 'h', 1);
    const chunk = Buffer.alloc(1 << 20, 'z');
    for (let i = 1; i <= 64; i++) {
      log.write(chunk);
      // What is not on disk yet is at most HIGH_WATER bytes (the rest was written in line).
      expect(i * chunk.length - statSync(log.absolutePath).size).toBeLessThanOrEqual(HIGH_WATER);
    }
    await log.close();
    expect(statSync(log.absolutePath).size).toBe(64 * chunk.length);
  });

  it('holds the SSH reads while HOLD_AT bytes wait for the disk, and lets them go once written', async () => {
    const p = paths();
    const log = await openStepLog(p, 'held', 'h', 1);
    const chunk = Buffer.alloc(256 * 1024, 'y');
    // Written in one go, nothing has reached the disk yet: everything is waiting.
    for (let i = 0; i < HOLD_AT / chunk.length - 1; i++) log.write(chunk);
    expect(readsHeld()).toBe(false);
    log.write(chunk);
    expect(readsHeld()).toBe(true);
    await log.close();
    expect(readsHeld()).toBe(false);
    expect(statSync(log.absolutePath).size).toBe(HOLD_AT);
  });

  it('writes a lone small chunk to the disk without waiting for more output or for close', async () => {
    const p = paths();
    const log = await openStepLog(p, 'lone', 'h', 1);
    log.write('the only line so far\n');
    const until = Date.now() + 10_000;
    while (statSync(log.absolutePath).size === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(readFileSync(log.absolutePath, 'utf8')).toBe('the only line so far\n');
    await log.close();
  });

  it('keeps the bytes in order whatever order the writes complete in', async () => {
    const p = paths();
    const log = await openStepLog(p, 'order', 'h', 1);
    const parts = Array.from({ length: 2000 }, (_, i) => `line ${i}\n`);
    for (const part of parts) log.write(part);
    await log.close();
    expect(readFileSync(log.absolutePath, 'utf8')).toBe(parts.join(''));
  });

  it('writes a small step log in line when no log write waits for the disk: its bytes are in the file as close() is called', async () => {
    const p = paths();
    const log = await openStepLog(p, 'small', 'h', 1);
    log.write('### runbook: header\n');
    log.write('step-1\n');
    const closing = log.close();
    // Nothing was handed to the thread pool: no callback had a chance to run, yet all is written.
    expect(logBytesWaiting()).toBe(0);
    expect(readFileSync(log.absolutePath, 'utf8')).toBe('### runbook: header\nstep-1\n');
    await closing;
  });

  it('writes asynchronously while another log write waits for the disk, and keeps every byte in order', async () => {
    const p = paths();
    const a = await openStepLog(p, 'stream', 'h1', 1);
    const b = await openStepLog(p, 'small', 'h2', 1);
    const big = Buffer.alloc(COALESCE_BYTES, 'a');
    expect(big.length).toBeGreaterThan(SMALL_WRITE);
    a.write(big); // a full batch, larger than a small write: handed to the thread pool
    expect(logBytesWaiting()).toBe(big.length);
    b.write('small\n');
    const closing = b.close();
    // a's write still waits (no callback ran), so b's small batch went to the thread pool too.
    expect(logBytesWaiting()).toBe(big.length + 'small\n'.length);
    await closing;
    a.write('tail\n');
    await a.close();
    expect(logBytesWaiting()).toBe(0);
    expect(readFileSync(b.absolutePath, 'utf8')).toBe('small\n');
    expect(readFileSync(a.absolutePath).equals(Buffer.concat([big, Buffer.from('tail\n')]))).toBe(true);
  });

  it('keeps the bytes in order when small in-line and large asynchronous batches alternate', async () => {
    const p = paths();
    const log = await openStepLog(p, 'mixed', 'h', 1);
    const parts: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const part = i % 3 === 0 ? Buffer.alloc(COALESCE_BYTES + i, String.fromCharCode(97 + (i % 26))) : Buffer.from(`line ${i}\n`);
      parts.push(part);
      log.write(part);
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 25)); // a timer flush of what was gathered
    }
    await log.close();
    expect(readFileSync(log.absolutePath).equals(Buffer.concat(parts))).toBe(true);
  });

  it('keeps hostile step and host names inside the step log directory', async () => {
    const p = paths();
    for (const [step, host] of [['../../etc', '../passwd'], ['.', '..'], ['a/b', 'fe80::1%eth0'], ['', ' sp ace']]) {
      const log = await openStepLog(p, step, host, 1);
      await log.close();
      const rel = path.relative(p.logsDir, log.absolutePath);
      expect(rel.startsWith('..')).toBe(false);
      expect(rel.split(path.sep)).toHaveLength(2);
    }
  });

  it('maps distinct names to distinct file names', () => {
    const names = ['a/b', 'a%2Fb', 'a_b', '.x', '%2Ex', 'x', '', '%', 'é', 'e\u0301', 'A', 'a'.repeat(300), 'a'.repeat(299) + 'b'];
    const out = names.map(safeFileComponent);
    expect(new Set(out).size).toBe(names.length);
    for (const o of out) expect(o).toMatch(/^[A-Za-z0-9_%~-][A-Za-z0-9_.%~-]*$/);
    for (const o of out) expect(o.length).toBeLessThanOrEqual(150);
  });

  it('never overwrites an existing log: a second log for the same attempt gets a suffix', async () => {
    const p = paths();
    const a = await openStepLog(p, 's', 'h', 1);
    a.write('first');
    await a.close();
    const b = await openStepLog(p, 's', 'h', 1);
    b.write('second');
    await b.close();
    expect(b.path).toBe(path.join('logs', 'site', 's', 'h.1-2.log'));
    expect(readFileSync(a.absolutePath, 'utf8')).toBe('first');
    expect(readdirSync(path.dirname(a.absolutePath)).sort()).toEqual(['h.1-2.log', 'h.1.log']);
  });

  it('creates log files 0600 and their directories 0700', async () => {
    const p = paths();
    const log = await openStepLog(p, 's', 'h', 1);
    await log.close();
    expect(statSync(log.absolutePath).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(log.absolutePath)).mode & 0o777).toBe(0o700);
    expect(statSync(p.logsDir).mode & 0o777).toBe(0o700);
    expect(statSync(p.dir).mode & 0o777).toBe(0o700);
  });
});
