import type { HostStatus } from '../types.js';
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
      readonly log?: string;
    }
  | { readonly type: 'step-end'; readonly stepId: string; readonly failed: boolean }
  | { readonly type: 'play-stop'; readonly stop: PlayStop }
  | { readonly type: 'warning'; readonly message: string };

export type PlayerEventListener = (e: PlayerEvent) => void;
