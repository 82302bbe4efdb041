// Runs one step on one host: guard, body (with retries), verify, capture; records every transition.
import { AuthError, ConnectionError, ConnectionLostError, describeError, HostKeyError, isRunbookError } from '../errors.js';
import { StringDecoder } from 'node:string_decoder';
import { createHash } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { markerCheckScript, markerName, parseMarkerLine, type MarkerFinding } from '../transport/attemptMarker.js';
import { createByteMasker } from '../secrets.js';
import { openStepLog } from '../state/logs.js';
import type { Host, HostStatus, HostStepRecord, Step } from '../types.js';
import type { ExecResult, OutputStream, Transport } from '../transport/types.js';
import { formatDuration } from '../duration.js';
import { delay } from './limit.js';
import { RecentText } from './recentText.js';
import type { RenderContext, RealRender } from './renderContext.js';
import type { resolveStatePaths } from '../state/paths.js';

type StatePaths = ReturnType<typeof resolveStatePaths>;

export const CAPTURE_LIMIT = 1024 * 1024;
/** Output characters kept to find the last line. */
const TAIL_CHARS = 8192;

/** The last line with something on it (a trailing partial line counts: it is where the output ended). */
export function lastNonEmptyLine(text: string): string {
  const lines = text.split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim() !== '') return lines[i];
  return '';
}

export interface HostRunDeps {
  readonly transport: Transport;
  readonly paths: StatePaths;
  readonly ctx: RenderContext;
  /** Persist and publish a record; resolves once it is durable. */
  readonly record: (rec: HostStepRecord, opts: { durable: boolean }) => Promise<void>;
  readonly onOutput: (text: string) => void;
  readonly onStart: (attempt: number) => void;
  /** Aborted by the operator (abort key, Ctrl-C). */
  readonly signal: AbortSignal;
  /** The step targets a single host: its capture is usable plainly by every host. */
  readonly captureGlobal: boolean;
  /** A message for the operator about this host (e.g. waiting for an earlier attempt still running there). */
  readonly onNote?: (text: string) => void;
}

export interface HostRunResult {
  /** The host's status once this is over: when it did not start (notStarted), the one it had before. */
  readonly status: HostStatus;
  readonly exitCode?: number | null;
  readonly message?: string;
  readonly durationMs: number;
  readonly lastLine?: string;
  readonly log?: string;
  readonly aborted: boolean;
  /** Not run: its earlier, interrupted attempt is still running on the host, or the host could not be checked. */
  readonly held?: boolean;
  /** Aborted before the attempt started (while connecting, or before its turn): nothing was recorded or run. */
  readonly notStarted?: boolean;
}

export async function runStepOnHost(step: Step, host: Host, prev: HostStepRecord | undefined, deps: HostRunDeps): Promise<HostRunResult> {
  const started = Date.now();
  let rendered: RealRender;
  try {
    rendered = deps.ctx.render(step, host);
  } catch (e) {
    const message = describeError(e);
    const rec: HostStepRecord = { status: 'failed', attempts: prev?.attempts ?? 0, hash: step.hash, endedAt: new Date().toISOString(), message };
    await deps.record(rec, { durable: true });
    return { status: 'failed', message, durationMs: 0, aborted: false };
  }

  // An interrupted attempt may still be running on the host, or have ended there after the crash.
  let preface: Preface = { notes: [] };
  if (prev?.status === 'interrupted') {
    const earlier = await settleEarlierAttempt(step, host, prev, deps);
    if ('result' in earlier) return { ...earlier.result, durationMs: Date.now() - started };
    preface = earlier;
    if (preface.adopt) {
      const adopted = await runAttempt(step, host, rendered, prev.attempts, deps, preface);
      return { ...adopted, ...(adopted.notStarted ? { status: prev.status } : {}), durationMs: Date.now() - started };
    }
  }

  const maxAttempts = 1 + step.attrs.retries;
  let result: HostRunResult | undefined;
  for (let i = 0; i < maxAttempts; i++) {
    const attempt = (prev?.attempts ?? 0) + i + 1;
    const before: HostStatus = result?.status ?? prev?.status ?? 'pending';
    const res = await runAttempt(step, host, rendered, attempt, deps, i === 0 ? preface : { notes: [] });
    // Aborted before it started: the host's record is what it was (this attempt never existed).
    result = res.notStarted ? { ...res, status: before } : res;
    if (result.status !== 'failed' || result.aborted || deps.signal.aborted) break;
    if (i < maxAttempts - 1) await delay(step.attrs.delayMs, deps.signal);
    if (deps.signal.aborted) break;
  }
  return { ...result!, durationMs: Date.now() - started };
}

