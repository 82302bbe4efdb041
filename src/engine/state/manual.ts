// Records an operator makes by hand (skip, mark done): who, when and why, shared by the player's
// keys and the headless `runbook skip` / `runbook mark-done`.
import os from 'node:os';
import type { HostStepRecord, Step } from '../types.js';

export type ManualStatus = 'skipped' | 'done-manual';

/** `user@machine` of the operator running this process. */
export function operatorName(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `${user}@${os.hostname()}`;
}

/** The record for a step the operator skipped or marked done on one host (attempts and last log kept). */
export function manualRecord(step: Step, prev: HostStepRecord | undefined, status: ManualStatus, opts: { reason?: string; by?: string; now?: Date } = {}): HostStepRecord {
  const by = opts.by ?? operatorName();
  const verb = status === 'skipped' ? 'skipped' : 'marked done';
  return {
    status,
    attempts: prev?.attempts ?? 0,
    hash: step.hash,
    endedAt: (opts.now ?? new Date()).toISOString(),
    message: `${verb} by ${by}${opts.reason ? `: ${opts.reason}` : ''}`,
    by,
    ...(opts.reason ? { reason: opts.reason } : {}),
    ...(prev?.log ? { log: prev.log } : {}),
  };
}
