// Derivations for the status line and the outline: problem counts, per-section progress, ETA.
// Pure functions over the run store's records, used by App.
import type { Step } from '../engine/types.js';
import type { RunStoreState } from '../engine/store.js';
import { progress } from './selectors.js';
import { isProblem } from './hostView.js';

export interface ProblemCounts {
  readonly failed: number;
  readonly interrupted: number;
  readonly unreachable: number;
}

/** Host-steps failed, interrupted (outcome unknown) and unreachable, each counted as what it is. */
export function countProblems(stepIds: readonly string[], records: RunStoreState['records']): ProblemCounts {
  const n = { failed: 0, interrupted: 0, unreachable: 0 };
  for (const id of stepIds) {
    for (const r of Object.values(records[id] ?? {})) {
      if (r.status === 'failed' || r.status === 'interrupted' || r.status === 'unreachable') n[r.status]++;
    }
  }
  return n;
}

/** Steps done on all their hosts, and steps with a problem, among these step indexes. */
export function sectionProgress(stepIndexes: readonly number[], steps: readonly Step[], records: RunStoreState['records'], targetsOf: (id: string) => readonly string[]): { done: number; total: number; failed: number } {
  const p = progress(stepIndexes.map((i) => steps[i]), records, targetsOf);
  let failed = 0;
  for (const i of stepIndexes) {
    const recs = records[steps[i].id] ?? {};
    if (targetsOf(steps[i].id).some((h) => isProblem(recs[h]?.status))) failed++;
  }
  return { done: p.stepsDone, total: p.stepsTotal, failed };
}

/** A simple ETA: the mean running time of the steps finished in this session, times the steps left. */
export function eta(runMs: number, doneThisSession: number, left: number): number | undefined {
  if (doneThisSession <= 0 || left <= 0) return undefined;
  return (runMs / doneThisSession) * left;
}
