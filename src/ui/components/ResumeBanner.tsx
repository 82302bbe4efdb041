import React from 'react';
import { Text } from 'ink';
import { DialogFrame } from './DialogFrame.js';
import { useTheme } from '../theme.js';

export interface ResumeBannerProps {
  /** Hosts the last session left interrupted (still interrupted now). */
  readonly interrupted: readonly { readonly stepLabel: string; readonly host: string }[];
  readonly width: number;
}

/** On resume: the hosts the last session left `interrupted`, to retry, mark done or skip. */
export function ResumeBanner(props: ResumeBannerProps): React.JSX.Element {
  const theme = useTheme();
  return (
    <DialogFrame title="Resumed: the last session was interrupted" context="resume" width={props.width}>
      {props.interrupted.slice(0, 10).map((x) => (
        <Text key={`${x.stepLabel}\u0000${x.host}`} {...theme.status.interrupted}>{`  ⏸ ${x.stepLabel} on ${x.host}`}</Text>
      ))}
      {props.interrupted.length > 10 && <Text {...theme.text.muted}>{`  … and ${props.interrupted.length - 10} more`}</Text>}
    </DialogFrame>
  );
}
