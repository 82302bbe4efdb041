// The state journal's line format: header, record, reset, step-text and session lines; parsing with
// torn-tail tolerance and strict refusal of anything else. Pure functions, no I/O.
import path from 'node:path';
import * as z from '../schema/zod.js';
import { StateError, EXIT } from '../errors.js';
import { HOST_STATUSES, type HostStepRecord } from '../types.js';

export const STATE_SCHEMA = 'runbook-state';
/**
 * Current journal format version (see docs/state-format.md for the migration policy). Version 2
 * added session lines; a version-1 journal is read as it is and rewritten as version 2 (the old
 * file kept as `<file>.v1.bak`) when it is first opened for writing.
 */
export const STATE_VERSION = 2;
/** Versions this reader loads (older ones are migrated on a write-open). */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** Line 1 of every state file. */
export interface StateHeader {
  readonly schema: typeof STATE_SCHEMA;
  readonly version: number;
  /** Absolute path of the runbook this journal belongs to. */
  readonly runbook: string;
  readonly createdAt: string; // ISO
}

/**
 * One invocation that changed the state (run, play, skip, mark-done, reset): who, where, when and
 * with which options. Secret variables are kept by name only: their values never reach the disk.
 */
export interface SessionRecord {
  /** `s1`, `s2`, ... in the order the sessions started in this state file. */
  readonly id: string;
  /** Local user name and host name of the operator's machine. */
  readonly user: string;
  readonly hostname: string;
  readonly pid: number;
  readonly startedAt: string; // ISO
  /** Absent while it runs, and forever when the process was killed or crashed. */
  readonly endedAt?: string;
  /** How it ended, in one line (`done: every step is complete`, `stopped: step x failed`, `quit`). */
  readonly outcome?: string;
  /** The subcommand: run, play, skip, mark-done, reset. */
  readonly command: string;
  /** The inventory sources (-i, or the front matter's), absolute paths or `h1,h2,` lists; empty: the local machine. */
  readonly inventory: readonly string[];
  /** --var values of variables that are not secret. */
  readonly vars: Readonly<Record<string, string>>;
  /** Names of the secret variables given with --var (never their values). */
  readonly secretVars: readonly string[];
  /** --hosts pattern. */
  readonly hosts?: string;
  /** --known-hosts file (absolute). */
  readonly knownHosts?: string;
  /** --ssh-config file (absolute), or false for --no-ssh-config. */
  readonly sshConfig?: string | false;
}

/** Every line after the header. */
export type JournalEntry =
  | { readonly t: 'rec'; readonly step: string; readonly host: string; readonly rec: HostStepRecord }
  | { readonly t: 'reset'; readonly step?: string; readonly host?: string }
  | { readonly t: 'text'; readonly step: string; readonly hash: string; readonly text: string }
  | ({ readonly t: 'session' } & SessionRecord)
  | { readonly t: 'session-end'; readonly id: string; readonly endedAt: string; readonly outcome?: string };

/** In-memory state: step id -> host name -> record. */
export type RecordMap = Map<string, Map<string, HostStepRecord>>;

/** Step source texts seen by the journal: step id -> step hash -> the step's source as written. */
export type TextMap = Map<string, Map<string, string>>;

/**
 * The journal's line schemas, made when a journal is first read (zod builds each schema's checks
 * when it is made: ~4 ms of a start here, which `status` of a runbook never played does not need).
 */
function makeEntrySchema() {
  const nonEmpty = () => z.string().check(z.minLength(1));

  const recordSchema = z.looseObject({
    status: z.enum(HOST_STATUSES),
    attempts: z.int().check(z.nonnegative()),
    exitCode: z.optional(z.nullable(z.int())),
    signal: z.optional(z.nullable(z.string())),
    startedAt: z.optional(z.string()),
    endedAt: z.optional(z.string()),
    hash: z.string(),
    log: z.optional(z.string()),
    message: z.optional(z.string()),
    captured: z.optional(z.looseObject({ name: z.string(), value: z.nullable(z.string()), secret: z.boolean() })),
    marker: z.optional(z.string()),
    adoptedFrom: z.optional(z.int().check(z.positive())),
    session: z.optional(z.string()),
  });

  const sessionSchema = z.looseObject({
    t: z.literal('session'),
    id: nonEmpty(),
    user: z.string(),
    hostname: z.string(),
    pid: z.int(),
    startedAt: z.string(),
    endedAt: z.optional(z.string()),
    outcome: z.optional(z.string()),
    command: z.string(),
    inventory: z.array(z.string()),
    vars: z.record(z.string(), z.string()),
    secretVars: z.array(z.string()),
    hosts: z.optional(z.string()),
    knownHosts: z.optional(z.string()),
    sshConfig: z.optional(z.union([z.string(), z.literal(false)])),
  });

  return z.discriminatedUnion('t', [
    z.object({ t: z.literal('rec'), step: nonEmpty(), host: nonEmpty(), rec: recordSchema }),
    z.object({ t: z.literal('reset'), step: z.optional(nonEmpty()), host: z.optional(nonEmpty()) }),
    z.object({ t: z.literal('text'), step: nonEmpty(), hash: nonEmpty(), text: z.string() }),
    sessionSchema,
    z.object({ t: z.literal('session-end'), id: nonEmpty(), endedAt: z.string(), outcome: z.optional(z.string()) }),
  ]);
}
let entrySchemaMade: ReturnType<typeof makeEntrySchema> | undefined;
const entrySchema = (): ReturnType<typeof makeEntrySchema> => (entrySchemaMade ??= makeEntrySchema());

