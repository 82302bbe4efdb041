import React from 'react';
import { Box, Text } from 'ink';
import { COMMANDS, contextTitle, keyLabel, type KeyContext } from '../keymap.js';
import { DialogFrame } from './DialogFrame.js';
import { useTheme } from '../theme.js';

type Line = { readonly heading: true; readonly text: string } | { readonly heading: false; readonly keys: string; readonly text: string };

/** Every key of the keymap, grouped by where it applies, in as many columns as the height needs. */
export function HelpOverlay(props: { readonly width: number; readonly height?: number }): React.JSX.Element {
  const theme = useTheme();
  const groups = new Map<KeyContext, typeof COMMANDS[number][]>();
  for (const c of COMMANDS) {
    const ctx = c.contexts[0];
    groups.set(ctx, [...(groups.get(ctx) ?? []), c]);
  }
  const lines: Line[] = [];
  for (const [ctx, cmds] of groups) {
    lines.push({ heading: true, text: contextTitle(ctx) });
    for (const c of cmds) lines.push({ heading: false, keys: c.keys.map(keyLabel).join(' '), text: `${c.description}${c.dangerous ? ' !' : ''}` });
  }
  // Frame: border (2) + title + hint line; the rest is for the list.
  const rows = Math.max(4, (props.height ?? 1000) - 4);
  const columns = Math.max(1, Math.ceil(lines.length / rows));
  const perColumn = Math.ceil(lines.length / columns);
  const inner = Math.max(10, props.width - 4);
  const colWidth = Math.floor(inner / columns);
  const keyWidth = Math.min(10, Math.max(...lines.map((l) => (l.heading ? 0 : l.keys.length))) + 1);
  const cut = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`);
  return (
    <DialogFrame title="Keys" context="help" width={props.width}>
      <Box>
        {Array.from({ length: columns }, (_, ci) => (
          <Box key={ci} flexDirection="column" width={colWidth}>
            {lines.slice(ci * perColumn, (ci + 1) * perColumn).map((l, i) =>
              l.heading
                ? <Text key={i} {...theme.text.heading} wrap="truncate">{cut(l.text, colWidth - 1)}</Text>
                : <Text key={i} wrap="truncate">{cut(` ${l.keys.padEnd(keyWidth)} ${l.text}`, colWidth - 1)}</Text>,
            )}
          </Box>
        ))}
      </Box>
    </DialogFrame>
  );
}
