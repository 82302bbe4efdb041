// Needs root: mounts a 64 KiB tmpfs, fills it, then remounts it read-only.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openState, type StateHandle } from '../../src/engine/state/stateFile.js';
import { StateError } from '../../src/engine/errors.js';
import { rec } from './helpers.js';

let mnt: string;
const runbookPath = '/srv/books/site.md';

beforeAll(() => {
  mnt = mkdtempSync(path.join(os.tmpdir(), 'runbook-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
});

afterAll(() => {
  try {
    execFileSync('umount', [mnt]);
  } finally {
    rmSync(mnt, { recursive: true, force: true });
  }
});

/** Fill the file system until a write fails with ENOSPC. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 'x');
  for (let i = 0; ; i++) {
    try {
      writeFileSync(path.join(dir, `fill-${i}`), chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw e;
    }
  }
}

async function recordSome(h: StateHandle, step: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) h.set(step, `host${i}`, rec());
  await h.flush();
}

describe('state write failures', () => {
  it('ENOSPC: the flush rejects with a StateError saying why, the handle stays failed, earlier records stay loadable', async () => {
    const stateFile = path.join(mnt, 'full', 'site.state.jsonl');
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    await recordSome(h, 'before', 5);
    fill(path.join(mnt, 'full'));

    const big = 'y'.repeat(8192);
    for (let i = 0; i < 10; i++) h.set('after', `host${i}`, rec('ok', { message: big }));
    const err = await h.flush().catch((e) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe(`cannot write state file ${stateFile}: no space left on device`);
    expect(h.failed).toBe(err);

    h.set('later', 'host0', rec());
    await expect(h.flush()).rejects.toBe(err);
    await expect(h.close()).rejects.toBe(err);
    expect(existsSync(`${stateFile}.lock`)).toBe(false);

    const back = await openState({ stateFile, runbookPath, mode: 'read' });
    for (let i = 0; i < 5; i++) expect(back.get('before', `host${i}`)).toEqual(rec());
    expect(back.get('later', 'host0')).toBeUndefined();
    execFileSync('sh', ['-c', `rm -f ${path.join(mnt, 'full')}/fill-*`]);
  });

  it('EROFS: the flush rejects with a StateError, and the file still loads every record flushed before', async () => {
    const stateFile = path.join(mnt, 'ro', 'site.state.jsonl');
    const failures: StateError[] = [];
    const h = await openState({ stateFile, runbookPath, mode: 'write', onFailure: (e) => failures.push(e) });
    await recordSome(h, 'before', 3);
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      h.set('after', 'host0', rec());
      const err = await h.flush().catch((e) => e);
      expect(err).toBeInstanceOf(StateError);
      expect(err.exitCode).toBe(4);
      expect(err.message).toBe(`cannot write state file ${stateFile}: read-only file system`);
      expect(h.failed).toBe(err);
      expect(failures).toEqual([err]);
      const back = await openState({ stateFile, runbookPath, mode: 'read' });
      expect(back.snapshot()).toEqual({ before: { host0: rec(), host1: rec(), host2: rec() } });
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
    }
    await h.close().catch(() => undefined);
  });

  it('refuses to open for writing on a read-only file system with a StateError, not a raw error', async () => {
    const stateFile = path.join(mnt, 'ro2', 'site.state.jsonl');
    await (await openState({ stateFile, runbookPath, mode: 'write' })).close();
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      const err = await openState({ stateFile, runbookPath, mode: 'write' }).catch((e) => e);
      expect(err).toBeInstanceOf(StateError);
      expect(err.exitCode).toBe(4);
      expect(err.message).toMatch(/read-only file system/);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
    }
  });
});