const HEADER_PREFIX = `{"schema":"${STATE_SCHEMA}",`;

/** The header line (with trailing newline) for a new journal. */
export function headerLine(runbookPath: string, createdAt = new Date().toISOString()): string {
  const h: StateHeader = { schema: STATE_SCHEMA, version: STATE_VERSION, runbook: path.resolve(runbookPath), createdAt };
  return JSON.stringify(h) + '\n';
}

/** A record line. Secret captures are written with value null: secrets never reach the disk. */
export function recLine(step: string, host: string, rec: HostStepRecord): string {
  const safe = rec.captured?.secret && rec.captured.value !== null ? { ...rec, captured: { ...rec.captured, value: null } } : rec;
  return JSON.stringify({ t: 'rec', step, host, rec: safe }) + '\n';
}

/** A reset line: no step and no host forgets everything; either one narrows it. */
export function resetLine(step?: string, host?: string): string {
  const e: Record<string, string> = { t: 'reset' };
  if (step !== undefined) e.step = step;
  if (host !== undefined) e.host = host;
  return JSON.stringify(e) + '\n';
}

/**
 * A step-text line: the source of step `step` (info string and body, untemplated) whose hash is
 * `hash`. Written once per (step, hash), so a changed step can show its old text next to the new.
 */
export function textLine(step: string, hash: string, text: string): string {
  return JSON.stringify({ t: 'text', step, hash, text }) + '\n';
}

/** A session's start line (also its compacted form, with endedAt and outcome once it ended). */
export function sessionLine(s: SessionRecord): string {
  return JSON.stringify({ t: 'session', ...s }) + '\n';
}

/** A session's end line. */
export function sessionEndLine(id: string, endedAt: string, outcome?: string): string {
  return JSON.stringify({ t: 'session-end', id, endedAt, ...(outcome !== undefined && { outcome }) }) + '\n';
}

/** Sessions by id, in the order they started. */
export type SessionMap = Map<string, SessionRecord>;

/** Apply a session or session-end line to the session map. */
export function applySession(sessions: SessionMap, e: JournalEntry): void {
  if (e.t === 'session') {
    const { t: _t, ...rest } = e;
    sessions.set(e.id, rest);
  } else if (e.t === 'session-end') {
    const s = sessions.get(e.id);
    if (s) sessions.set(e.id, { ...s, endedAt: e.endedAt, ...(e.outcome !== undefined && { outcome: e.outcome }) });
  }
}

/** Remember a step text (later lines for the same step and hash win). */
export function setText(texts: TextMap, step: string, hash: string, text: string): void {
  let byHash = texts.get(step);
  if (!byHash) texts.set(step, (byHash = new Map()));
  byHash.set(hash, text);
}

/** Keep only the texts whose (step, hash) some live record still carries. */
export function liveTexts(texts: TextMap, records: RecordMap): TextMap {
  const out: TextMap = new Map();
  for (const [step, byHost] of records) {
    const byHash = texts.get(step);
    if (!byHash) continue;
    for (const rec of byHost.values()) {
      const text = byHash.get(rec.hash);
      if (text !== undefined) setText(out, step, rec.hash, text);
    }
  }
  return out;
}

/** Number of (step, hash) texts in a map. */
export function countTexts(texts: TextMap): number {
  let n = 0;
  for (const byHash of texts.values()) n += byHash.size;
  return n;
}

/** Apply one journal entry to the in-memory maps (later entries win). Text lines go to `texts`, session lines to `sessions`. */
export function applyEntry(records: RecordMap, e: JournalEntry, texts?: TextMap, sessions?: SessionMap): void {
  if (e.t === 'session' || e.t === 'session-end') {
    if (sessions) applySession(sessions, e);
    return;
  }
  if (e.t === 'text') {
    if (texts) setText(texts, e.step, e.hash, e.text);
    return;
  }
  if (e.t === 'rec') {
    let byHost = records.get(e.step);
    if (!byHost) records.set(e.step, (byHost = new Map()));
    byHost.set(e.host, e.rec);
    return;
  }
  applyReset(records, e.step, e.host);
}

