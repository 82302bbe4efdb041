// What the resume banner says: the (step, host) cells the state held as 'interrupted' when the
// player opened and that still are, grouped by step, with where the step is and when it started.
// Pure data, tested directly; ResumeBanner draws it.
import type { RunStoreState } from '../engine/store.js';
import type { Step } from '../engine/types.js';

export interface ResumeGroup {
  readonly stepId: string;
  readonly step?: Step;
  /** Interrupted hosts of the step, in inventory order (the state lists them as they were written). */
  readonly hosts: readonly string[];
  /** Earliest start among those hosts' interrupted attempts (ISO), when recorded. */
  readonly startedAt?: string;
}

export interface ResumeInfo {
  readonly groups: readonly ResumeGroup[];
  /** Interrupted cells in all (host-steps). */
  readonly total: number;
  /** Which earlier session left them, e.g. "session of 2026-12-01 13:20 UTC by ops@bastion" (when the state says). */
  readonly session?: string;
  /** Steps whose text changed since they last ran (when the state says). */
  readonly editedSteps?: readonly string[];
}

/** Cells the last sessions left interrupted and that still are (a retry, skip or mark-done clears them). */
export function pendingInterruptedCells(s: Pick<RunStoreState, 'interruptedOnLoad' | 'records'>): { stepId: string; host: string }[] {
  return s.interruptedOnLoad.filter((x) => s.records[x.stepId]?.[x.host]?.status === 'interrupted');
}

/** The banner's content for the current state (groups in runbook order). */
export function resumeInfo(s: Pick<RunStoreState, 'interruptedOnLoad' | 'records' | 'runbook'> & { readonly inventory?: RunStoreState['inventory'] }): ResumeInfo {
  const cells = pendingInterruptedCells(s);
  const byStep = new Map<string, string[]>();
  for (const c of cells) byStep.set(c.stepId, [...(byStep.get(c.stepId) ?? []), c.host]);
  const rank = new Map(s.inventory?.hosts.map((h, i) => [h.name, i] as const) ?? []);
  for (const hosts of byStep.values()) hosts.sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity));
  const groups: ResumeGroup[] = [...byStep].map(([stepId, hosts]) => {
    const starts = hosts.map((h) => s.records[stepId]?.[h]?.startedAt).filter((x): x is string => Boolean(x)).sort();
    return { stepId, step: s.runbook.steps.find((x) => x.id === stepId), hosts, startedAt: starts[0] };
  });
  return { groups, total: cells.length };
}

/** "2026-12-01 13:20 UTC" from an ISO time (records are written in UTC). */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
