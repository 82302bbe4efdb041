// `runbook run`: plays every pending step headlessly, one line per step and host.
import { describeError, EXIT } from '../../engine/errors.js';
import { writeReport } from '../../engine/report/write.js';
import { checkOutputPath } from '../../engine/pathCheck.js';
import { reportInput } from './report.js';
import type { PlayerEvent } from '../../engine/run/events.js';
import type { PlayStop } from '../../engine/run/types.js';
import { isFailure, type HostStatus } from '../../engine/types.js';
import { relative } from 'node:path';
import { openPlayerSession, type RunOptions } from '../playerSession.js';
import { parseDurationOption } from '../session.js';
import { changedSteps, describeChanged, goneHostsLine } from '../resumeNotes.js';
import { STATUS_SYMBOL, formatDuration } from '../symbols.js';
import { nameList } from '../../engine/nameList.js';

export type { RunOptions };

type Out = (line: string) => void;

/** A path usable as printed from the current directory: relative when that is shorter, else absolute. */
function shortestPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel.length < abs.length ? rel : abs;
}

/**
 * `run --follow`: every host's output as it arrives, one `host | line` per complete line (a host's
 * unfinished last line is printed when it ends). The text is already masked by the engine.
 */
function followPrinter(out: Out): { onOutput: (stepId: string, host: string, text: string) => void; flush: (host: string) => void } {
  const partial = new Map<string, string>();
  return {
    onOutput(_stepId, host, text) {
      const lines = ((partial.get(host) ?? '') + text).split(/\r?\n/);
      partial.set(host, lines.pop() ?? '');
      for (const l of lines) out(`${host} | ${l}`);
    },
    flush(host) {
      const rest = partial.get(host);
      partial.delete(host);
      if (rest) out(`${host} | ${rest}`);
    },
  };
}

/**
 * The default mode's heartbeat: while a step runs longer than `everyMs`, one line every `everyMs`
 * saying on which hosts it is still running and for how long, so a quiet run never looks hung.
 */
function heartbeat(out: Out, everyMs: number): { onEvent: (e: PlayerEvent) => void; stop: () => void } {
  let stepId: string | undefined;
  let since = 0;
  const running = new Set<string>();
  let order: readonly string[] = [];
  const timer = setInterval(() => {
    if (!stepId || running.size === 0 || Date.now() - since < everyMs) return;
    const hosts = order.filter((h) => running.has(h)); // inventory order, not the order they started in
    out(`  … ${stepId} still running on ${nameList(hosts, 5)} (${formatDuration(Date.now() - since)})`);
  }, everyMs);
  timer.unref();
  return {
    onEvent(e) {
      if (e.type === 'step-start') {
        stepId = e.stepId;
        order = e.hosts;
        since = Date.now();
        running.clear();
      } else if (e.type === 'host-start') running.add(e.host);
      else if (e.type === 'host-end') running.delete(e.host);
      else if (e.type === 'step-end') stepId = undefined;
    },
    stop: () => clearInterval(timer),
  };
}

function plainReporter(out: Out, follow?: ReturnType<typeof followPrinter>): (e: PlayerEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'step-start':
        out(`▶ ${e.stepId} on ${e.hosts.join(', ')}`);
        break;
      case 'host-end': {
        follow?.flush(e.host);
        const log = e.logFile ? shortestPath(e.logFile) : e.log;
        const detail = isFailure(e.status) ? `  ${e.message ?? ''}${e.lastLine ? `  | ${e.lastLine}` : ''}${log ? `  (log: ${log})` : ''}` : e.message && e.status !== 'ok' ? `  ${e.message}` : '';
        out(`  ${STATUS_SYMBOL[e.status]} ${e.host}  ${e.status}  ${formatDuration(e.durationMs)}${detail}`);
        break;
      }
      case 'warning':
        out(`! ${e.message}`);
        break;
      default:
        break;
    }
  };
}

/** "h1, h2 failed; h3 unreachable" for the hosts of a step that did not succeed. */
function hostsByStatus(hosts: Readonly<Record<string, HostStatus>>): string {
  const by = new Map<HostStatus, string[]>();
  for (const [h, st] of Object.entries(hosts)) by.set(st, [...(by.get(st) ?? []), h]);
  // A fleet's worth of names would bury the line: the hosts' own lines above name every one.
  return [...by].map(([st, hs]) => `${nameList(hs, 10, 5)} ${st}`).join('; ');
}

/** 1 when some host failed, 5 when the only trouble was reaching hosts (unreachable, connection lost). */
function failureCode(statuses: readonly HostStatus[]): number {
  return statuses.some((st) => st === 'failed') ? EXIT.STEP_FAILED : EXIT.UNREACHABLE;
}

/**
 * The last line of `run` and its exit code. Failures continue_on_error let the run go past are
 * named whatever stopped it, and make the code 1 (or 5) unless the stop itself says more.
 */
export function describeStop(stop: PlayStop): { line: string; code: number } {
  const { line, code } = describeStopKind(stop);
  if (!stop.tolerated?.length || stop.kind === 'end') return { line, code };
  const list = stop.tolerated.map((t) => `\`${t.stepId}\` (${hostsByStatus(t.hosts)})`).join(', ');
  const tolerated = failureCode(stop.tolerated.flatMap((t) => Object.values(t.hosts)));
  const worse = code === EXIT.OK || code === EXIT.STOPPED || (code === EXIT.UNREACHABLE && tolerated === EXIT.STEP_FAILED);
  return { line: `${line}; earlier, continue_on_error let the run go on past ${list}: those hosts are not done either`, code: worse ? tolerated : code };
}

