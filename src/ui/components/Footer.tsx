import React from 'react';
import { Text } from 'ink';
import type { FlashMessage } from '../../engine/store.js';
import type { Step } from '../../engine/types.js';
import type { CommandId, KeyContext } from '../keymap.js';
import type { UiState } from '../uiState.js';
import { jumpCandidates } from '../search.js';
import { FooterHints } from './FooterHints.js';
import { useTheme } from '../theme.js';

const PROMPTS: Record<NonNullable<UiState['input']>['kind'], string> = { search: '/', jump: ':', hostFilter: 'hosts named: ', pattern: 'select hosts matching: ' };

/** The bottom line: the open text prompt (with `:` completions), else the message or key hints. */
export function Footer(props: { readonly context: KeyContext; readonly input?: UiState['input']; readonly message?: FlashMessage; readonly omit?: readonly CommandId[]; readonly steps: readonly Step[]; readonly width: number }): React.JSX.Element {
  const theme = useTheme();
  const input = props.input;
  if (!input) return <FooterHints context={props.context} message={props.message} omit={props.omit} />;
  const head = `${PROMPTS[input.kind]}${input.value}`;
  let after = '';
  if (input.kind === 'jump') {
    const c = jumpCandidates(props.steps, input.value);
    const names = c.slice(0, 8).map((s) => s.id).join(' ');
    after = c.length === 0 ? '  (no step id matches)' : `  ${names}${c.length > 8 ? ` … ${c.length} ids` : ''}`;
  } else if (input.kind === 'search') {
    after = `  (${input.scope ?? 'steps'}; Enter finds, n/N next/previous, Esc cancels)`;
  }
  return (
    <Text wrap="truncate">
      <Text {...theme.accent}>{head}</Text>
      <Text {...theme.text.muted}>{`▏${after}`}</Text>
    </Text>
  );
}
