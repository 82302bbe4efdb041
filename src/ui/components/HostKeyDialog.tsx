import React from 'react';
import { ScrollDialog } from './ScrollDialog.js';
import { useTheme, type Style } from '../theme.js';
import type { Line } from '../text.js';

export interface HostKeyDialogProps {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly keyType: string;
  readonly fingerprint: string;
  readonly width: number;
  /** Rows available, border included: the list of waiting keys scrolls inside them. */
  readonly height: number;
  /** First line shown of the list of waiting keys. */
  readonly scroll: number;
  readonly scrollMax?: { current: number; page?: number };
  /** Every unknown host key waiting for an answer (this one included): `A` accepts them all. */
  readonly waiting?: readonly { readonly host: string; readonly keyType: string; readonly fingerprint: string }[];
}

/**
 * An unknown host key: accept (saved to known_hosts) or reject. Changed keys never get here. When
 * several are waiting (30 hosts met for the first time), every one is listed with its fingerprint,
 * the list scrolls, and `A` accepts them all: one dialog, not one per host.
 */
export function HostKeyDialog(props: HostKeyDialogProps): React.JSX.Element {
  const theme = useTheme();
  const waiting = props.waiting ?? [];
  const fixed: Line<Style>[] = [
    { text: `${props.address}:${props.port} presented a ${props.keyType} key:` },
    { text: props.fingerprint, style: theme.accent },
    { text: 'Accept only if this fingerprint matches the host. Accepted keys are saved to known_hosts.', style: theme.text.muted },
  ];
  if (waiting.length > 1) fixed.push({ text: `${waiting.length} unknown host keys are waiting; A accepts all ${waiting.length}, listed below:`, style: theme.status.interrupted });
  const nameWidth = Math.max(0, ...waiting.map((w) => w.host.length));
  const body: Line<Style>[] = waiting.length > 1 ? waiting.map((w) => ({ text: `  ${w.host.padEnd(nameWidth)}  ${w.keyType}  ${w.fingerprint}` })) : [];
  return (
    <ScrollDialog
      title={`Unknown host key for ${props.host}`} context="hostKey" width={props.width} height={props.height}
      fixed={fixed} body={body} scroll={props.scroll} scrollMax={props.scrollMax}
    />
  );
}
