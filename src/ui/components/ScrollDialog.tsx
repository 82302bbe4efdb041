import React from 'react';
import { Text } from 'ink';
import type { CommandId, KeyContext } from '../keymap.js';
import { wrapLines, type Line } from '../text.js';
import { useTheme, type Style } from '../theme.js';
import { DialogFrame } from './DialogFrame.js';

export interface ScrollDialogProps {
  readonly title: string;
  readonly context: KeyContext;
  readonly width: number;
  /** Rows available, border included: the dialog never grows past it. */
  readonly height: number;
  /** Always visible under the title (the reason, a summary): at most a third of the height. */
  readonly fixed?: readonly Line<Style>[];
  /** Scrolls when it does not fit; lines are wrapped, never cut. */
  readonly body: readonly Line<Style>[];
  readonly scroll: number;
  readonly omit?: readonly CommandId[];
  /** Receives the last useful scroll position, so moves stop at the end, and the rows a page scrolls (PgUp/PgDn). */
  readonly scrollMax?: { current: number; page?: number };
}

/** A dialog that fits its height: title, fixed lines, a scrolling body, its position, and the key hints. */
export function ScrollDialog(props: ScrollDialogProps): React.JSX.Element {
  const theme = useTheme();
  const inner = Math.max(10, props.width - 4);
  const fixedAll = wrapLines(props.fixed ?? [], inner);
  const fixed = fixedAll.slice(0, Math.max(1, Math.floor(props.height / 3)));
  const body = wrapLines(props.body, inner);
  // Border (2), title, hint line.
  let rows = Math.max(1, props.height - 4 - fixed.length);
  const overflow = body.length > rows;
  if (overflow) rows = Math.max(1, rows - 1);
  const max = Math.max(0, body.length - rows);
  if (props.scrollMax) {
    props.scrollMax.current = max;
    props.scrollMax.page = rows;
  }
  const start = Math.min(Math.max(0, props.scroll), max);
  const shown = body.slice(start, start + rows);
  return (
    <DialogFrame title={props.title} context={props.context} width={props.width} height={props.height} omit={props.omit}>
      {fixed.map((l, i) => <Text key={`f${i}`} {...(l.style ?? {})} wrap="truncate">{l.text || ' '}</Text>)}
      {shown.map((l, i) => <Text key={`b${start + i}`} {...(l.style ?? {})} wrap="truncate">{l.text || ' '}</Text>)}
      {overflow && (
        <Text {...theme.accent} wrap="truncate">{`── lines ${start + 1}-${start + shown.length} of ${body.length}${start + shown.length < body.length ? ', more below' : ''}  ↑↓ PgUp/PgDn g/G scroll ──`}</Text>
      )}
    </DialogFrame>
  );
}
