import React, { type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { hintLine, type CommandId, type KeyContext } from '../keymap.js';
import { useTheme } from '../theme.js';

/** Shared dialog chrome: a titled box and a key-hint line generated from the keymap (less `omit`). */
export function DialogFrame(props: { readonly title: string; readonly context: KeyContext; readonly width: number; readonly omit?: readonly CommandId[]; readonly children: ReactNode }): React.JSX.Element {
  const theme = useTheme();
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.border.focused} width={props.width} paddingX={1}>
      <Text {...theme.accent}>{props.title}</Text>
      {props.children}
      <Text {...theme.text.muted}>{hintLine(props.context, props.omit)}</Text>
    </Box>
  );
}