function describeStopKind(stop: PlayStop): { line: string; code: number } {
  switch (stop.kind) {
    case 'end': {
      if (!stop.tolerated?.length) return { line: 'done: every step is complete on every targeted host', code: EXIT.OK };
      const list = stop.tolerated.map((t) => `\`${t.stepId}\` (${hostsByStatus(t.hosts)})`).join(', ');
      const code = failureCode(stop.tolerated.flatMap((t) => Object.values(t.hosts)));
      return { line: `finished with failures: every step ran, but continue_on_error let the run go on past ${list}; those hosts are not done (fix them, then run again)`, code };
    }
    case 'failed': {
      const hosts = stop.hosts && Object.keys(stop.hosts).length ? ` (${hostsByStatus(stop.hosts)})` : '';
      const code = stop.hosts ? failureCode(Object.values(stop.hosts)) : EXIT.STEP_FAILED;
      return { line: `stopped: step \`${stop.stepId}\` ${code === EXIT.STEP_FAILED ? 'failed' : 'could not run everywhere'}${hosts} (fix it, then run again: done steps are not repeated)`, code };
    }
    case 'confirm':
      return { line: `stopped before step \`${stop.stepId}\`: it needs confirmation${stop.reason ? ` (${stop.reason})` : ''}; run again with --yes to go on`, code: EXIT.STOPPED };
    case 'interrupted':
      if (stop.held) {
        return { line: `stopped at step \`${stop.stepId}\`: it was not started again on ${stop.hosts.join(', ')}, where its interrupted attempt is still running or could not be checked (see above); run again with --retry-interrupted once it has ended (its result is adopted)`, code: EXIT.STOPPED };
      }
      return { line: `stopped before step \`${stop.stepId}\`: it was interrupted on ${stop.hosts.join(', ')} in an earlier session and may have half-run; check the hosts, then run again with --retry-interrupted (or mark it with reset/skip)`, code: EXIT.STOPPED };
    case 'paused':
      return { line: 'paused', code: EXIT.STOPPED };
    case 'aborted':
      return { line: `aborted during step \`${stop.stepId}\``, code: EXIT.STEP_FAILED };
    case 'state-error':
      return { line: `stopped: ${stop.message}; no new work was started (the state file keeps everything recorded before)`, code: EXIT.STATE_UNAVAILABLE };
  }
}

export async function runCommand(path: string, o: RunOptions, out: Out = (l) => process.stdout.write(l + '\n')): Promise<number> {
  if (o.report !== undefined) {
    checkOutputPath('--report', o.report);
  }
  const follow = o.follow && !o.json ? followPrinter(out) : undefined;
  const heartbeatMs = parseDurationOption('--heartbeat', o.heartbeat) ?? 10_000;
  const beat = !o.json && !o.follow ? heartbeat(out, heartbeatMs) : undefined;
  const reporter = o.json ? (e: PlayerEvent) => out(JSON.stringify(e)) : plainReporter(out, follow);
  const onEvent = (e: PlayerEvent): void => {
    beat?.onEvent(e);
    reporter(e);
  };
  let opened;
  try {
    opened = await openPlayerSession(path, o, { interactive: false, onEvent, onOutput: follow?.onOutput });
  } catch (e) {
    beat?.stop();
    throw e;
  }
  const { session, state, player } = opened;
  const onSignal = (): void => player.abort();
  let exitCode: number = EXIT.OK;
  let outcome = 'ended';
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const w of session.runbook.warnings ?? []) {
      if (w.level === 'info') continue;
      out(o.json ? JSON.stringify({ type: 'warning', message: `${w.file}:${w.line}: ${w.message}` }) : `! ${w.file}:${w.line}: ${w.message}`);
    }
    const gone = goneHostsLine(session);
    if (gone) out(o.json ? JSON.stringify({ type: 'warning', message: gone }) : `! ${gone}`);
    const changedBefore = changedSteps(session.runbook.steps, state.snapshot(), session.inventory.hosts.map((h) => h.name));
    if (changedBefore.length && !o.json) out(`! ${describeChanged(changedBefore)}`);
    if (state.interruptedOnLoad.length && !o.json) {
      out(`! interrupted in an earlier session: ${state.interruptedOnLoad.map((i) => `${i.stepId}@${i.host}`).join(', ')}`);
    }
    const stop = await player.play({ fromStepId: o.from, only: o.only, yes: o.yes, retryInterrupted: o.retryInterrupted, force: o.force });
    const { line, code } = describeStop(stop);
    if (!o.json) {
      const changed = changedSteps(session.runbook.steps, state.snapshot(), session.inventory.hosts.map((h) => h.name));
      if (changed.length) out(describeChanged(changed));
      if (gone) out(gone);
      out(line);
    }
    exitCode = code;
    outcome = `${line} (exit ${code})`;
  } catch (e) {
    outcome = `error: ${describeError(e)}`;
    throw e;
  } finally {
    if (!state.failed) state.endSession(outcome);
    beat?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await player.close();
  }
  if (o.report !== undefined) {
    // After close: the journal is flushed, so the report's timeline holds this run too.
    try {
      await writeReport(o.report, reportInput(session, state.snapshot()));
      out(o.json ? JSON.stringify({ type: 'report', file: o.report }) : `report written to ${o.report}`);
    } catch (e) {
      out(o.json ? JSON.stringify({ type: 'warning', message: describeError(e) }) : `! ${describeError(e)}`);
      if (exitCode === EXIT.OK) exitCode = EXIT.BAD_INPUT;
    }
  }
  return exitCode;
}
