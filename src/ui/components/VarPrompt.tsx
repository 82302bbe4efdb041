import React from 'react';
import { Text } from 'ink';
import { DialogFrame } from './DialogFrame.js';
import { useTheme } from '../theme.js';

export interface VarPromptProps {
  readonly name: string;
  readonly secret: boolean;
  readonly value: string;
  readonly width: number;
}

/** Ask for a variable nothing defines; secret values are masked. Kept in memory only. */
export function VarPrompt(props: VarPromptProps): React.JSX.Element {
  const theme = useTheme();
  const shown = props.secret ? '•'.repeat(props.value.length) : props.value;
  return (
    <DialogFrame title={`The runbook needs a value for ${props.name}`} context="var" width={props.width}>
      <Text>
        {`${props.name} = `}
        <Text {...theme.accent}>{shown}</Text>
        <Text {...theme.text.muted}>▏</Text>
      </Text>
      <Text {...theme.text.muted}>{props.secret ? 'secret: masked on screen, kept in memory only' : 'kept in memory for this session only'}</Text>
    </DialogFrame>
  );
}
