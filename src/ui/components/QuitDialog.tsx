import React from 'react';
import { Text } from 'ink';
import { DialogFrame } from './DialogFrame.js';

/** Quitting while a step runs asks first: quitting aborts the running step. */
export function QuitDialog(props: { readonly stepLabel?: string; readonly width: number }): React.JSX.Element {
  return (
    <DialogFrame title="Quit?" context="quit" width={props.width}>
      <Text>{`A step is running${props.stepLabel ? ` (${props.stepLabel})` : ''}. Quitting aborts it and marks its running hosts failed.`}</Text>
    </DialogFrame>
  );
}
