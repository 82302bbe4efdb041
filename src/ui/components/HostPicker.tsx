import React from 'react';
import { Text } from 'ink';
import { DialogFrame } from './DialogFrame.js';
import { useTheme } from '../theme.js';

export interface HostPickerProps {
  readonly hosts: readonly string[];
  readonly chosen: readonly string[];
  readonly cursor: number;
  readonly width: number;
}

/** Narrow the session to some hosts: Space toggles, `a` all, Enter applies. */
export function HostPicker(props: HostPickerProps): React.JSX.Element {
  const theme = useTheme();
  return (
    <DialogFrame title={`Hosts of this session (${props.chosen.length}/${props.hosts.length})`} context="picker" width={props.width}>
      {props.hosts.map((h, i) => (
        <Text key={h} {...(i === props.cursor ? theme.selected : {})}>
          {i === props.cursor ? '› ' : '  '}
          {props.chosen.includes(h) ? '[x] ' : '[ ] '}
          {h}
        </Text>
      ))}
    </DialogFrame>
  );
}