/** What the check of an earlier, interrupted attempt found that the next attempt must say or use. */
interface Preface {
  /** Lines for the new attempt's log (and the operator). */
  readonly notes: readonly string[];
  /** The earlier attempt ended on the host: its exit code is the outcome (the body is not run again). */
  readonly adopt?: { readonly from: number; readonly exitCode: number; readonly endedAt?: Date };
}

/** How long to wait for an earlier attempt still running on the host: the step's timeout, else 10 minutes. */
const EARLIER_WAIT_MS = 10 * 60_000;

/** The marker name of this attempt of the step on the host: unique per state file, step, host and attempt. */
export function attemptMarkerName(statePath: string, stepId: string, hostName: string, attempt: number): string {
  const key = createHash('sha256').update(`${statePath}\0${stepId}\0${hostName}`).digest('hex').slice(0, 24);
  return markerName(key, attempt);
}

/** `SIGPIPE` for 13, or `signal 13` for a number Node does not name. */
function signalName(n: number): string {
  return Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;
}

const clock = (d: Date | undefined): string => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : 'an unknown time');

/**
 * Before an interrupted host-step runs again: look for its attempt's marker on the host (as the
 * same user). Still running: wait for it (bounded, abortable), else refuse (the record stays
 * interrupted, naming the pid). Ended: adopt its exit code. No marker, or gone without an exit code:
 * run again as before, saying why.
 */
async function settleEarlierAttempt(step: Step, host: Host, prev: HostStepRecord, deps: HostRunDeps): Promise<Preface | { result: HostRunResult }> {
  const n = prev.attempts;
  const keep = async (message: string, aborted = false): Promise<{ result: HostRunResult }> => {
    await deps.record({ ...prev, status: 'interrupted', message }, { durable: true });
    return { result: { status: 'interrupted', message, durationMs: 0, aborted, held: true } };
  };
  if (!prev.marker || !/^[0-9a-f]{16,64}-[0-9]{1,9}$/.test(prev.marker)) {
    return { notes: [`attempt ${n} was interrupted and left no marker to check (started by an older runbook): running the step again`] };
  }
  const waitMs = step.attrs.timeoutMs ?? EARLIER_WAIT_MS;
  let finding: MarkerFinding | undefined;
  let out = '';
  const take = (line: string): void => {
    const f = parseMarkerLine(line);
    if (!f) return;
    finding = f;
    if (f.kind === 'running') {
      deps.onNote?.(`attempt ${n} of step \`${step.id}\` is still running on ${host.name} (pid ${f.pid}, started ${clock(f.startedAt)}): waiting up to ${formatDuration(waitMs)} for it to end, not starting a second copy (abort to stop waiting)`);
    }
  };
  try {
    const res = await deps.transport.exec(host, markerCheckScript(prev.marker, Math.ceil(waitMs / 1000)), {
      signal: deps.signal,
      sudo: step.attrs.sudo,
      session: step.attrs.session,
      onData: (chunk, stream) => {
        if (stream !== 'stdout') return;
        out += chunk.toString('utf8');
        let nl: number;
        while ((nl = out.indexOf('\n')) >= 0) {
          take(out.slice(0, nl));
          out = out.slice(nl + 1);
        }
      },
    });
    if (out) take(out);
    if (res.aborted) {
      const pid = finding && 'pid' in finding ? ` (pid ${finding.pid})` : '';
      return await keep(`attempt ${n} was interrupted; stopped waiting for it on ${host.name}${pid}: it was not started again`, true);
    }
  } catch (e) {
    return keep(`attempt ${n} was interrupted, and ${host.name} could not be checked for it (${describeError(e)}): it was not started again; run again with --retry-interrupted once the host is reachable`);
  }
  switch (finding?.kind) {
    case 'running':
    case 'still-running': {
      const group = finding.pgid ?? finding.pid;
      return keep(`attempt ${n} is still running on ${host.name} as pid ${finding.pid} (process group ${group}, started ${clock(finding.startedAt)}); it was not started a second time. ` +
        `Wait for it to end, then run again with --retry-interrupted (its result is adopted), or stop it on the host (kill -- -${group}) and run again`);
    }
    case 'ended':
      if (prev.hash !== step.hash) {
        return { notes: [`attempt ${n} ended on the host (exit ${finding.exitCode}) but ran an earlier version of this step: running the current one`] };
      }
      if (step.attrs.capture) {
        return { notes: [`attempt ${n} ended on the host (exit ${finding.exitCode}), but the output this step captures was not kept: running it again`] };
      }
      if (finding.exitCode > 128 && finding.exitCode < 160) {
        // Killed by a signal once runbook was gone: most often SIGPIPE (its output had nowhere to go)
        // or SIGHUP (its session closed), else someone stopped it on the host. Not the step's outcome.
        const sig = signalName(finding.exitCode - 128);
        return { notes: [`attempt ${n} was killed on the host by ${sig} (status ${finding.exitCode}) after runbook stopped (a side effect of the crash, e.g. its output had nowhere to go, or stopped on the host): running the step again`] };
      }
      return { notes: [], adopt: { from: n, exitCode: finding.exitCode, endedAt: finding.endedAt } };
    case 'gone':
      return { notes: [`attempt ${n} is no longer running on the host and recorded no exit code (killed, or the host rebooted): running the step again`] };
    default:
      return { notes: [`no marker of attempt ${n} on the host (rebooted, /tmp cleaned, or not writable): running the step again`] };
  }
}

