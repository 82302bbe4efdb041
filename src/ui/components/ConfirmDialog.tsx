import React from 'react';
import { Text } from 'ink';
import type { RenderedStep } from '../../engine/run/types.js';
import { DialogFrame } from './DialogFrame.js';
import { useTheme } from '../theme.js';

export interface ConfirmDialogProps {
  readonly stepLabel: string;
  readonly reason: string;
  /** The exact command per host (controller.render). */
  readonly rendered: readonly RenderedStep[];
  readonly width: number;
}

/** Confirm a `confirm` step: its reason and the exact rendered command for every host. */
export function ConfirmDialog(props: ConfirmDialogProps): React.JSX.Element {
  const theme = useTheme();
  return (
    <DialogFrame title={`Confirm: ${props.stepLabel}`} context="confirm" width={props.width}>
      <Text {...theme.status.interrupted}>{props.reason || 'This step asks for confirmation.'}</Text>
      <RenderedCommands rendered={props.rendered} />
    </DialogFrame>
  );
}

export function RenderedCommands(props: { readonly rendered: readonly RenderedStep[]; readonly maxLines?: number }): React.JSX.Element {
  const theme = useTheme();
  const max = props.maxLines ?? 8;
  return (
    <>
      {props.rendered.map((r) => (
        <React.Fragment key={r.host}>
          <Text {...theme.text.heading}>{r.host}:</Text>
          {r.ok
            ? r.script.split('\n').slice(0, max).map((l, i) => <Text key={i} {...theme.text.code} wrap="truncate">{`  ${l}`}</Text>)
            : <Text {...theme.status.failed}>{`  cannot render: ${r.error}`}</Text>}
        </React.Fragment>
      ))}
    </>
  );
}
