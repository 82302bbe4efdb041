// Per-step, per-host, per-attempt output logs: `<logsDir>/<step>/<host>.<attempt>.log`.
//
// Writes are positional: each chunk reserves its byte range when it arrives, so the file is the
// exact byte sequence given whatever order the writes complete in. Output is written
// asynchronously whenever the disk is busy (the event loop does not wait on it, which matters while
// the state journal fsyncs on the same file system; small writes of an idle disk: below). Transports deliver output through an onData callback that
// cannot be paused, so when more than HIGH_WATER bytes are waiting for the disk, chunks are
// written synchronously instead: a disk slower than the network slows the event loop rather than
// filling memory (a 500 MB stream never holds more than HIGH_WATER bytes per log). Before it comes
// to that, from HOLD_AT bytes waiting, the SSH connections are held (transport/fairReads.ts): they
// stop reading until the disk caught up, so the hosts wait under SSH flow control and the event loop
// (the player's keys) does not wait on the disk.
//
// Chunks are gathered into one positional writev of up to COALESCE_BYTES, or what arrived within
// COALESCE_MS: 30 hosts streaming 1 MB/s each made thousands of 16-32 KB writes a second, and
// handing each to the thread pool took a tenth of the player's CPU (bench:tui-fleet profile). What
// is gathered and not yet handed over is at most COALESCE_MS of output; close() writes it before
// the step's record is written, as before.
//
// A gathered batch of at most SMALL_WRITE bytes is written in line (writeSync) when no log write of
// this process is waiting for the disk, and the file is closed in line: a thread-pool round trip
// (a worker woken, its completion handed back to the event loop) cost ~0.15 ms of CPU on the 2-core
// lab VM against ~0.03 ms for the write itself, and a trivial host-step made four (open, header,
// output and footer, close; docs/speed-history.md, 2026-12-02). The open (a new directory entry)
// stays off the event loop, and so does every write while another one waits for the disk (a stream,
// a slow disk): there the event loop keeps not waiting on the disk.
import { closeSync, constants as FS, open as openCb, writev as writevAsync, writeSync, writevSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { EXIT, StateError } from '../errors.js';
import { describeFsError, DIR_MODE, FILE_MODE } from './fsUtil.js';
import type { StatePaths } from './paths.js';
import { holdReads } from '../transport/fairReads.js';

/** An open step log. */
export interface StepLog {
  /** Path of the log relative to paths.dir (what HostStepRecord.log stores). */
  readonly path: string;
  /** Absolute path of the log. */
  readonly absolutePath: string;
  /** Append bytes exactly as given (strings as UTF-8). Never throws; a failure is kept in `error`. */
  write(chunk: Buffer | string): void;
  /** Bytes written so far. */
  readonly bytes: number;
  /** The first write failure, if any (later writes are dropped). */
  readonly error: StateError | undefined;
  /** Close the file. Rejects with `error` (StateError, exit 4) if any write failed. */
  close(): Promise<void>;
}

const MAX_COMPONENT = 150;
/** fs.open as a promise of a plain descriptor (a FileHandle would close itself when collected). */
const openFd = promisify(openCb);
/** Step log directories this process has created (or found) already, or is creating now. */
const madeDirs = new Map<string, Promise<unknown>>();
/** Bytes that may wait for the disk before writes turn synchronous (see the top of this file). */
export const HIGH_WATER = 4 * 1024 * 1024;
/** Bytes waiting for the disk from which SSH reads are held (released below half of it). */
export const HOLD_AT = HIGH_WATER / 2;
/** Chunks gathered into one write: at most this many bytes... */
export const COALESCE_BYTES = 256 * 1024;
/** ...or what arrived within this many milliseconds. */
export const COALESCE_MS = 20;
/** A gathered batch up to this size is written in line while no log write waits for the disk (see the top). */
export const SMALL_WRITE = 64 * 1024;
/** Bytes of every step log of this process handed to asynchronous writes that have not completed. */
let waitingAll = 0;
/** Bytes of this process's step logs waiting for the disk in asynchronous writes (for tests). */
export function logBytesWaiting(): number {
  return waitingAll;
}

/**
 * Turn any step id or host name into one safe file-name component: letters, digits, `_`, `-`
 * and `.` are kept; every other byte (including `/`, `%`, spaces, `:`) becomes `%XX`; a leading
 * `.` is encoded so no name is hidden or means `.`/`..`; the empty name becomes `%`. Distinct
 * names give distinct components (very long names are cut and suffixed with a hash).
 */
export function safeFileComponent(name: string): string {
  if (name === '') return '%';
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.startsWith('.')) out = `%2E${out.slice(1)}`;
  if (out.length > MAX_COMPONENT) {
    out = `${out.slice(0, MAX_COMPONENT - 18)}~${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
  }
  return out;
}

/**
 * Create a new log for one attempt of a step on a host (file 0600, directories 0700). An existing
 * log is never overwritten (creation runs off the event loop): if the name is taken (e.g. attempts restarted after a reset), a
 * `-2`, `-3`, ... suffix is added before `.log`. Throws StateError (exit 4) if it cannot be created.
 */
export async function openStepLog(paths: StatePaths, stepId: string, host: string, attempt: number): Promise<StepLog> {
  const dir = path.join(paths.logsDir, safeFileComponent(stepId));
  const base = `${safeFileComponent(host)}.${attempt}`;
  let fd = -1;
  let abs = '';
  try {
    // One mkdir per step directory, not one per host and attempt: the hosts of a step that start
    // together wait for the same mkdir (a directory removed since is made again).
    let made = true;
    let making = madeDirs.get(dir);
    if (!making) madeDirs.set(dir, (making = mkdir(dir, { recursive: true, mode: DIR_MODE })));
    try {
      await making;
    } catch (e) {
      madeDirs.delete(dir);
      throw e;
    }
    for (let n = 1; fd < 0; n++) {
      abs = path.join(dir, n === 1 ? `${base}.log` : `${base}-${n}.log`);
      try {
        fd = await openFd(abs, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL, FILE_MODE);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && made) {
          madeDirs.delete(dir);
          await mkdir(dir, { recursive: true, mode: DIR_MODE });
          madeDirs.set(dir, Promise.resolve());
          made = false; // only once
          n--;
          continue;
        }
        if (code !== 'EEXIST') throw e;
      }
    }
  } catch (e) {
    throw new StateError(`cannot create log file in ${dir}: ${describeFsError(e)}`, {
      file: abs || dir,
      exitCode: EXIT.STATE_UNAVAILABLE,
      hint: 'check free space and permissions of the state directory',
    });
  }

  let bytes = 0;
  let error: StateError | undefined;
  let closed = false;
  let waiting = 0; // bytes handed to asynchronous writes that have not completed
  let idle: (() => void) | undefined;
  let release: (() => void) | undefined;
  const unhold = (): void => {
    release?.();
    release = undefined;
  };
  const fail = (e: unknown): void => {
    error ??= new StateError(`cannot write log file ${abs}: ${describeFsError(e)}`, {
      file: abs,
      exitCode: EXIT.STATE_UNAVAILABLE,
      hint: 'free space or fix the file system; the step output after this point was not logged',
    });
  };
  const writeAt = (bufs: Buffer[], len: number, pos: number): void => {
    if (len <= SMALL_WRITE && waitingAll === 0) {
      // In line: nothing of ours waits for the disk, and a small write is cheaper than a round trip.
      try {
        for (let off = 0; off < len; ) {
          const n = writevSync(fd, off === 0 ? bufs : [Buffer.concat(bufs).subarray(off)], pos + off);
          off += n;
        }
      } catch (e) {
        fail(e);
      }
      return;
    }
    waiting += len;
    waitingAll += len;
    writevAsync(fd, bufs, pos, (e, n) => {
      waiting -= len;
      waitingAll -= len;
      if (e) fail(e);
      else if (n < len) writeAt([Buffer.concat(bufs).subarray(n)], len - n, pos + n); // short write: the rest
      if (release && (waiting < HOLD_AT / 2 || error)) unhold();
      if (waiting === 0) idle?.();
    });
  };
  // Chunks not handed to a write yet, from position `gatheredAt` on (stream chunks are never
  // reused by Node, so they are kept as they are, not copied).
  let gathered: Buffer[] = [];
  let gatheredBytes = 0;
  let gatheredAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (gatheredBytes === 0) return;
    const bufs = gathered;
    const len = gatheredBytes;
    gathered = [];
    gatheredBytes = 0;
    writeAt(bufs, len, gatheredAt);
  };
  return {
    path: path.relative(paths.dir, abs),
    absolutePath: abs,
    get bytes() {
      return bytes;
    },
    get error() {
      return error;
    },
    write(chunk: Buffer | string): void {
      if (closed || error) return;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (buf.length === 0) return;
      const pos = bytes;
      bytes += buf.length;
      if (waiting + gatheredBytes + buf.length <= HIGH_WATER) {
        if (gatheredBytes === 0) gatheredAt = pos;
        gathered.push(buf);
        gatheredBytes += buf.length;
        if (gatheredBytes >= COALESCE_BYTES) flush();
        else timer ??= setTimeout(flush, COALESCE_MS);
        if (waiting + gatheredBytes >= HOLD_AT && !release) release = holdReads();
        return;
      }
      flush();
      try {
        for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off, pos + off);
      } catch (e) {
        fail(e);
      }
    },
    async close(): Promise<void> {
      if (!closed) {
        closed = true;
        flush();
        if (waiting > 0) await new Promise<void>((resolve) => (idle = resolve));
        unhold();
        // Every write has completed: closing touches no data (as the journal's close, docs/reliability.md).
        try {
          closeSync(fd);
        } catch (e) {
          error ??= new StateError(`cannot close log file ${abs}: ${describeFsError(e)}`, { file: abs, exitCode: EXIT.STATE_UNAVAILABLE });
        }
      }
      if (error) throw error;
    },
  };
}
