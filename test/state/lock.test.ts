import { describe, it, expect, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openState } from '../../src/engine/state/stateFile.js';
import { acquireLock, releaseHeldLocksSync } from '../../src/engine/state/lock.js';
import { StateError } from '../../src/engine/errors.js';
import { setup } from './helpers.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function writeLock(lockFile: string, pid: number, hostname = os.hostname()): void {
  mkdirSync(path.dirname(lockFile), { recursive: true });
  writeFileSync(lockFile, JSON.stringify({ pid, hostname, startedAt: '2024-05-01T10:00:00.000Z', command: 'runbook run site.md' }) + '\n');
}

/** pid of a child that has exited (and been reaped), i.e. a dead process. */
async function deadPid(): Promise<number> {
  const c = spawn('true');
  const pid = c.pid!;
  await new Promise<void>((resolve) => c.on('exit', () => resolve()));
  return pid;
}

describe('state lock', () => {
  it('refuses a second writer in the same process, naming this pid and the command name (never its arguments)', async () => {
    const { stateFile, runbookPath } = setup();
    const a = await openState({ stateFile, runbookPath, mode: 'write', command: 'runbook run site.md --var db_password=x1y2z3' });
    const err = await openState({ stateFile, runbookPath, mode: 'write' }).catch((e) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toContain(`state file ${stateFile} is in use by pid ${process.pid} on ${os.hostname()}`);
    expect(err.message).toContain('(command runbook run)');
    expect(err.message).not.toContain('x1y2z3');
    await a.close();
  });

  it('refuses a lock held by a live process (a sleeping child) and names its pid', async () => {
    const { stateFile, runbookPath } = setup();
    const child = spawn('sleep', ['60']);
    children.push(child);
    writeLock(`${stateFile}.lock`, child.pid!);
    const err = await openState({ stateFile, runbookPath, mode: 'write' }).catch((e) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toContain(`pid ${child.pid}`);
    expect(err.message).toContain('since 2024-05-01T10:00:00.000Z');
    expect(JSON.parse(readFileSync(`${stateFile}.lock`, 'utf8')).pid).toBe(child.pid);
  });

  it('refuses a lock taken on another host, whatever its pid', async () => {
    const { stateFile, runbookPath } = setup();
    const pid = await deadPid();
    writeLock(`${stateFile}.lock`, pid, 'some-other-host.example');
    const err = await openState({ stateFile, runbookPath, mode: 'write' }).catch((e) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toContain('on some-other-host.example');
  });

  it('takes over a stale lock left by a process that exited', async () => {
    const { stateFile, runbookPath } = setup();
    const pid = await deadPid();
    writeLock(`${stateFile}.lock`, pid);
    const h = await openState({ stateFile, runbookPath, mode: 'write', command: 'me' });
    expect(JSON.parse(readFileSync(`${stateFile}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, hostname: os.hostname(), command: 'me' });
    await h.close();
  });

  it('refuses an unreadable lock file instead of guessing', async () => {
    const { stateFile, runbookPath } = setup();
    mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileSync(`${stateFile}.lock`, 'garbage');
    const err = await openState({ stateFile, runbookPath, mode: 'write' }).catch((e) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err.hint).toContain(`${stateFile}.lock`);
  });

  it('releases the lock on close so the next writer can open', async () => {
    const { stateFile, runbookPath } = setup();
    const a = await openState({ stateFile, runbookPath, mode: 'write' });
    await a.close();
    expect(existsSync(`${stateFile}.lock`)).toBe(false);
    const b = await openState({ stateFile, runbookPath, mode: 'write' });
    await b.close();
  });

  it('lets exactly one of many concurrent writers win', async () => {
    const { stateFile, runbookPath } = setup();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => openState({ stateFile, runbookPath, mode: 'write' })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StateError);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof openState>>>).value.close();
  });

  it('removes held locks synchronously in the process exit safety net', async () => {
    const { dir } = setup();
    const lockFile = path.join(dir, 'x.lock');
    await acquireLock(lockFile);
    expect(existsSync(lockFile)).toBe(true);
    releaseHeldLocksSync();
    expect(existsSync(lockFile)).toBe(false);
  });
});