/** Forget records: one step on one host, one step on all hosts, one host on all steps, or all. */
export function applyReset(records: RecordMap, step?: string, host?: string): void {
  const steps = step === undefined ? [...records.keys()] : [step];
  for (const s of steps) {
    const byHost = records.get(s);
    if (!byHost) continue;
    if (host === undefined) byHost.clear();
    else byHost.delete(host);
    if (byHost.size === 0) records.delete(s);
  }
}

/** Number of live records in a map. */
export function countRecords(records: RecordMap): number {
  let n = 0;
  for (const byHost of records.values()) n += byHost.size;
  return n;
}

export interface ParsedJournal {
  /** Undefined for an empty file or one whose header line was never completed. */
  readonly header?: StateHeader;
  readonly entries: JournalEntry[];
  /** Bytes of accepted content; anything after it is a torn (crash-interrupted) append. */
  readonly validLength: number;
  /** Total bytes in the file. */
  readonly size: number;
}

function corrupt(file: string, line: number, what: string, hint?: string): StateError {
  return new StateError(`${file}:${line}: ${what}`, {
    file,
    exitCode: EXIT.BAD_INPUT,
    hint:
      hint ??
      `the file was not changed; inspect it, or run \`runbook reset\` to set it aside as ${path.basename(file)}.corrupt-<timestamp> and start with empty state`,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function checkHeader(file: string, text: string, runbookPath: string): StateHeader {
  const v = parseJson(text) as Record<string, unknown> | undefined;
  if (!v || typeof v !== 'object' || v.schema !== STATE_SCHEMA) {
    throw corrupt(file, 1, 'not a runbook state file (line 1 is not a runbook-state header)', 'pass the right --state, or move this file away');
  }
  if (typeof v.version !== 'number' || !Number.isInteger(v.version) || v.version < 1) {
    throw corrupt(file, 1, `bad state header: version ${JSON.stringify(v.version)} is not a positive integer`);
  }
  if (v.version > STATE_VERSION) {
    throw corrupt(file, 1, `state file format version ${v.version} is newer than this runbook supports (${STATE_VERSION})`, 'upgrade runbook to read it; the file was not changed');
  }
  if (!READABLE_VERSIONS.includes(v.version)) {
    throw corrupt(file, 1, `state file format version ${v.version} is not supported (expected ${STATE_VERSION})`);
  }
  if (typeof v.runbook !== 'string' || typeof v.createdAt !== 'string') {
    throw corrupt(file, 1, 'bad state header: "runbook" and "createdAt" must be strings');
  }
  const want = path.resolve(runbookPath);
  if (path.resolve(v.runbook) !== want) {
    throw corrupt(file, 1, `state file belongs to runbook ${v.runbook}, not ${want}`, 'pass --state to use a separate state file for this runbook, or move the runbook back; the file was not changed');
  }
  return { schema: STATE_SCHEMA, version: v.version, runbook: v.runbook, createdAt: v.createdAt };
}

/**
 * Parse a journal. Tolerates exactly one kind of damage, the crash's unfinished append: an
 * unterminated last line, or an unparsable last line; both are left out of validLength.
 * Anything else (bad header, other version, other runbook, a bad line before the last) throws
 * StateError with exit code 2 naming file:line.
 */
export function parseJournal(buf: Buffer, file: string, runbookPath: string): ParsedJournal {
  const size = buf.length;
  const lastNl = buf.lastIndexOf(0x0a);
  if (lastNl < 0) {
    // No complete line: empty, or a header whose write never finished.
    const tail = buf.toString('utf8');
    if (tail === '' || HEADER_PREFIX.startsWith(tail) || tail.startsWith(HEADER_PREFIX)) return { entries: [], validLength: 0, size };
    throw corrupt(file, 1, 'not a runbook state file (no header line)', 'pass the right --state, or move this file away');
  }
  // Complete lines: [0, lastNl]; the rest is a torn tail.
  const lines: { start: number; end: number }[] = [];
  for (let start = 0; start <= lastNl; ) {
    const end = buf.indexOf(0x0a, start);
    lines.push({ start, end });
    start = end + 1;
  }
  const header = checkHeader(file, buf.toString('utf8', lines[0].start, lines[0].end), runbookPath);
  const entries: JournalEntry[] = [];
  let validLength = lines[0].end + 1;
  for (let i = 1; i < lines.length; i++) {
    const { start, end } = lines[i];
    const isLast = i === lines.length - 1 && lastNl === size - 1;
    const json = parseJson(buf.toString('utf8', start, end));
    if (json === undefined) {
      if (isLast) break; // torn last line: ignored
      throw corrupt(file, i + 1, 'unreadable line (not JSON) before the end of the journal');
    }
    const r = entrySchema().safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
      throw corrupt(file, i + 1, `invalid journal line${where}: ${issue?.message ?? 'unexpected shape'}`);
    }
    entries.push(r.data as JournalEntry);
    validLength = end + 1;
  }
  return { header, entries, validLength, size };
}
