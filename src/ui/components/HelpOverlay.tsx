import React from 'react';
import { Box, Text } from 'ink';
import { COMMANDS, contextTitle, keyLabel, type KeyContext } from '../keymap.js';
import { DialogFrame } from './DialogFrame.js';
import { useTheme } from '../theme.js';

/** Every key of the keymap, grouped by where it applies. */
export function HelpOverlay(props: { readonly width: number }): React.JSX.Element {
  const theme = useTheme();
  const groups = new Map<KeyContext, typeof COMMANDS[number][]>();
  for (const c of COMMANDS) {
    const ctx = c.contexts[0];
    groups.set(ctx, [...(groups.get(ctx) ?? []), c]);
  }
  return (
    <DialogFrame title="Keys" context="help" width={props.width}>
      {[...groups.entries()].map(([ctx, cmds]) => (
        <Box key={ctx} flexDirection="column">
          <Text {...theme.text.heading}>{contextTitle(ctx)}</Text>
          {cmds.map((c) => (
            <Text key={c.id} wrap="truncate">
              {`  ${c.keys.map(keyLabel).join(' ').padEnd(14)} ${c.description}${c.dangerous ? ' !' : ''}`}
            </Text>
          ))}
        </Box>
      ))}
    </DialogFrame>
  );
}
