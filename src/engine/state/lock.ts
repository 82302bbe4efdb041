// The state lock: one player per state file. A small JSON file created atomically with link(2),
// so it always holds complete content; a lock whose holder died on this host is taken over.
import { constants as FS, promises as fsp, readFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StateError } from '../errors.js';
import { describeFsError, ensureDir, FILE_MODE, fsyncDir, tempNameFor, writeNewFileDurably } from './fsUtil.js';

/** What a lock file says about its holder: nothing more (never the command line, which may carry --var values). */
export interface LockInfo {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string; // ISO
  /** The command's name only: "runbook run", "runbook reset". */
  readonly command?: string;
}

/**
 * The name of a command, never its arguments: "runbook run" from "runbook run site.md --var x=y"
 * or from "/usr/lib/node_modules/runbook/bin/runbook run ...". Lock files written by older
 * versions held the whole command line; this is all that is shown of them too.
 */
export function commandName(command: string | undefined): string | undefined {
  const words = command?.trim().split(/\s+/) ?? [];
  if (words.length === 0 || words[0] === '') return undefined;
  const program = path.basename(words[0]).replace(/[^A-Za-z0-9._-]/g, '');
  const sub = words[1] !== undefined && /^[a-z][a-z-]{0,30}$/.test(words[1]) ? ` ${words[1]}` : '';
  return program ? `${program}${sub}` : undefined;
}

/** A held lock. release() removes the lock file if it is still ours. */
export interface StateLock {
  readonly lockFile: string;
  readonly info: LockInfo;
  release(): Promise<void>;
}

/** Locks held by this process: lock file -> exact content written (for the exit safety net). */
const held = new Map<string, string>();
let exitHookInstalled = false;

/** Synchronously remove every lock this process still holds (runs on process 'exit'). */
export function releaseHeldLocksSync(): void {
  for (const [file, content] of held) {
    try {
      if (readFileSync(file, 'utf8') === content) unlinkSync(file);
    } catch {
      // already gone or unreadable: nothing we can do at exit
    }
  }
  held.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', releaseHeldLocksSync);
}

