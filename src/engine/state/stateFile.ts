// The durable state handle: load (replay) the journal, append records in batches with one durable
// (O_DSYNC) write per batch, compact on open, and fail loudly (never silently) on write errors.
import { closeSync, constants as FS, fstatSync, openSync, promises as fsp, readFileSync, write as writeCb } from 'node:fs';
import path from 'node:path';
import { BugError, EXIT, StateError } from '../errors.js';
import type { HostStepRecord } from '../types.js';
import { atomicReplace, describeFsError, ensureDir, FILE_MODE, fsyncDir, tightenDir } from './fsUtil.js';
import {
  applyEntry,
  applyReset,
  countRecords,
  countTexts,
  headerLine,
  liveTexts,
  parseJournal,
  recLine,
  resetLine,
  sessionEndLine,
  sessionLine,
  setText,
  STATE_VERSION,
  textLine,
  type ParsedJournal,
  type RecordMap,
  type SessionMap,
  type SessionRecord,
  type TextMap,
} from './journal.js';
import { acquireLock, type StateLock } from './lock.js';
import { describeKind } from '../pathCheck.js';

export interface OpenStateOptions {
  readonly stateFile: string;
  readonly runbookPath: string;
  /** 'write' takes the lock and may repair/compact; 'read' takes no lock and writes nothing. */
  readonly mode: 'write' | 'read';
  /** Shown to a second player that finds the lock ("runbook run site.md"). */
  readonly command?: string;
  /** Called once when the handle fails (e.g. ENOSPC during an automatic flush). */
  readonly onFailure?: (err: StateError) => void;
}

export interface StateHandle {
  readonly stateFile: string;
  readonly mode: 'write' | 'read';
  /** step id -> host -> record, live (reflects set/reset immediately). */
  readonly records: ReadonlyMap<string, ReadonlyMap<string, HostStepRecord>>;
  /** A plain-object copy of records (the RunStore's shape). */
  snapshot(): Record<string, Record<string, HostStepRecord>>;
  get(stepId: string, host: string): HostStepRecord | undefined;
  /** Update memory and queue a journal line; an automatic flush follows within AUTO_FLUSH_MS. */
  set(stepId: string, host: string, rec: HostStepRecord): void;
  /** Forget records (see applyReset) and queue a reset line. */
  reset(stepId?: string, host?: string): void;
  /**
   * Remember the source text of a step for its hash: queues a text line the first time this
   * (step, hash) is seen, and does nothing after that. Call it before set() records that hash.
   */
  noteStepText(stepId: string, hash: string, text: string): void;
  /** The source text recorded for this step and hash; undefined when never recorded (older files). */
  stepText(stepId: string, hash: string): string | undefined;
  /** Every session the journal holds, in the order they started (none in files older than version 2). */
  readonly sessions: readonly SessionRecord[];
  /** The session this handle records (after startSession). */
  readonly session: SessionRecord | undefined;
  /**
   * Start this process's session: queues its line (id `s<N+1>`), and from now on every record
   * set() carries its id. Call it once, before the first set()/reset().
   */
  startSession(info: Omit<SessionRecord, 'id' | 'endedAt' | 'outcome'>): SessionRecord;
  /**
   * Queue the end line of this handle's session with how it ended (flushed by close()). close()
   * ends a session nobody ended with the outcome `closed`; after close() this does nothing.
   */
  endSession(outcome: string, endedAt?: Date): void;
  /** Write every queued line with one write + fdatasync. Rejects with StateError (exit 4) once failed. */
  flush(): Promise<void>;
  /** Flush, then release the lock. Rejects if the final flush failed (the lock is released anyway). */
  close(): Promise<void>;
  /** Records found 'running' on a write-open, now recorded 'interrupted' (empty in read mode). */
  readonly interruptedOnLoad: readonly { stepId: string; host: string }[];
  /** Set once a write failed; nothing further is written. */
  readonly failed: StateError | undefined;
}

/** Lines queued without a flush() (final records) are written within this many ms (docs/reliability.md). */
export const AUTO_FLUSH_MS = 20;

/** Compact when the journal holds more than this many lines for `live` records. */
export function needsCompaction(lines: number, live: number): boolean {
  return lines > 2 * live + 100;
}

const INTERRUPTED_MESSAGE = 'interrupted: the player stopped while this was running; outcome unknown';

function unavailable(stateFile: string, action: string, err: unknown): StateError {
  return new StateError(`cannot ${action} state file ${stateFile}: ${describeFsError(err)}`, {
    file: stateFile,
    exitCode: EXIT.STATE_UNAVAILABLE,
    hint: 'free space or fix the file system, then resume: every step recorded before this is safe on disk',
  });
}

