import React from 'react';
import { Text } from 'ink';
import type { FlashMessage } from '../../engine/store.js';
import { hintLine, type CommandId, type KeyContext } from '../keymap.js';
import { useTheme } from '../theme.js';

/** The latest flash message (with its hint), else the key hints of the active context (less `omit`). */
export function FooterHints(props: { readonly context: KeyContext; readonly message?: FlashMessage; readonly omit?: readonly CommandId[] }): React.JSX.Element {
  const theme = useTheme();
  const m = props.message;
  if (m) {
    return (
      <Text {...theme.flash[m.level]} wrap="truncate">
        {m.level === 'error' ? '✖ ' : m.level === 'warn' ? '⚠ ' : 'ℹ '}
        {m.text}
        {m.hint ? ` — ${m.hint}` : ''}
      </Text>
    );
  }
  return <Text {...theme.text.muted} wrap="truncate">{hintLine(props.context, props.omit)}</Text>;
}
