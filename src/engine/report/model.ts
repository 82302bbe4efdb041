// What a report says, gathered from the runbook, the inventory, the state journal and the step
// logs: plain data, rendered by ./markdown.ts and ./html.ts, or printed as JSON. Every text that
// came from a host (messages, output) goes through the masker before it is kept here.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { resolvePattern } from '../inventory/patterns.js';
import { HOST_STATUSES, isDone, type HostStatus, type HostStepRecord, type Inventory, type Runbook } from '../types.js';
import { applySession, type JournalEntry, type SessionMap } from '../state/journal.js';

/** Outcomes a report details with the host's last lines of output. */
export const PROBLEM: readonly (HostStatus | undefined)[] = ['failed', 'interrupted', 'unreachable'];

/** Lines of output kept per failed host. */
export const TAIL_LINES = 15;

export interface ReportCell {
  readonly status: HostStatus;
  /** The step changed since this record was made. */
  readonly changed: boolean;
  readonly attempts: number;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly exitCode?: number | null;
  readonly message?: string;
  readonly by?: string;
  readonly reason?: string;
  /** Log of the last attempt, relative to the state directory. */
  readonly log?: string;
  /** Failed hosts only: the last lines of the last attempt's output (masked). */
  readonly tail?: readonly string[];
}

export interface ReportStep {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  readonly line: number;
  readonly hosts: string;
  /** Host name -> cell, for the hosts the step targets or has records for (in the period). */
  readonly cells: Readonly<Record<string, ReportCell>>;
}

/** One entry of the session timeline: a step reaching a status on a host. */
export interface TimelineEntry {
  readonly at: string;
  /** When the attempt started (for a finished attempt: the bar from startedAt to at). */
  readonly startedAt?: string;
  /** The session that recorded it (absent for records older than sessions). */
  readonly session?: string;
  readonly step: string;
  readonly host: string;
  readonly status: HostStatus;
  readonly attempt: number;
  readonly message?: string;
  readonly by?: string;
  readonly reason?: string;
}

/** A session as the state journal recorded it: who ran what, from where, when, with which options. */
export interface ReportSession {
  readonly id: string;
  /** `user@hostname` of the operator's machine. */
  readonly by: string;
  readonly pid: number;
  readonly startedAt: string;
  /** Absent when the process was killed or crashed before it could say. */
  readonly endedAt?: string;
  readonly command: string;
  /** Inventory sources; empty: the local machine. */
  readonly inventory: readonly string[];
  readonly hosts?: string;
  /** Non-secret --vars (masked all the same), and the names of the secret ones. */
  readonly vars: Readonly<Record<string, string>>;
  readonly secretVars: readonly string[];
  readonly outcome?: string;
  /** Timeline events this session recorded (in the report's period). */
  readonly events: number;
}
export interface Report {
  readonly title: string;
  readonly runbook: string;
  /** sha256 over the step ids and hashes, in order: equal for two runbooks that run the same steps. */
  readonly runbookHash: string;
  readonly stateFile: string;
  readonly stateCreatedAt?: string;
  readonly generatedAt: string;
  /** Who generated the report (`user@machine`). */
  readonly generatedBy: string;
  /** Who recorded results: session records when the state has them, else the `by` of manual records. */
  readonly ranBy: readonly string[];
  readonly sessions: readonly ReportSession[];
  readonly inventory: { readonly file?: string; readonly hosts: readonly { name: string; address: string; groups: readonly string[] }[] };
  /** Only records (and timeline entries) at or after this time, when --since was given. */
  readonly since?: string;
  /** Only what this session recorded, when --session was given. */
  readonly session?: string;
  readonly firstActivity?: string;
  readonly lastActivity?: string;
  readonly hosts: readonly string[];
  readonly steps: readonly ReportStep[];
  readonly totals: Readonly<Record<HostStatus, number>>;
  readonly changedSteps: readonly string[];
  readonly timeline: readonly TimelineEntry[];
}

export interface ReportInput {
  readonly runbook: Runbook;
  readonly inventory: Inventory;
  readonly stateFile: string;
  /** State directory (logs are relative to it). */
  readonly stateDir: string;
  /** Current records (step -> host -> record). */
  readonly records: Readonly<Record<string, Readonly<Record<string, HostStepRecord>>>>;
  readonly mask: (text: string) => string;
  readonly since?: Date;
  /** Only what this session (id) recorded. */
  readonly session?: string;
  readonly now?: Date;
}

