import React from 'react';
import { Box, Text } from 'ink';
import type { PlayerMode } from '../../engine/store.js';
import type { Progress } from '../selectors.js';
import { useTheme } from '../theme.js';
import type { ProblemCounts } from '../progressView.js';

export interface StatusLineProps {
  readonly title: string;
  readonly progress: Progress;
  readonly mode: PlayerMode;
  /** Time spent running steps in this session. */
  readonly elapsedMs: number;
  readonly hostFilter?: readonly string[];
  /** Columns available: the line never wraps (the title is cut first). */
  readonly width: number;
  /** Host-steps failed, interrupted and unreachable (each shown as what it is, when there are any). */
  readonly problems?: ProblemCounts;
  /** The step running now. */
  readonly currentStep?: string;
  /** Estimated time left for the play (undefined until a step finished in this session). */
  readonly etaMs?: number;
  /** Checks still running before any step may run (store `checking`), shown instead of the mode. */
  readonly checking?: string;
  /** What the step under way waits for the operator to answer, nothing of it running yet ("2 host keys"): shown instead of the mode. */
  readonly awaiting?: string;
}

const MODE_LABEL: Record<PlayerMode, string> = { idle: 'paused', running: 'running', playing: 'playing', pausing: 'pausing' };

/**
 * Title, progress (steps and host-steps done of total), mode, failures, the running step, the
 * time spent running and an ETA, on exactly one line (the title and host filter give way first).
 */
export function StatusLine(props: StatusLineProps): React.JSX.Element {
  const theme = useTheme();
  const p = props.progress;
  const counts = `  steps ${p.stepsDone}/${p.stepsTotal}  host-steps ${p.hostStepsDone}/${p.hostStepsTotal}  `;
  // A host-step stopped by a crash is interrupted (its outcome unknown), not failed: each is named as what it is.
  const pr = props.problems;
  const failed = pr ? [pr.failed ? `  ✖ ${pr.failed} failed` : '', pr.interrupted ? `  ⏸ ${pr.interrupted} interrupted` : '', pr.unreachable ? `  ⊘ ${pr.unreachable} unreachable` : ''].join('') : '';
  const clock = `  ${formatClock(props.elapsedMs)}${props.etaMs !== undefined ? ` ETA ${formatClock(props.etaMs)}` : ''}`;
  // The counts, failures and clock are never cut; what the checks are doing and the running
  // step's id give way (to at least 12 columns of title) before Ink would squeeze every part.
  const modeRoom = props.width - counts.length - failed.length - clock.length - 12;
  const label = props.awaiting !== undefined ? `waiting for your answer: ${props.awaiting}` : MODE_LABEL[props.mode];
  const mode = props.checking
    ? `[checking${fitTail(`: ${props.checking}`, modeRoom - '[checking]'.length)}]`
    : `[${label}]${props.currentStep ? fitTail(` ▶ ${props.currentStep}`, modeRoom - label.length - 2) : ''}`;
  let hosts = props.hostFilter ? `  hosts: ${props.hostFilter.join(',') || '(none)'}` : '';
  const fixed = counts.length + mode.length + failed.length + clock.length;
  // Keep at least 12 columns of title; the host filter gives way before the title does.
  const room = Math.max(0, props.width - fixed - 12);
  if (hosts.length > room) hosts = room > 10 ? `${hosts.slice(0, room - 1)}…` : '';
  const titleRoom = Math.max(1, props.width - fixed - hosts.length);
  const title = props.title.length > titleRoom ? `${props.title.slice(0, Math.max(0, titleRoom - 1))}…` : props.title;
  return (
    <Box width={props.width} height={1} overflow="hidden">
      <Text {...theme.accent} wrap="truncate">{title}</Text>
      <Text>{counts}</Text>
      <Text {...(props.awaiting !== undefined && !props.checking ? theme.status.interrupted : props.mode === 'idle' && !props.checking ? theme.text.muted : theme.status.running)} wrap="truncate">{mode}</Text>
      {failed !== '' && <Text {...theme.status.failed}>{failed}</Text>}
      <Text>{clock}</Text>
      {hosts !== '' && <Text {...theme.status.interrupted}>{hosts}</Text>}
    </Box>
  );
}

/** `text` in at most `room` columns, cut with `…`; nothing when not even ` …` fits. */
function fitTail(text: string, room: number): string {
  if (text.length <= room) return text;
  return room >= 4 ? `${text.slice(0, room - 1)}…` : room >= 1 ? '…' : '';
}

/** Elapsed time as m:ss (or h:mm:ss). */
export function formatClock(ms: number): string {
  const t = Math.floor(ms / 1000);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const ss = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
