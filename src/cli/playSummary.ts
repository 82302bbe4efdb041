// What `runbook play` prints once the player has closed and the terminal is back: how far the
// runbook got and why the exit code is what it is, so that a closed screen does not hide a failure.
import type { Step, HostStatus } from '../engine/types.js';
import { isDone } from '../engine/types.js';
import { STATUS_SYMBOL } from './symbols.js';
import { nameList } from '../engine/nameList.js';

type Records = Readonly<Record<string, Readonly<Record<string, { readonly status: HostStatus; readonly message?: string }> | undefined>>>;

const EXIT_MEANING: Readonly<Record<number, string>> = {
  0: 'every step is done on every host',
  1: 'a step failed',
  3: 'steps are left to play',
  5: 'a host was unreachable',
};

/** Why a step failed that did not end by itself: the operator aborted it, or its timeout= ran out. */
const STOPPED = /^(aborted by operator|timed out after \S+)$/;

/**
 * One line per step (at most 5, then a count): `✖ failed: step on h1, h2`, or `on all N hosts`,
 * and, when it failed on all of those hosts because it was stopped, why (`(aborted by operator)`).
 */
function stepLines(label: string, byStep: ReadonlyMap<string, readonly string[]>, targetCount: (stepId: string) => number, messageOf: (stepId: string, host: string) => string | undefined): string[] {
  const lines = [...byStep].slice(0, 5).map(([id, hosts]) => {
    const n = targetCount(id);
    const why = new Set(hosts.map((h) => messageOf(id, h)));
    const [only] = why;
    const stopped = why.size === 1 && only !== undefined && STOPPED.test(only) ? ` (${only})` : '';
    return `  ${label}: ${id} on ${hosts.length === n && n > 1 ? `all ${n} hosts` : nameList(hosts, 5)}${stopped}`;
  });
  if (byStep.size > 5) lines.push(`  ${label}: and ${byStep.size - 5} more steps`);
  return lines;
}

/**
 * The lines `play` prints on leaving: a count of the steps finished on every host they target (a
 * step targeting no host of the session is not counted), then each kind of problem with its steps
 * and hosts. The first line fits 80 columns.
 */
export function playSummaryLines(steps: readonly Step[], records: Records, targetsOf: (stepId: string) => readonly string[], code: number): string[] {
  const bad = new Map<HostStatus, Map<string, string[]>>();
  let finished = 0;
  let total = 0;
  let left = 0;
  let byHand = 0;
  let skipped = 0;
  for (const step of steps) {
    const hosts = targetsOf(step.id);
    if (hosts.length === 0) continue;
    total++;
    let done = true;
    for (const h of hosts) {
      const st = records[step.id]?.[h]?.status;
      if (st === 'skipped') skipped++;
      if (st === 'done-manual') byHand++;
      if (isDone(st)) continue;
      done = false;
      if (st === 'failed' || st === 'unreachable' || st === 'interrupted') {
        const of = bad.get(st) ?? new Map<string, string[]>();
        bad.set(st, of);
        of.set(step.id, [...(of.get(step.id) ?? []), h]);
      }
    }
    if (done) finished++;
    else left++;
  }
  const meaning = EXIT_MEANING[code];
  const lines = [`runbook play: ${finished} of ${total} step${total === 1 ? '' : 's'} finished, exit ${code}${meaning ? `: ${meaning}` : ''}`];
  for (const st of ['failed', 'unreachable', 'interrupted'] as const) {
    const of = bad.get(st);
    if (of) lines.push(...stepLines(`${STATUS_SYMBOL[st]} ${st}`, of, (id) => targetsOf(id).length, (id, h) => records[id]?.[h]?.message));
  }
  if (skipped || byHand) {
    const parts = [skipped ? `${STATUS_SYMBOL.skipped} skipped on ${skipped} host-step${skipped === 1 ? '' : 's'}` : '', byHand ? `${STATUS_SYMBOL['done-manual']} marked done by hand on ${byHand}` : ''];
    lines.push(`  counted as finished: ${parts.filter(Boolean).join(', ')}`);
  }
  if (left) lines.push(`  ${left} step${left === 1 ? '' : 's'} not finished: play the runbook again to resume`);
  return lines;
}