async function readJournal(stateFile: string, runbookPath: string): Promise<ParsedJournal | undefined> {
  // (Synchronous: read once at start, and node:fs/promises would cost ~3 ms of `status`'s start.)
  let buf: Buffer;
  let fd: number | undefined;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; anything but a regular file is refused.
    fd = openSync(stateFile, FS.O_RDONLY | FS.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new StateError(`state file ${stateFile} is ${describeKind(st)}, not a regular file`, { file: stateFile, exitCode: EXIT.BAD_INPUT });
    }
    buf = readFileSync(fd);
  } catch (e) {
    if (e instanceof StateError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unavailable(stateFile, 'read', e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return parseJournal(buf, stateFile, runbookPath);
}

/** Write buf from `off` at the end of an O_APPEND descriptor; resolves with the bytes written. */
function writeAt(fd: number, buf: Buffer, off: number): Promise<number> {
  return new Promise((resolve, reject) => writeCb(fd, buf, off, buf.length - off, null, (e, n) => (e ? reject(e) : resolve(n))));
}

class Handle implements StateHandle {
  private readonly map: RecordMap = new Map();
  /** step -> hash -> source text, as the journal holds them. */
  texts: TextMap = new Map();
  /** Sessions by id, in start order. */
  readonly sessionMap: SessionMap = new Map();
  session: SessionRecord | undefined;
  private queue: string[] = [];
  private inflight: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private autoScheduled = false;
  private closed = false;
  failed: StateError | undefined;
  interruptedOnLoad: { stepId: string; host: string }[] = [];
  lock: StateLock | undefined;

  constructor(
    readonly stateFile: string,
    readonly mode: 'write' | 'read',
    private readonly onFailure?: (err: StateError) => void,
  ) {}

  get records(): ReadonlyMap<string, ReadonlyMap<string, HostStepRecord>> {
    return this.map;
  }

  /** Internal: the map to replay into. */
  get mutableMap(): RecordMap {
    return this.map;
  }

  snapshot(): Record<string, Record<string, HostStepRecord>> {
    const out: Record<string, Record<string, HostStepRecord>> = {};
    for (const [step, byHost] of this.map) out[step] = Object.fromEntries(byHost);
    return out;
  }

  get(stepId: string, host: string): HostStepRecord | undefined {
    return this.map.get(stepId)?.get(host);
  }

  stepText(stepId: string, hash: string): string | undefined {
    return this.texts.get(stepId)?.get(hash);
  }

  get sessions(): readonly SessionRecord[] {
    return [...this.sessionMap.values()];
  }

  startSession(info: Omit<SessionRecord, 'id' | 'endedAt' | 'outcome'>): SessionRecord {
    this.assertWritable('startSession()');
    if (this.session) throw new BugError('state: startSession() called twice');
    let n = this.sessionMap.size + 1;
    while (this.sessionMap.has(`s${n}`)) n++;
    const s: SessionRecord = { id: `s${n}`, ...info };
    this.session = s;
    this.sessionMap.set(s.id, s);
    this.enqueue(sessionLine(s));
    return s;
  }

  endSession(outcome: string, endedAt = new Date()): void {
    if (this.closed) return; // close() ended it already
    this.assertWritable('endSession()');
    const s = this.session;
    if (!s || s.endedAt) return;
    const ended: SessionRecord = { ...s, endedAt: endedAt.toISOString(), outcome };
    this.session = ended;
    this.sessionMap.set(s.id, ended);
    this.enqueue(sessionEndLine(s.id, ended.endedAt!, outcome));
  }

  noteStepText(stepId: string, hash: string, text: string): void {
    this.assertWritable('noteStepText()');
    if (this.texts.get(stepId)?.has(hash)) return;
    setText(this.texts, stepId, hash, text);
    this.enqueue(textLine(stepId, hash, text));
  }

  private assertWritable(what: string): void {
    if (this.mode !== 'write') throw new BugError(`state: ${what} on a read-only state handle`);
    if (this.closed) throw new BugError(`state: ${what} after close()`);
  }

  set(stepId: string, host: string, rec: HostStepRecord): void {
    this.assertWritable('set()');
    // A record made in this session carries its id (one made before, e.g. marked interrupted on
    // open, keeps the id of the session that made it).
    const stamped = this.session ? { ...rec, session: this.session.id } : rec;
    applyEntry(this.map, { t: 'rec', step: stepId, host, rec: stamped });
    this.enqueue(recLine(stepId, host, stamped));
  }

  reset(stepId?: string, host?: string): void {
    this.assertWritable('reset()');
    applyReset(this.map, stepId, host);
    this.enqueue(resetLine(stepId, host));
  }

  private enqueue(line: string): void {
    if (this.failed) return; // nothing further is written
    this.queue.push(line);
    if (this.autoScheduled) return;
    this.autoScheduled = true;
    // A line nobody waits for (a step's final record) is written within AUTO_FLUSH_MS, together with
    // whatever else comes meanwhile: the hosts of a step end at different moments, and each final
    // record went out in a durable write of its own, which the next step's 'running' records then
    // waited behind. A flush() (a 'running' record, a reset) takes every queued line at once.
    setTimeout(() => {
      this.autoScheduled = false;
      this.flush().catch(() => undefined); // failure is kept in this.failed and reported by the next flush
    }, AUTO_FLUSH_MS);
  }

  flush(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.inflight) {
      if (this.queue.length === 0) return this.inflight; // everything set so far is in that batch
      this.next ??= this.inflight
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          this.next = undefined;
          return this.startBatch();
        });
      return this.next;
    }
    return this.startBatch();
  }

  private startBatch(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.queue.length === 0) return Promise.resolve();
    const lines = this.queue;
    this.queue = [];
    const p: Promise<void> = this.writeBatch(lines).finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  private async writeBatch(lines: string[]): Promise<void> {
    const buf = Buffer.from(lines.join(''), 'utf8');
    let fd: number | undefined;
    try {
      // No O_CREAT: if the file vanished under us, that is a failure, not a fresh journal.
      // O_DSYNC: each write returns once its bytes (and the size that makes them readable) are on
      // disk, as write + fdatasync did, in one thread-pool round trip instead of four (open, write,
      // fdatasync, close): a 'running' record waits for its batch before the step starts, and on a
      // busy machine every round trip is a wait for a CPU. Opening an existing file without O_CREAT
      // and closing it touch no data, so they run on the event loop (docs/reliability.md).
      fd = openSync(this.stateFile, FS.O_WRONLY | FS.O_APPEND | FS.O_DSYNC);
      for (let off = 0; off < buf.length; ) off += await writeAt(fd, buf, off);
    } catch (e) {
      this.fail(unavailable(this.stateFile, 'write', e));
      throw this.failed;
    } finally {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // the batch is on disk or already failed; a close error changes neither
        }
      }
    }
  }

  private fail(err: StateError): void {
    if (this.failed) return;
    this.failed = err;
    this.queue = [];
    try {
      this.onFailure?.(err);
    } catch {
      // a faulty listener must not hide the failure; flush() still rejects with it
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // A session nobody ended (the player closed the state itself, e.g. on quit) ends here.
    if (this.mode === 'write' && this.session && !this.session.endedAt && !this.failed) this.endSession('closed');
    this.closed = true;
    try {
      if (this.mode === 'write') await this.flush();
    } finally {
      await this.lock?.release();
      this.lock = undefined;
    }
  }
}

