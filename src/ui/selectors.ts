// Pure derivations from the run store for display: step badges, progress, host rows.
// No React here; everything is testable directly.
import { isDone, type HostStatus, type HostStepRecord, type Step } from '../engine/types.js';
import { liveKey, type RunStoreState } from '../engine/store.js';
import { formatDuration } from '../engine/duration.js';
import type { RecordPlan } from './uiState.js';
import { transcriptNote } from '../engine/parser/prompts.js';

export type BadgeKind = 'done' | 'failed' | 'running' | 'partial' | 'interrupted' | 'changed' | 'pending' | 'none';

export interface Badge {
  readonly kind: BadgeKind;
  /** e.g. '✔ 3/3', '✔ 3/3 2↷' (2 skipped or done by hand), '✖ 1/3 failed', '… 2/3', '⏸ 1/3 intr', '⚠ changed', '· 0/3'. */
  readonly text: string;
}

type Records = RunStoreState['records'];

export { isDone };

/** True when some record of the step was made for a different version of its text. */
export function stepChanged(step: Step, records: Records, hosts: readonly string[]): boolean {
  const recs = records[step.id] ?? {};
  return hosts.some((h) => recs[h] !== undefined && recs[h].hash !== step.hash);
}

/** Aggregate badge of a step over its target hosts. */
export function stepBadge(step: Step, records: Records, hosts: readonly string[]): Badge {
  const total = hosts.length;
  if (total === 0) return { kind: 'none', text: '– 0/0' };
  const recs = records[step.id] ?? {};
  const statuses = hosts.map((h) => recs[h]?.status);
  const done = statuses.filter(isDone).length;
  const count = (s: HostStatus): number => statuses.filter((x) => x === s).length;
  if (count('running') > 0) return { kind: 'running', text: `… ${done}/${total}` };
  const failed = count('failed') + count('unreachable');
  // The word says what the number counts: "✖ 3/30" alone read as "3 of 30 done".
  if (failed > 0) return { kind: 'failed', text: `✖ ${failed}/${total} failed` };
  if (count('interrupted') > 0) return { kind: 'interrupted', text: `⏸ ${count('interrupted')}/${total} intr` };
  if (stepChanged(step, records, hosts)) return { kind: 'changed', text: '⚠ changed' };
  if (done === total) {
    // Passed without running is not the same as ran ok: say how many were skipped or done by hand.
    const passed = count('skipped') + count('done-manual');
    return { kind: 'done', text: `✔ ${done}/${total}${passed > 0 ? ` ${passed}↷` : ''}` };
  }
  if (done > 0) return { kind: 'partial', text: `… ${done}/${total}` };
  return { kind: 'pending', text: `· 0/${total}` };
}

export interface Progress {
  readonly stepsDone: number;
  readonly stepsTotal: number;
  readonly hostStepsDone: number;
  readonly hostStepsTotal: number;
}

/** Steps done on all their targets, and host-steps done, of the totals. */
export function progress(steps: readonly Step[], records: Records, targetsOf: (stepId: string) => readonly string[]): Progress {
  let stepsDone = 0;
  let hostStepsDone = 0;
  let hostStepsTotal = 0;
  for (const step of steps) {
    const hosts = targetsOf(step.id);
    const recs = records[step.id] ?? {};
    const done = hosts.filter((h) => isDone(recs[h]?.status)).length;
    hostStepsDone += done;
    hostStepsTotal += hosts.length;
    if (done === hosts.length) stepsDone++;
  }
  return { stepsDone, stepsTotal: steps.length, hostStepsDone, hostStepsTotal };
}

/** Index of the first step not done on all its targets (0 when everything is done). */
export function firstNotDoneIndex(steps: readonly Step[], records: Records, targetsOf: (stepId: string) => readonly string[]): number {
  const i = steps.findIndex((s) => targetsOf(s.id).some((h) => !isDone(records[s.id]?.[h]?.status)));
  return i < 0 ? 0 : i;
}

export interface HostRow {
  readonly host: string;
  readonly status: HostStatus;
  readonly attempts: number;
  readonly durationMs?: number;
  readonly exitCode?: number | null;
  readonly lastLine: string;
  readonly message?: string;
  readonly log?: string;
}

