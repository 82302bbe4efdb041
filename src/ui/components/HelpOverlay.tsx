import React from 'react';
import { COMMANDS, contextTitle, keyLabel, type KeyContext } from '../keymap.js';
import { wrapText, type Line } from '../text.js';
import { useTheme, type Style } from '../theme.js';
import { ScrollDialog } from './ScrollDialog.js';

export interface HelpOverlayProps {
  readonly width: number;
  readonly height: number;
  readonly scroll?: number;
  readonly scrollMax?: { current: number; page?: number };
}

/** Every key of the keymap, grouped by where it applies; descriptions wrap, the list scrolls. */
export function HelpOverlay(props: HelpOverlayProps): React.JSX.Element {
  const theme = useTheme();
  const groups = new Map<KeyContext, typeof COMMANDS[number][]>();
  for (const c of COMMANDS) {
    const ctx = c.contexts[0];
    groups.set(ctx, [...(groups.get(ctx) ?? []), c]);
  }
  const inner = Math.max(20, props.width - 4);
  const keyWidth = Math.min(14, Math.max(...COMMANDS.map((c) => c.keys.map(keyLabel).join(' ').length)) + 1);
  const body: Line<Style>[] = [];
  for (const [ctx, cmds] of groups) {
    body.push({ text: contextTitle(ctx), style: theme.text.heading });
    for (const c of cmds) {
      const keys = c.keys.map(keyLabel).join(' ');
      const mark = c.dangerous ? (c.alreadyAsked ? ' (records state)' : ' ! asks first') : '';
      const head = ` ${keys.padEnd(keyWidth)} `;
      const pieces = wrapText(`${c.description}${mark}`, Math.max(10, inner - head.length));
      pieces.forEach((p, i) => body.push({ text: `${i === 0 ? head : ' '.repeat(head.length)}${p}`, style: c.dangerous ? theme.status.interrupted : undefined }));
    }
  }
  const fixed: Line<Style>[] = [{ text: '! asks first: the key records a step skipped or done by hand, so a dialog shows what will be recorded and waits for y.', style: theme.text.muted }];
  return <ScrollDialog title="Keys" context="help" width={props.width} height={props.height} fixed={fixed} body={body} scroll={props.scroll ?? 0} scrollMax={props.scrollMax} />;
}