/**
 * Open a runbook's state. 'read': no lock, no writes, a missing file is empty state, 'running'
 * records stay as they are. 'write': take the lock, create the file (0600, dir 0700) if missing,
 * cut away a torn tail, compact if the journal is mostly dead lines, and durably record every
 * 'running' record as 'interrupted'. A corrupt file, another runbook's file or another format
 * version is refused with StateError (exit 2) and left untouched.
 */
export async function openState(opts: OpenStateOptions): Promise<StateHandle> {
  const stateFile = path.resolve(opts.stateFile);
  const handle = new Handle(stateFile, opts.mode, opts.onFailure);
  if (opts.mode === 'read') {
    const j = await readJournal(stateFile, opts.runbookPath);
    for (const e of j?.entries ?? []) applyEntry(handle.mutableMap, e, handle.texts, handle.sessionMap);
    return handle;
  }

  try {
    const dir = path.dirname(stateFile);
    await ensureDir(dir);
    // The tool's own directories hold logs of secrets-adjacent output: never group/world-readable.
    if (path.basename(dir) === '.runbook') await tightenDir(dir);
    await tightenDir(path.join(dir, 'logs'));
  } catch (e) {
    throw unavailable(stateFile, 'create the directory of', e);
  }
  handle.lock = await acquireLock(`${stateFile}.lock`, { command: opts.command });
  try {
    const j = await readJournal(stateFile, opts.runbookPath);
    const map = handle.mutableMap;
    for (const e of j?.entries ?? []) applyEntry(map, e, handle.texts, handle.sessionMap);

    const interrupted: { stepId: string; host: string }[] = [];
    for (const [stepId, byHost] of map) {
      for (const [host, rec] of byHost) if (rec.status === 'running') interrupted.push({ stepId, host });
    }
    handle.interruptedOnLoad = interrupted;

    try {
      if (!j || !j.header) {
        await atomicReplace(stateFile, headerLine(opts.runbookPath));
      } else if (needsCompaction(j.entries.length, countRecords(map) + countTexts(liveTexts(handle.texts, map)) + handle.sessionMap.size)) {
        if (j.header.version < STATE_VERSION) await keepOldVersion(stateFile, j.header.version);
        for (const { stepId, host } of interrupted) map.get(stepId)!.set(host, markInterrupted(map.get(stepId)!.get(host)!));
        // The texts of hashes no live record carries are dropped, on disk and in memory alike.
        handle.texts = liveTexts(handle.texts, map);
        await compact(stateFile, headerLine(j.header.runbook, j.header.createdAt), map, handle.texts, handle.sessionMap);
        return handle;
      } else if (j.header.version < STATE_VERSION) {
        await migrate(stateFile, j);
      } else {
        await repairTail(stateFile, j);
      }
    } catch (e) {
      throw e instanceof StateError ? e : unavailable(stateFile, 'write', e);
    }
    for (const { stepId, host } of interrupted) handle.set(stepId, host, markInterrupted(map.get(stepId)!.get(host)!));
    await handle.flush();
    return handle;
  } catch (e) {
    await handle.lock?.release();
    throw e;
  }
}