/** A connection, host-key or authentication failure: the host never ran the step ('unreachable'). */
const isUnreachable = (e: unknown): boolean =>
  !(e instanceof ConnectionLostError) && (e instanceof ConnectionError || e instanceof AuthError || e instanceof HostKeyError);

/** The message a record keeps for an error: its text and hint, or an internal error. */
const errorMessage = (e: unknown): string =>
  isRunbookError(e) ? (e.hint ? `${e.message} (${e.hint})` : e.message) : `internal error: ${(e as Error).message}`;

/**
 * The host's connection before the attempt: TCP, key exchange, the host-key decision (the operator
 * may take minutes in the player's dialog) and authentication. None of it is the step's run: it comes
 * before the attempt's start time, its 'running' record, its log and its `timeout=`. Undefined when
 * connected (or nothing to connect), else why the attempt cannot start.
 */
async function connectHost(host: Host, deps: HostRunDeps): Promise<undefined | { aborted: true } | { error: unknown }> {
  if (deps.signal.aborted) return { aborted: true };
  try {
    await deps.transport.connect?.(host, deps.signal);
  } catch (e) {
    if (deps.signal.aborted) return { aborted: true };
    return { error: e };
  }
  return deps.signal.aborted ? { aborted: true } : undefined;
}

/**
 * The attempt could not start: the host's connection failed. Recorded, with a log that says so, as
 * 'unreachable'; an error that is not about reaching the host (a private key file that became
 * unreadable) as 'failed', as it was before the connection came first. Either way the step did not
 * start: not counted in `attempts`, no start time, no marker, no 'running' record.
 */
async function notConnected(step: Step, host: Host, attempt: number, deps: HostRunDeps, since: Date, error: unknown): Promise<HostRunResult> {
  const unreachable = isUnreachable(error);
  const status: HostStatus = unreachable ? 'unreachable' : 'failed';
  const message = errorMessage(error);
  const mask = deps.ctx.masker();
  const noteLine = (text: string): string => mask(`### runbook: ${text}\n`);
  const log = await openStepLog(deps.paths, step.id, host.name, attempt);
  const ended = new Date();
  try {
    log.write(
      noteLine(`step ${step.id} on host ${host.name}${hostWhere(host)}, attempt ${attempt}`) +
        noteLine(`connecting to the host since ${since.toISOString()}`) +
        noteLine(`${status}: ${message}`) +
        noteLine(`ended ${ended.toISOString()}: ${status}, the step did not start (not counted as an attempt)`),
    );
  } finally {
    await log.close();
  }
  const rec: HostStepRecord = {
    status,
    attempts: attempt - 1,
    hash: step.hash,
    log: log.path,
    exitCode: null,
    signal: null,
    endedAt: ended.toISOString(),
    message,
  };
  await deps.record(rec, { durable: false });
  return { status, exitCode: null, message, durationMs: ended.getTime() - since.getTime(), log: log.path, aborted: false };
}

