import React from 'react';
import { Text } from 'ink';
import type { RecordPlan } from '../uiState.js';
import { recordQuestion } from '../selectors.js';
import { DialogFrame } from './DialogFrame.js';
import { useTheme } from '../theme.js';

/** Asked before a dangerous key (keymap `dangerous`) records a step skipped or done by hand. */
export function DangerDialog(props: { readonly plan: RecordPlan; readonly stepLabelOf: (stepId: string) => string; readonly width: number }): React.JSX.Element {
  const theme = useTheme();
  const q = recordQuestion(props.plan, props.stepLabelOf);
  return (
    <DialogFrame title={q.title} context="danger" width={props.width}>
      {q.lines.map((l, i) => <Text key={i} {...(i === 0 ? theme.status.interrupted : {})}>{l}</Text>)}
    </DialogFrame>
  );
}