/** One row per targeted host of a step; `now` closes the duration of running hosts. */
export function hostRows(state: Pick<RunStoreState, 'records' | 'live'>, stepId: string, hosts: readonly string[], now: number): HostRow[] {
  return hosts.map((host) => {
    const rec: HostStepRecord | undefined = state.records[stepId]?.[host];
    const live = state.live[liveKey(stepId, host)];
    const lastLine = live ? (live.partial || live.tail[live.tail.length - 1] || '') : '';
    let durationMs: number | undefined;
    if (rec?.startedAt) {
      const end = rec.endedAt ? Date.parse(rec.endedAt) : now;
      durationMs = Math.max(0, end - Date.parse(rec.startedAt));
    }
    return {
      host,
      status: rec?.status ?? 'pending',
      attempts: rec?.attempts ?? 0,
      durationMs,
      exitCode: rec?.exitCode,
      lastLine: lastLine || rec?.message || '',
      message: rec?.message,
      log: rec?.log,
    };
  });
}

/** Whole-run outcome for the exit code: 0 all done, 1 something failed, 5 a host was unreachable, 3 otherwise. */
export function exitCodeFor(steps: readonly Step[], records: Records, targetsOf: (stepId: string) => readonly string[]): number {
  let allDone = true;
  let unreachable = false;
  for (const step of steps) {
    for (const h of targetsOf(step.id)) {
      const st = records[step.id]?.[h]?.status;
      if (st === 'failed') return 1;
      if (st === 'unreachable') unreachable = true;
      if (!isDone(st)) allDone = false;
    }
  }
  return unreachable ? 5 : allDone ? 0 : 3;
}

export { formatDuration };

/** Short label of a step for lists: its id attribute, the file it writes, or its first command line. */
export function stepLabel(step: Step): string {
  if (step.attrs.id) return step.attrs.id;
  if (step.kind === 'file' && step.attrs.file) return `write ${step.attrs.file}`;
  const first = step.body.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  return first ?? step.id;
}

/** The attributes worth showing, as plain "name: value" pairs. */
export function stepAttributeLines(step: Step): string[] {
  const a = step.attrs;
  const out = [`targets: ${step.hosts}`];
  if (a.sudo) out.push('sudo: yes');
  if (a.confirm !== undefined) out.push(`confirm: ${a.confirm || 'yes'}`);
  if (a.unless) out.push(`unless: ${a.unless}`);
  if (a.verify) out.push(`verify: ${a.verify}`);
  if (a.timeoutMs !== undefined) out.push(`timeout: ${formatDuration(a.timeoutMs)}`);
  if (a.retries > 0) out.push(`retries: ${a.retries}`);
  if (a.serial !== undefined) out.push(`serial: ${a.serial}`);
  if (a.throttle !== undefined) out.push(`throttle: ${a.throttle}`);
  if (step.transcript) out.push(transcriptNote(step.transcript));
  if (a.continueOnError) out.push('continue_on_error: yes');
  if (a.capture) out.push(`capture: ${a.capture}${a.secret ? ' (secret)' : ''}`);
  if (a.file) out.push(`file: ${a.file}${a.mode ? ` mode ${a.mode}` : ''}${a.owner ? ` owner ${a.owner}` : ''}`);
  if (a.norun) out.push('norun: yes');
  return out;
}

/**
 * The question the 'danger' dialog asks before a dangerous command records anything: what will be
 * recorded, on which step and exactly which hosts, e.g.
 * "Skip step `drain` on web1, web2, db1? It will be recorded as skipped and play will pass it."
 */
export function recordQuestion(plan: RecordPlan, labelOf: (stepId: string) => string): { readonly title: string; readonly lines: readonly string[] } {
  const skip = plan.verb === 'skip';
  const title = skip ? 'Skip without running?' : 'Mark done by hand?';
  const recorded = skip ? 'skipped' : 'done by hand (done-manual)';
  const [only] = plan.groups;
  if (plan.groups.length === 1 && only) {
    const where = `\`${labelOf(only.stepId)}\``;
    const hosts = only.hosts.join(', ');
    const ask = skip ? `Skip step ${where} on ${hosts}?` : `Mark ${where} done by hand on ${hosts}?`;
    return { title, lines: [`${ask} It will be recorded as ${recorded} and play will pass it.`] };
  }
  const ask = skip ? 'Skip these steps on these hosts?' : 'Mark these steps done by hand on these hosts?';
  return {
    title,
    lines: [
      `${ask} Each will be recorded as ${recorded} and play will pass it:`,
      ...plan.groups.map((g) => `  \`${labelOf(g.stepId)}\` on ${g.hosts.join(', ')}`),
    ],
  };
}
