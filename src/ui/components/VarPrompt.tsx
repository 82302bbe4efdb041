import React from 'react';
import { Text } from 'ink';
import { DialogFrame } from './DialogFrame.js';
import { useTheme } from '../theme.js';

export interface VarPromptProps {
  readonly name: string;
  readonly secret: boolean;
  readonly value: string;
  /** "Save for next time" is on (never for a secret). */
  readonly save: boolean;
  readonly width: number;
}

/**
 * Ask for a variable nothing defines; secret values are masked. Kept in memory unless the operator
 * turns on "save for next time" (written to the runbook's vars file); a secret-looking name offers
 * no such choice, and the dialog says why.
 */
export function VarPrompt(props: VarPromptProps): React.JSX.Element {
  const theme = useTheme();
  const shown = props.secret ? '•'.repeat(props.value.length) : props.value;
  return (
    <DialogFrame title={`The runbook needs a value for ${props.name}`} context="var" width={props.width} omit={props.secret ? ['var.save'] : []}>
      <Text>
        {`${props.name} = `}
        <Text {...theme.accent}>{shown}</Text>
        <Text {...theme.text.muted}>▏</Text>
      </Text>
      {props.secret ? (
        <Text {...theme.text.muted}>secret: masked on screen and not saved (secrets are kept in memory only)</Text>
      ) : (
        <Text>
          {`${props.save ? '[x]' : '[ ]'} save for next time `}
          <Text {...theme.text.muted}>{props.save ? "— also written to this runbook's vars file" : '— off: kept in memory for this session only'}</Text>
        </Text>
      )}
    </DialogFrame>
  );
}
