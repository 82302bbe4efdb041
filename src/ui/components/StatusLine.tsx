import React from 'react';
import { Box, Text } from 'ink';
import type { PlayerMode } from '../../engine/store.js';
import type { Progress } from '../selectors.js';
import { useTheme } from '../theme.js';

export interface StatusLineProps {
  readonly title: string;
  readonly progress: Progress;
  readonly mode: PlayerMode;
  readonly elapsedMs: number;
  readonly hostFilter?: readonly string[];
}

const MODE_LABEL: Record<PlayerMode, string> = { idle: 'paused', running: 'running', playing: 'playing', pausing: 'pausing' };

/** Title, progress (steps and host-steps done of total), mode and elapsed time. */
export function StatusLine(props: StatusLineProps): React.JSX.Element {
  const theme = useTheme();
  const p = props.progress;
  return (
    <Box>
      <Text {...theme.accent} wrap="truncate">{props.title}</Text>
      <Text>{`  steps ${p.stepsDone}/${p.stepsTotal}  host-steps ${p.hostStepsDone}/${p.hostStepsTotal}  `}</Text>
      <Text {...(props.mode === 'idle' ? theme.text.muted : theme.status.running)}>[{MODE_LABEL[props.mode]}]</Text>
      <Text>{`  ${formatClock(props.elapsedMs)}`}</Text>
      {props.hostFilter && <Text {...theme.status.interrupted}>{`  hosts: ${props.hostFilter.join(',') || '(none)'}`}</Text>}
    </Box>
  );
}

/** Elapsed time as m:ss (or h:mm:ss). */
export function formatClock(ms: number): string {
  const t = Math.floor(ms / 1000);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const ss = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