function markInterrupted(rec: HostStepRecord): HostStepRecord {
  return { ...rec, status: 'interrupted', message: rec.message ?? INTERRUPTED_MESSAGE };
}

/** Cut a torn tail off (the crash's unfinished append) and make the file 0600. */
async function repairTail(stateFile: string, j: ParsedJournal): Promise<void> {
  const fh = await fsp.open(stateFile, FS.O_RDWR);
  try {
    if (j.validLength < j.size) {
      await fh.truncate(j.validLength);
      await fh.sync();
    }
    const st = await fh.stat();
    if ((st.mode & 0o777) !== FILE_MODE) await fh.chmod(FILE_MODE);
  } finally {
    await fh.close();
  }
}

/**
 * An older format version opened for writing: the old file is kept as `<file>.v<N>.bak` and the
 * journal is rewritten atomically as the current version. Every line after the header is valid in
 * the new version as it is, so the history (every record line) is kept; a torn tail is dropped.
 */
async function migrate(stateFile: string, j: ParsedJournal): Promise<void> {
  await keepOldVersion(stateFile, j.header!.version);
  const buf = await fsp.readFile(stateFile);
  const firstNl = buf.indexOf(0x0a);
  const body = buf.subarray(firstNl + 1, j.validLength).toString('utf8');
  await atomicReplace(stateFile, headerLine(j.header!.runbook, j.header!.createdAt) + body);
}

/** Copy the journal to `<file>.v<N>.bak` (never over an existing file) before it is rewritten. */
async function keepOldVersion(stateFile: string, version: number): Promise<void> {
  await fsp.copyFile(stateFile, `${stateFile}.v${version}.bak`, FS.COPYFILE_EXCL).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  await fsp.chmod(`${stateFile}.v${version}.bak`, FILE_MODE);
}

/** Rewrite the journal as header + sessions + the live records' step texts + one line per live record, atomically. */
async function compact(stateFile: string, header: string, map: RecordMap, texts: TextMap, sessions: SessionMap): Promise<void> {
  const parts = [header];
  for (const s of sessions.values()) parts.push(sessionLine(s));
  for (const [step, byHash] of texts) for (const [hash, text] of byHash) parts.push(textLine(step, hash, text));
  for (const [step, byHost] of map) for (const [host, rec] of byHost) parts.push(recLine(step, host, rec));
  await atomicReplace(stateFile, parts.join(''));
}

/**
 * Move a state file that cannot be loaded out of the way (for `runbook reset`): it is renamed,
 * never overwritten, to `<file>.corrupt-<timestamp>`; returns that path. Takes the lock meanwhile.
 */
export async function setAsideCorrupt(stateFile: string): Promise<string> {
  const file = path.resolve(stateFile);
  const lock = await acquireLock(`${file}.lock`, { command: 'runbook reset' });
  try {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    for (let n = 0; ; n++) {
      const target = `${file}.corrupt-${stamp}${n ? `-${n}` : ''}`;
      try {
        await fsp.link(file, target); // fails with EEXIST instead of clobbering
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code === 'ENOENT') throw new StateError(`state file ${file} does not exist`, { file, exitCode: EXIT.BAD_INPUT });
        throw unavailable(file, 'set aside', e);
      }
      await fsp.unlink(file);
      await fsyncDir(path.dirname(file));
      return target;
    }
  } finally {
    await lock.release();
  }
}

