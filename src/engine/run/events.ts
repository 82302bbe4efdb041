import type { HostStatus, HostStepRecord } from '../types.js';
import type { PlayStop } from './types.js';

/** What the engine reports as it works; reporters (plain text, JSON, the TUI) listen to these. */
export type PlayerEvent =
  | { readonly type: 'step-start'; readonly stepId: string; readonly hosts: readonly string[] }
  | { readonly type: 'host-start'; readonly stepId: string; readonly host: string; readonly attempt: number }
  | {
      readonly type: 'host-end';
      readonly stepId: string;
      readonly host: string;
      readonly status: HostStatus;
      readonly exitCode?: number | null;
      readonly durationMs: number;
      readonly message?: string;
      readonly lastLine?: string;
      /** Log of the last attempt, relative to the state directory (as the record keeps it). */
      readonly log?: string;
      /** The same log, absolute. */
      readonly logFile?: string;
    }
  | { readonly type: 'step-end'; readonly stepId: string; readonly failed: boolean }
  | { readonly type: 'play-stop'; readonly stop: PlayStop }
  | { readonly type: 'warning'; readonly message: string };

export type PlayerEventListener = (e: PlayerEvent) => void;

type Mask = (text: string) => string;

/** The event with every free text in it (messages, last output line, stop reason) masked. */
export function maskEvent(e: PlayerEvent, mask: Mask): PlayerEvent {
  switch (e.type) {
    case 'host-end':
      return { ...e, ...(e.message !== undefined ? { message: mask(e.message) } : {}), ...(e.lastLine !== undefined ? { lastLine: mask(e.lastLine) } : {}) };
    case 'warning':
      return { ...e, message: mask(e.message) };
    case 'play-stop':
      return e.stop.kind === 'state-error' ? { ...e, stop: { ...e.stop, message: mask(e.stop.message) } } : e.stop.kind === 'confirm' ? { ...e, stop: { ...e.stop, reason: mask(e.stop.reason) } } : e;
    default:
      return e;
  }
}

/** The record with its message masked (what the journal and the store keep). */
export function maskRecord(rec: HostStepRecord, mask: Mask): HostStepRecord {
  return rec.message === undefined ? rec : { ...rec, message: mask(rec.message) };
}