export function runbookHash(runbook: Runbook): string {
  const h = createHash('sha256');
  for (const s of runbook.steps) h.update(`${s.id}\0${s.hash}\n`);
  return h.digest('hex');
}

function whoAmI(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry: keep $USER */
  }
  return `${user}@${hostname()}`;
}

/** The journal's lines as loose JSON objects (a torn or foreign line is skipped). */
async function journalLines(stateFile: string): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch {
    return [];
  }
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      /* the unfinished last line of a crash */
    }
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The last `n` lines of a log file (masked), without the trailing empty line. */
async function tailOf(file: string, n: number, mask: (t: string) => string): Promise<string[] | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return undefined;
  }
  const text = buf.subarray(Math.max(0, buf.length - 64 * 1024)).toString('utf8');
  const lines = mask(text).replace(/\r/g, '').split('\n');
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.slice(-n);
}

function durationOf(rec: HostStepRecord): number | undefined {
  if (!rec.startedAt || !rec.endedAt) return undefined;
  const ms = Date.parse(rec.endedAt) - Date.parse(rec.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** When a record happened, for --since: its end, else its start. */
function recordTime(rec: HostStepRecord): number | undefined {
  const t = rec.endedAt ?? rec.startedAt;
  return t ? Date.parse(t) : undefined;
}

export async function buildReport(input: ReportInput): Promise<Report> {
  const { runbook, inventory, records, mask } = input;
  const since = input.since?.getTime();
  const only = input.session;
  const filtered = since !== undefined || only !== undefined;
  const inPeriod = (rec: HostStepRecord): boolean => (since === undefined || (recordTime(rec) ?? -Infinity) >= since) && (only === undefined || rec.session === only);
  const lines = await journalLines(input.stateFile);
  const header = lines[0]?.schema === 'runbook-state' ? lines[0] : undefined;

  const hostOrder: string[] = inventory.hosts.map((h) => h.name);
  const used = new Set<string>();
  const steps: ReportStep[] = [];
  const changedSteps: string[] = [];
  const totals = Object.fromEntries(HOST_STATUSES.map((s) => [s, 0])) as Record<HostStatus, number>;
  for (const s of runbook.steps) {
    let targets: string[] = [];
    try {
      targets = resolvePattern(inventory, s.hosts).hosts.map((h) => h.name);
    } catch {
      /* an unknown name: lint reports it; the recorded hosts are still shown */
    }
    const recs = records[s.id] ?? {};
    const names = !filtered ? [...new Set([...targets, ...Object.keys(recs)])] : Object.keys(recs).filter((h) => inPeriod(recs[h]));
    const cells: Record<string, ReportCell> = {};
    let changed = false;
    for (const h of names) {
      used.add(h);
      if (!hostOrder.includes(h)) hostOrder.push(h);
      const rec = recs[h];
      if (!rec) {
        cells[h] = { status: 'pending', changed: false, attempts: 0 };
        totals.pending++;
        continue;
      }
      const isChanged = rec.hash !== s.hash;
      changed ||= isChanged;
      const tail = PROBLEM.includes(rec.status) ? (rec.log ? await tailOf(path.join(input.stateDir, rec.log), TAIL_LINES, mask) : undefined) : undefined;
      cells[h] = {
        status: rec.status,
        changed: isChanged,
        attempts: rec.attempts,
        ...(rec.startedAt && { startedAt: rec.startedAt }),
        ...(rec.endedAt && { endedAt: rec.endedAt }),
        ...(durationOf(rec) !== undefined && { durationMs: durationOf(rec) }),
        ...(rec.exitCode !== undefined && { exitCode: rec.exitCode }),
        ...(rec.message && { message: mask(rec.message) }),
        ...(rec.by && { by: rec.by }),
        ...(rec.reason && { reason: mask(rec.reason) }),
        ...(rec.log && { log: rec.log }),
        ...(tail && { tail }),
      };
      totals[rec.status]++;
    }
    if (changed) changedSteps.push(s.id);
    if (filtered && names.length === 0) continue;
    steps.push({ id: s.id, title: s.title, file: s.loc.file, line: s.loc.line, hosts: s.hosts, cells });
  }

  // The timeline: every finished (or started) record line the journal still holds, in order.
  const timeline: TimelineEntry[] = [];
  const sessionMap: SessionMap = new Map();
  for (const l of lines) {
    if (l.t === 'rec' && l.rec && typeof l.rec === 'object') {
      const rec = l.rec as HostStepRecord;
      const at = rec.status === 'running' ? rec.startedAt : (rec.endedAt ?? rec.startedAt);
      if (!at || (since !== undefined && Date.parse(at) < since) || (only !== undefined && rec.session !== only)) continue;
      timeline.push({
        at,
        ...(rec.status !== 'running' && rec.startedAt && { startedAt: rec.startedAt }),
        ...(typeof rec.session === 'string' && { session: rec.session }),
        step: String(l.step),
        host: String(l.host),
        status: rec.status,
        attempt: rec.attempts,
        ...(rec.message && { message: mask(rec.message) }),
        ...(rec.by && { by: rec.by }),
        ...(rec.reason && { reason: mask(rec.reason) }),
      });
    } else if ((l.t === 'session' && typeof l.id === 'string' && typeof l.startedAt === 'string') || (l.t === 'session-end' && typeof l.id === 'string')) {
      applySession(sessionMap, l as unknown as JournalEntry);
    }
  }
  const events = new Map<string, number>();
  for (const t of timeline) if (t.session) events.set(t.session, (events.get(t.session) ?? 0) + 1);
  const sessions: ReportSession[] = [];
  for (const s of sessionMap.values()) {
    if (only !== undefined && s.id !== only) continue;
    // --since: the sessions still going at or after that time.
    if (since !== undefined && s.endedAt !== undefined && Date.parse(s.endedAt) < since) continue;
    sessions.push({
      id: s.id,
      by: `${s.user}@${s.hostname}`,
      pid: s.pid,
      startedAt: s.startedAt,
      ...(s.endedAt && { endedAt: s.endedAt }),
      command: s.command,
      inventory: s.inventory,
      ...(s.hosts !== undefined && { hosts: s.hosts }),
      vars: Object.fromEntries(Object.entries(s.vars ?? {}).map(([k, v]) => [k, mask(v)])),
      secretVars: s.secretVars ?? [],
      ...(s.outcome && { outcome: mask(s.outcome) }),
      events: events.get(s.id) ?? 0,
    });
  }
  timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const ranBy = [...new Set([...sessions.map((s) => s.by), ...timeline.map((t) => t.by)].filter((x): x is string => Boolean(x)))];
  return {
    title: runbook.title,
    runbook: runbook.path,
    runbookHash: runbookHash(runbook),
    stateFile: input.stateFile,
    ...(str(header?.createdAt) && { stateCreatedAt: str(header?.createdAt) }),
    generatedAt: (input.now ?? new Date()).toISOString(),
    generatedBy: whoAmI(),
    ranBy,
    sessions,
    inventory: {
      ...(inventory.file && { file: inventory.file }),
      hosts: inventory.hosts.filter((h) => used.has(h.name)).map((h) => ({ name: h.name, address: h.address, groups: h.groups.filter((g) => g !== 'all') })),
    },
    ...(input.since && { since: input.since.toISOString() }),
    ...(only !== undefined && { session: only }),
    ...(timeline.length > 0 && { firstActivity: timeline[0].at, lastActivity: timeline[timeline.length - 1].at }),
    hosts: hostOrder.filter((h) => used.has(h)),
    steps,
    totals,
    changedSteps,
    timeline,
  };
}

/** A report's one-line verdict. */
export function verdict(r: Report): string {
  const cells = r.steps.flatMap((s) => Object.values(s.cells));
  const failed = cells.filter((c) => c.status === 'failed').length;
  const interrupted = cells.filter((c) => c.status === 'interrupted').length;
  const unreachable = cells.filter((c) => c.status === 'unreachable').length;
  const done = cells.filter((c) => isDone(c.status)).length;
  if (failed) return `${failed} host-step(s) failed; ${done}/${cells.length} done`;
  if (unreachable) return `${unreachable} host-step(s) unreachable; ${done}/${cells.length} done`;
  if (interrupted) return `${interrupted} host-step(s) interrupted (outcome unknown); ${done}/${cells.length} done`;
  if (done === cells.length && cells.length > 0) return `complete: ${done}/${cells.length} host-steps done`;
  return `in progress: ${done}/${cells.length} host-steps done`;
}