/** True unless the pid certainly does not exist on this host (kill(pid, 0) -> ESRCH). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function stateFileOf(lockFile: string): string {
  return lockFile.endsWith('.lock') ? lockFile.slice(0, -'.lock'.length) : lockFile;
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (!v || typeof v !== 'object') return undefined;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return undefined;
    if (typeof v.hostname !== 'string' || typeof v.startedAt !== 'string') return undefined;
    return { pid: v.pid, hostname: v.hostname, startedAt: v.startedAt, command: typeof v.command === 'string' ? commandName(v.command) : undefined };
  } catch {
    return undefined;
  }
}

function inUseError(lockFile: string, h: LockInfo): StateError {
  const state = stateFileOf(lockFile);
  const cmd = h.command ? ` (command ${h.command})` : '';
  const sameHost = h.hostname === os.hostname();
  return new StateError(`state file ${state} is in use by pid ${h.pid} on ${h.hostname} since ${h.startedAt}${cmd}`, {
    file: state,
    hint: sameHost
      ? `wait for that player to finish or stop it; if pid ${h.pid} is not a runbook player, remove ${lockFile}`
      : `the lock was taken on another machine; if no player runs there any more, remove ${lockFile}`,
  });
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Publish `tmp` (complete content) as `lockFile` unless it exists. Returns false on EEXIST. */
async function publish(tmp: string, lockFile: string, content: string): Promise<boolean> {
  try {
    await fsp.link(tmp, lockFile);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  }
  // File systems without hard links: exclusive create, then write.
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(lockFile, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL, FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

/**
 * Remove a lock file whose holder is dead, but only if it is still exactly the content we judged
 * stale: it is renamed to a private name first; if what we moved turns out to be a fresh lock
 * (another player took over in between), it is linked back and left alone.
 */
async function removeStale(lockFile: string, staleText: string): Promise<void> {
  const moved = tempNameFor(lockFile, 'stale');
  try {
    await fsp.rename(lockFile, moved);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const movedText = await readIfExists(moved);
  if (movedText !== staleText) await fsp.link(moved, lockFile).catch(() => undefined);
  await fsp.unlink(moved).catch(() => undefined);
}

/**
 * Take the lock `lockFile` for this process. Throws StateError (exit 4) naming the holder when a
 * live process holds it (this process included, or any process on another host); a lock left by a
 * dead process on this host is taken over. Released by release(), or at process exit.
 */
export async function acquireLock(lockFile: string, opts: { command?: string } = {}): Promise<StateLock> {
  const info: LockInfo = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), command: commandName(opts.command) };
  const content = JSON.stringify(info) + '\n';
  const fail = (e: unknown): StateError =>
    e instanceof StateError
      ? e
      : new StateError(`cannot create lock file ${lockFile}: ${describeFsError(e)}`, {
          file: stateFileOf(lockFile),
          hint: 'check that the state directory exists and is writable',
        });
  let tmp: string | undefined;
  try {
    await ensureDir(path.dirname(lockFile));
    await removeDeadTemps(lockFile);
    tmp = tempNameFor(lockFile, 'new');
    await writeNewFileDurably(tmp, content);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await publish(tmp, lockFile, content)) {
        await fsyncDir(path.dirname(lockFile));
        installExitHook();
        held.set(lockFile, content);
        return { lockFile, info, release: () => releaseLock(lockFile, content) };
      }
      const text = await readIfExists(lockFile);
      if (text === undefined) continue; // released meanwhile: try again
      const holder = parseLock(text);
      if (!holder) {
        throw new StateError(`lock file ${lockFile} is unreadable (not written by runbook, or damaged)`, {
          file: stateFileOf(lockFile),
          hint: `if no runbook player is using ${stateFileOf(lockFile)}, remove ${lockFile}`,
        });
      }
      if (holder.hostname !== info.hostname || isPidAlive(holder.pid)) throw inUseError(lockFile, holder);
      await removeStale(lockFile, text);
    }
    throw new StateError(`cannot take lock ${lockFile}: it keeps changing hands`, {
      file: stateFileOf(lockFile),
      hint: 'another runbook player is starting on the same state file; try again',
    });
  } catch (e) {
    throw fail(e);
  } finally {
    if (tmp) await fsp.unlink(tmp).catch(() => undefined);
  }
}

/**
 * Remove the temporary files a killed process left next to the lock and the state file
 * (`.<name>.lock.new-PID-*`, `.<name>.lock.stale-PID-*`, `.<name>.tmp-PID-*`) when PID is dead
 * on this host. Files of live processes are theirs; anything else is left alone.
 */
export async function removeDeadTemps(lockFile: string): Promise<void> {
  const dir = path.dirname(lockFile);
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lockBase = esc(path.basename(lockFile));
  const stateBase = esc(path.basename(stateFileOf(lockFile)));
  const temp = new RegExp(`^\\.(?:${lockBase}\\.(?:new|stale)|${stateBase}\\.tmp)-(\\d+)-[0-9a-f]{8}$`);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = temp.exec(name);
    if (!m || Number(m[1]) === process.pid || isPidAlive(Number(m[1]))) continue;
    const file = path.join(dir, name);
    const st = await fsp.lstat(file).catch(() => undefined);
    if (st?.isFile()) await fsp.unlink(file).catch(() => undefined);
  }
}

async function releaseLock(lockFile: string, content: string): Promise<void> {
  if (!held.has(lockFile) || held.get(lockFile) !== content) return;
  held.delete(lockFile);
  const text = await readIfExists(lockFile).catch(() => undefined);
  if (text === content) {
    await fsp.unlink(lockFile).catch(() => undefined);
    await fsyncDir(path.dirname(lockFile)).catch(() => undefined);
  }
}
