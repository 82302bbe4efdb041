import React from 'react';
import { Text } from 'ink';
import { DialogFrame } from './DialogFrame.js';
import { useTheme } from '../theme.js';

export interface HostKeyDialogProps {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly keyType: string;
  readonly fingerprint: string;
  readonly width: number;
}

/** An unknown host key: accept (saved to known_hosts) or reject. Changed keys never get here. */
export function HostKeyDialog(props: HostKeyDialogProps): React.JSX.Element {
  const theme = useTheme();
  return (
    <DialogFrame title={`Unknown host key for ${props.host}`} context="hostKey" width={props.width}>
      <Text>{`${props.address}:${props.port} presented a ${props.keyType} key:`}</Text>
      <Text {...theme.accent}>{props.fingerprint}</Text>
      <Text {...theme.text.muted}>Accept only if this fingerprint matches the host. Accepted keys are saved to known_hosts.</Text>
    </DialogFrame>
  );
}
