import React from 'react';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { stripVTControlCharacters } from 'node:util';
import type { HostStatus } from '../../engine/types.js';
import { formatDuration, type HostRow } from '../selectors.js';
import { useTheme, type Style, type Theme } from '../theme.js';

export function statusStyle(theme: Theme, s: HostStatus): Style {
  switch (s) {
    case 'ok': case 'done-already': case 'done-manual': return theme.status.ok;
    case 'failed': case 'unreachable': return theme.status.failed;
    case 'running': return theme.status.running;
    case 'interrupted': return theme.status.interrupted;
    case 'skipped': return theme.status.skipped;
    default: return theme.status.pending;
  }
}

export interface HostsPaneProps {
  readonly rows: readonly HostRow[];
  readonly selected: number;
  /** Live tail of the selected host (bounded). */
  readonly tail: readonly string[];
  readonly height: number;
  readonly width: number;
  readonly focused: boolean;
}

/** One row per targeted host of the selected step, then the selected host's live output. */
export function HostsPane(props: HostsPaneProps): React.JSX.Element {
  const theme = useTheme();
  const inner = Math.max(1, props.height - 2);
  const rowsShown = Math.min(props.rows.length, Math.max(1, Math.floor(inner / 2)));
  const start = Math.max(0, Math.min(props.selected - Math.floor(rowsShown / 2), props.rows.length - rowsShown));
  const tailRoom = Math.max(0, inner - rowsShown - 1);
  const tail = tailRoom > 0 ? props.tail.slice(-tailRoom) : [];
  const nameW = Math.min(16, Math.max(6, ...props.rows.map((r) => r.host.length)));
  const innerWidth = Math.max(1, props.width - 2);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={props.focused ? theme.border.focused : theme.border.normal} width={props.width} height={props.height}>
      {props.rows.length === 0 && <Text {...theme.text.muted}>no targeted hosts (check the host filter: h)</Text>}
      {props.rows.slice(start, start + rowsShown).map((r, i) => {
        const isSel = start + i === props.selected;
        const meta = ` #${r.attempts} ${r.durationMs !== undefined ? formatDuration(r.durationMs).padStart(6) : '     -'} ${r.exitCode === undefined || r.exitCode === null ? ' -' : `${String(r.exitCode).padStart(2)}`} `;
        // Everything but the last line has a fixed width, so a row never wraps.
        const lastRoom = Math.max(0, innerWidth - 2 - nameW - 1 - 12 - meta.length);
        return (
          <Box key={r.host} height={1} overflow="hidden">
            <Text {...(isSel ? theme.selected : {})}>{isSel ? '› ' : '  '}{fit(r.host, nameW)}</Text>
            <Text> </Text>
            {r.status === 'running' ? <Text {...theme.status.running}><Spinner type="dots" />{' running    '}</Text> : <Text {...statusStyle(theme, r.status)}>{r.status.padEnd(12)}</Text>}
            <Text {...theme.text.muted}>{meta}</Text>
            <Text wrap="truncate">{fit(r.lastLine, lastRoom).trimEnd()}</Text>
          </Box>
        );
      })}
      {tail.length > 0 && <Text {...theme.text.muted}>── output of {props.rows[props.selected]?.host ?? ''} ──</Text>}
      {tail.map((l, i) => (
        <Text key={i} wrap="truncate">{fit(l, innerWidth).trimEnd() || ' '}</Text>
      ))}
    </Box>
  );
}

/** Exactly `n` columns: padded, or cut with an ellipsis. */
function fit(s: string, n: number): string {
  if (n <= 0) return '';
  const flat = stripVTControlCharacters(s).replace(/[\t\r\x00-\x08\x0b-\x1f\x7f]/g, ' ');
  return flat.length <= n ? flat.padEnd(n) : `${flat.slice(0, n - 1)}…`;
}