const hostWhere = (host: Host): string => (host.connection === 'ssh' ? ` (${host.user ? `${host.user}@` : ''}${host.address}:${host.port})` : ' (local)');

async function runAttempt(step: Step, host: Host, r: RealRender, attempt: number, deps: HostRunDeps, pre: Preface): Promise<HostRunResult> {
  const connecting = new Date();
  const connected = await connectHost(host, deps);
  if (connected && 'aborted' in connected) {
    return { status: 'pending', message: 'aborted by operator before the step started on this host: not run', durationMs: Date.now() - connecting.getTime(), aborted: true, notStarted: true };
  }
  if (connected) return notConnected(step, host, attempt, deps, connecting, connected.error);

  const startedAt = new Date();
  const log = await openStepLog(deps.paths, step.id, host.name, attempt);
  const adopt = pre.adopt;
  // The body's marker on the host (none when an earlier attempt's result is adopted: nothing runs).
  const marker = adopt ? undefined : attemptMarkerName(deps.paths.stateFile, step.id, host.name, attempt);
  const base = { attempts: attempt, hash: step.hash, startedAt: startedAt.toISOString(), log: log.path, ...(marker ? { marker } : {}) };
  // 'running' is on disk before anything runs: a crash from here on is an interrupted step, never a lost one.
  await deps.record({ ...base, status: 'running' }, { durable: true });
  deps.onStart(attempt);

  const timeoutMs = step.attrs.timeoutMs;
  const timeout = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
  const signal = timeout ? AbortSignal.any([deps.signal, timeout]) : deps.signal;
  const secrets = deps.ctx.secretValues();
  const mask = deps.ctx.masker();
  // The host's one-line summary is the last complete non-empty LINE of its output, never a chunk's tail.
  const tail = new RecentText(TAIL_CHARS);
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;

  // Everything written to the log or shown live goes through the masker: the labels (rendered
  // unless=/verify= text) as text, the output as bytes (exact, across chunk boundaries).
  const noteLine = (text: string): string => mask(`### runbook: ${text}\n`);
  const note = (text: string): void => log.write(noteLine(text));
  // The header says what ran where (the command as the operator reads it, masked), and what the check
  // of an earlier interrupted attempt found; the footer how it ended. The header goes to the file in one write.
  log.write(
    noteLine(`step ${step.id} on host ${host.name}${hostWhere(host)}, attempt ${attempt}${adopt ? ' (its result, adopted)' : ''}`) +
      noteLine(`started ${startedAt.toISOString()}${step.attrs.sudo ? ', with sudo' : ''}`) +
      pre.notes.map(noteLine).join('') +
      noteLine('command:') +
      mask(r.shown.endsWith('\n') ? r.shown : `${r.shown}\n`) +
      noteLine('output:'),
  );
  for (const line of pre.notes) deps.onNote?.(line);
  const exec = async (script: string, label: string | undefined, collect: boolean, attemptMarker?: string): Promise<ExecResult> => {
    const masker = createByteMasker(secrets);
    const decoder = new StringDecoder('utf8'); // a character split between chunks is shown whole
    if (label) note(label);
    if (collect && step.attrs.secret) note(`stdout captured as secret \`${step.attrs.capture}\`, not logged`);
    const emit = (bytes: Buffer): void => {
      log.write(bytes);
      const shown = decoder.write(bytes);
      if (shown) {
        deps.onOutput(shown);
        tail.push(shown);
      }
    };
    const onData = (chunk: Buffer, stream: OutputStream): void => {
      if (collect && stream === 'stdout' && stdoutBytes < CAPTURE_LIMIT) {
        stdout.push(Buffer.from(chunk)); // decoded whole at the end: no character split between chunks
        stdoutBytes += chunk.length;
      }
      // The stdout of a `capture=NAME secret` step IS the secret, unknown until it ends: never shown or logged.
      if (collect && step.attrs.secret && stream === 'stdout') return;
      emit(masker.push(chunk));
    };
    try {
      return await deps.transport.exec(host, script, { signal, onData, sudo: step.attrs.sudo, session: step.attrs.session, ...(attemptMarker ? { attemptMarker } : {}) });
    } finally {
      emit(masker.end());
      const rest = decoder.end();
      if (rest) {
        deps.onOutput(rest);
        tail.push(rest);
      }
    }
  };

  let status: HostStatus = 'failed';
  let exitCode: number | null | undefined;
  let message: string | undefined;
  let signalName: string | null | undefined;
  let captured: HostStepRecord['captured'];
  const abortedMessage = (): string =>
    timeout?.aborted && !deps.signal.aborted ? `timed out after ${formatDuration(timeoutMs!)}` : 'aborted by operator';

  let adoptedFrom: number | undefined;
  try {
    let done = false;
    if (adopt) {
      // The interrupted attempt ended on the host after this runbook stopped: its exit code is the
      // outcome. Its verify= still runs; nothing else does.
      note(`result adopted from attempt ${adopt.from}, which ended on the host at ${clock(adopt.endedAt)} with exit ${adopt.exitCode}; its output is in its own log`);
      adoptedFrom = adopt.from;
      exitCode = adopt.exitCode;
      const from = `result adopted from attempt ${adopt.from}, which ended on the host after this runbook stopped`;
      if (adopt.exitCode !== 0) message = `exit ${adopt.exitCode} (${from})`;
      else if (r.verify) {
        const v = await exec(r.verify, `verify: ${r.verify}`, false);
        if (v.aborted) message = abortedMessage();
        else if (v.exitCode !== 0) message = `verify failed (exit ${v.exitCode}): ${r.verify} (${from})`;
        else {
          status = 'ok';
          message = from;
        }
      } else {
        status = 'ok';
        message = from;
      }
      done = true;
    }
    if (!done && r.unless) {
      const g = await exec(r.unless, `unless: ${r.unless}`, false);
      if (g.aborted) {
        message = abortedMessage();
        done = true;
      } else if (g.exitCode === 0) {
        status = 'done-already';
        exitCode = 0;
        message = 'unless guard passed: already done';
        done = true;
      }
    }
    if (!done) {
      const res = await exec(r.script, r.unless || r.verify ? 'step' : undefined, Boolean(step.attrs.capture), marker);
      exitCode = res.exitCode;
      signalName = res.signal;
      if (res.aborted) message = abortedMessage();
      else if (res.exitCode !== 0) message = res.signal ? `killed by ${res.signal}` : `exit ${res.exitCode}`;
      else if (r.verify) {
        const v = await exec(r.verify, `verify: ${r.verify}`, false);
        if (v.aborted) message = abortedMessage();
        else if (v.exitCode !== 0) message = `verify failed (exit ${v.exitCode}): ${r.verify}`;
        else status = 'ok';
      } else status = 'ok';
      if (status === 'ok' && step.attrs.capture) {
        const value = Buffer.concat(stdout).toString('utf8').trim();
        const secret = step.attrs.secret;
        captured = { name: step.attrs.capture, value: secret ? null : value, secret };
        deps.ctx.addCapture(host.name, step.attrs.capture, value, { global: deps.captureGlobal, secret });
      }
    }
  } catch (e) {
    message = errorMessage(e);
    // Not the step's failure: a lost connection leaves the outcome unknown (like a crash); a host
    // that could not be reached (its connection died after connectHost, and could not be made again)
    // never ran it.
    if (e instanceof ConnectionLostError) status = 'interrupted';
    else if (isUnreachable(e)) status = 'unreachable';
    note(`${status}: ${message}`);
  } finally {
    const ended = new Date();
    note(`ended ${ended.toISOString()}: ${status}, exit code ${exitCode ?? 'none'}, signal ${signalName ?? 'none'}, duration ${formatDuration(ended.getTime() - startedAt.getTime())}`);
    await log.close();
  }

  const aborted = deps.signal.aborted;
  const lastLine = lastNonEmptyLine(tail.text().slice(-TAIL_CHARS));
  const rec: HostStepRecord = {
    ...base,
    // an unreachable host never started the step: that is not an attempt
    ...(status === 'unreachable' ? { attempts: attempt - 1 } : {}),
    status,
    exitCode: exitCode ?? null,
    signal: signalName ?? null,
    endedAt: new Date().toISOString(),
    ...(message ? { message } : {}),
    ...(captured ? { captured } : {}),
    ...(adoptedFrom !== undefined ? { adoptedFrom } : {}),
  };
  await deps.record(rec, { durable: false });
  return { status, exitCode, message, durationMs: Date.now() - startedAt.getTime(), lastLine, log: log.path, aborted };
}
