// Derivations for the status line and the outline: problem counts, per-section progress, ETA.
// Pure functions over the run store's records, used by App.
import type { Step } from '../engine/types.js';
import type { RunStoreState } from '../engine/store.js';
import { progress } from './selectors.js';
import { isProblem } from './hostView.js';

/** Host-steps failed, unreachable or interrupted. */
export function countProblems(stepIds: readonly string[], records: RunStoreState['records']): number {
  let n = 0;
  for (const id of stepIds) for (const r of Object.values(records[id] ?? {})) if (isProblem(r.status)) n++;
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
