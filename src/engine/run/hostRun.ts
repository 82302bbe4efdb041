// Runs one step on one host: guard, body (with retries), verify, capture; records every transition.
import { AuthError, ConnectionError, ConnectionLostError, describeError, HostKeyError, isRunbookError } from '../errors.js';
import { StringDecoder } from 'node:string_decoder';
import { createByteMasker } from '../secrets.js';
import { openStepLog } from '../state/logs.js';
import type { Host, HostStatus, HostStepRecord, Step } from '../types.js';
import type { ExecResult, OutputStream, Transport } from '../transport/types.js';
import { formatDuration } from '../duration.js';
import { delay } from './limit.js';
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
}

export interface HostRunResult {
  readonly status: HostStatus;
  readonly exitCode?: number | null;
  readonly message?: string;
  readonly durationMs: number;
  readonly lastLine?: string;
  readonly log?: string;
  readonly aborted: boolean;
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

  const maxAttempts = 1 + step.attrs.retries;
  let result: HostRunResult | undefined;
  for (let i = 0; i < maxAttempts; i++) {
    const attempt = (prev?.attempts ?? 0) + i + 1;
    result = await runAttempt(step, host, rendered, attempt, deps);
    if (result.status !== 'failed' || result.aborted || deps.signal.aborted) break;
    if (i < maxAttempts - 1) await delay(step.attrs.delayMs, deps.signal);
    if (deps.signal.aborted) break;
  }
  return { ...result!, durationMs: Date.now() - started };
}

async function runAttempt(step: Step, host: Host, r: RealRender, attempt: number, deps: HostRunDeps): Promise<HostRunResult> {
  const startedAt = new Date();
  const log = await openStepLog(deps.paths, step.id, host.name, attempt);
  const base = { attempts: attempt, hash: step.hash, startedAt: startedAt.toISOString(), log: log.path };
  // 'running' is on disk before anything runs: a crash from here on is an interrupted step, never a lost one.
  await deps.record({ ...base, status: 'running' }, { durable: true });
  deps.onStart(attempt);

  const timeoutMs = step.attrs.timeoutMs;
  const timeout = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
  const signal = timeout ? AbortSignal.any([deps.signal, timeout]) : deps.signal;
  const secrets = deps.ctx.secretValues();
  const mask = deps.ctx.masker();
  // The host's one-line summary is the last complete non-empty LINE of its output, never a chunk's tail.
  let tail = '';
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;

  // Everything written to the log or shown live goes through the masker: the labels (rendered
  // unless=/verify= text) as text, the output as bytes (exact, across chunk boundaries).
  const noteLine = (text: string): string => mask(`### runbook: ${text}\n`);
  const note = (text: string): void => log.write(noteLine(text));
  // The header says what ran where (the command as the operator reads it, masked); the footer how it
  // ended. The header goes to the file in one write.
  log.write(
    noteLine(`step ${step.id} on host ${host.name}${host.connection === 'ssh' ? ` (${host.user ? `${host.user}@` : ''}${host.address}:${host.port})` : ' (local)'}, attempt ${attempt}`) +
      noteLine(`started ${startedAt.toISOString()}${step.attrs.sudo ? ', with sudo' : ''}`) +
      noteLine('command:') +
      mask(r.shown.endsWith('\n') ? r.shown : `${r.shown}\n`) +
      noteLine('output:'),
  );
  const exec = async (script: string, label: string | undefined, collect: boolean): Promise<ExecResult> => {
    const masker = createByteMasker(secrets);
    const decoder = new StringDecoder('utf8'); // a character split between chunks is shown whole
    if (label) note(label);
    if (collect && step.attrs.secret) note(`stdout captured as secret \`${step.attrs.capture}\`, not logged`);
    const emit = (bytes: Buffer): void => {
      log.write(bytes);
      const shown = decoder.write(bytes);
      if (shown) {
        deps.onOutput(shown);
        tail = (tail + shown).slice(-TAIL_CHARS);
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
      return await deps.transport.exec(host, script, { signal, onData, sudo: step.attrs.sudo, session: step.attrs.session });
    } finally {
      emit(masker.end());
      const rest = decoder.end();
      if (rest) {
        deps.onOutput(rest);
        tail = (tail + rest).slice(-TAIL_CHARS);
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

  try {
    let done = false;
    if (r.unless) {
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
      const res = await exec(r.script, r.unless || r.verify ? 'step' : undefined, Boolean(step.attrs.capture));
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
    message = isRunbookError(e) ? (e.hint ? `${e.message} (${e.hint})` : e.message) : `internal error: ${(e as Error).message}`;
    // Not the step's failure: a lost connection leaves the outcome unknown (like a crash); a host
    // that could not be reached never ran it.
    if (e instanceof ConnectionLostError) status = 'interrupted';
    else if (e instanceof ConnectionError || e instanceof AuthError || e instanceof HostKeyError) status = 'unreachable';
    note(`${status}: ${message}`);
  } finally {
    const ended = new Date();
    note(`ended ${ended.toISOString()}: ${status}, exit code ${exitCode ?? 'none'}, signal ${signalName ?? 'none'}, duration ${formatDuration(ended.getTime() - startedAt.getTime())}`);
    await log.close();
  }

  const aborted = deps.signal.aborted;
  const lastLine = lastNonEmptyLine(tail);
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
  };
  await deps.record(rec, { durable: false });
  return { status, exitCode, message, durationMs: Date.now() - startedAt.getTime(), lastLine, log: log.path, aborted };
}
