import React from 'react';
import { Text } from 'ink';
import type { RenderedStep } from '../../engine/run/types.js';
import { DialogFrame } from './DialogFrame.js';
import { RenderedCommands } from './ConfirmDialog.js';
import { useTheme } from '../theme.js';

export interface ChangedDiffProps {
  readonly stepLabel: string;
  /** Hosts whose record was made for an older text of the step. */
  readonly changedHosts: readonly string[];
  readonly rendered: readonly RenderedStep[];
  readonly width: number;
}

/**
 * A step whose text changed since it ran. The state keeps only the old hash, not the old text, so
 * this shows that it changed (and where) and the new command as it will run now.
 */
export function ChangedDiff(props: ChangedDiffProps): React.JSX.Element {
  const theme = useTheme();
  return (
    <DialogFrame title={`Changed since it ran: ${props.stepLabel}`} context="confirm" width={props.width}>
      <Text {...theme.status.changed}>{`old: the text that ran on ${props.changedHosts.join(', ')} differs (only its hash is kept in state)`}</Text>
      <Text>new: the command that will run now</Text>
      <RenderedCommands rendered={props.rendered} />
    </DialogFrame>
  );
}
