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
  /** Every unknown host key waiting for an answer (this one included): `A` accepts them all. */
  readonly waiting?: readonly { readonly host: string; readonly keyType: string; readonly fingerprint: string }[];
}

/** How many waiting host keys the dialog lists (and `A` accepts). */
export const HOST_KEYS_LISTED = 12;

/** An unknown host key: accept (saved to known_hosts) or reject. Changed keys never get here. */
export function HostKeyDialog(props: HostKeyDialogProps): React.JSX.Element {
  const theme = useTheme();
  return (
    <DialogFrame title={`Unknown host key for ${props.host}`} context="hostKey" width={props.width}>
      <Text>{`${props.address}:${props.port} presented a ${props.keyType} key:`}</Text>
      <Text {...theme.accent}>{props.fingerprint}</Text>
      <Text {...theme.text.muted}>Accept only if this fingerprint matches the host. Accepted keys are saved to known_hosts.</Text>
      {props.waiting && props.waiting.length > 1 && (
        <>
          <Text {...theme.status.interrupted}>{`${props.waiting.length} unknown host keys are waiting; A accepts the ones listed:`}</Text>
          {props.waiting.slice(0, HOST_KEYS_LISTED).map((w) => <Text key={w.host} wrap="truncate">{`  ${w.host}  ${w.keyType}  ${w.fingerprint}`}</Text>)}
          {props.waiting.length > HOST_KEYS_LISTED && <Text {...theme.text.muted}>{`  … and ${props.waiting.length - HOST_KEYS_LISTED} more, asked next`}</Text>}
        </>
      )}
    </DialogFrame>
  );
}
