import React, { type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { hintLine, type CommandId, type KeyContext } from '../keymap.js';
import { useTheme } from '../theme.js';

/**
 * Shared dialog chrome: a titled box and a key-hint line generated from the keymap (less `omit`).
 * With a `height`, the box is exactly that tall and the hint line stays at its bottom.
 */
export function DialogFrame(props: { readonly title: string; readonly context: KeyContext; readonly width: number; readonly height?: number; readonly omit?: readonly CommandId[]; readonly children: ReactNode }): React.JSX.Element {
  const theme = useTheme();
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.border.focused} width={props.width} height={props.height} paddingX={1} overflow="hidden">
      <Text {...theme.accent} wrap="truncate">{props.title}</Text>
      {props.children}
      {props.height !== undefined && <Box flexGrow={1} />}
      <Text {...theme.text.muted} wrap="truncate">{hintLine(props.context, props.omit)}</Text>
    </Box>
  );
}
