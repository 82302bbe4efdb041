import React from 'react';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import type { HostStatus } from '../../engine/types.js';
import { formatDuration, type HostRow } from '../selectors.js';
import { statusCounts } from '../hostView.js';
import type { HostStatusFilter } from '../uiState.js';
import { fit } from '../text.js';
import { useTheme, type Style, type Theme } from '../theme.js';

export function statusStyle(theme: Theme, s: HostStatus | string): Style {
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
  /** Every targeted host of the step (for the counts). */
  readonly all: readonly HostRow[];
  /** The rows listed: filtered and sorted (hostView.visibleHostRows). */
  readonly rows: readonly HostRow[];
  readonly selected: number;
  /** Live tail of the selected host (bounded). */
  readonly tail: readonly string[];
  readonly height: number;
  readonly width: number;
  readonly focused: boolean;
  readonly sort: 'problems' | 'inventory';
  readonly statusFilter: HostStatusFilter;
  readonly nameFilter: string;
}

/** Counts by status, one row per listed host, then the selected host's live output. */
export function HostsPane(props: HostsPaneProps): React.JSX.Element {
  const theme = useTheme();
  const inner = Math.max(1, props.height - 3);
  const tailWanted = props.tail.length > 0 ? Math.min(props.tail.length + 1, Math.max(2, Math.floor(inner / 3))) : 0;
  const rowsShown = Math.max(0, Math.min(props.rows.length, Math.max(1, inner - tailWanted)));
  const start = Math.max(0, Math.min(props.selected - Math.floor(rowsShown / 2), props.rows.length - rowsShown));
  const tailRoom = Math.max(0, inner - rowsShown - 1);
  const tail = tailRoom > 0 ? props.tail.slice(-tailRoom) : [];
  const nameW = Math.min(16, Math.max(6, ...props.rows.map((r) => r.host.length)));
  const innerWidth = Math.max(1, props.width - 2);
  const running = props.all.some((r) => r.status === 'running');
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={props.focused ? theme.border.focused : theme.border.normal} width={props.width} height={props.height}>
      <HostsHeader {...props} running={running} width={innerWidth} />
      {props.rows.length === 0 && <Text {...theme.text.muted} wrap="truncate">{props.all.length === 0 ? 'no targeted hosts (check the host filter: h)' : 'no host matches the filter (f cycles the status filter, / sets the name filter)'}</Text>}
      {props.rows.slice(start, start + rowsShown).map((r, i) => {
        const isSel = start + i === props.selected;
        const meta = ` #${r.attempts} ${r.durationMs !== undefined ? formatDuration(r.durationMs).padStart(6) : '     -'} ${r.exitCode === undefined || r.exitCode === null ? ' -' : `${String(r.exitCode).padStart(2)}`} `;
        // Everything but the last line has a fixed width, so a row never wraps.
        const lastRoom = Math.max(0, innerWidth - 2 - nameW - 1 - 12 - meta.length);
        return (
          // One Text per row (one layout node, one write for Ink), fitted to the pane's width.
          <Text key={r.host} wrap="truncate">
            <Text {...(isSel ? theme.selected : {})}>{isSel ? '› ' : '  '}{fit(r.host, nameW)}</Text>
            {' '}
            <Text {...statusStyle(theme, r.status)}>{r.status.padEnd(12)}</Text>
            <Text {...theme.text.muted}>{meta}</Text>
            {fit(r.lastLine, lastRoom).trimEnd()}
          </Text>
        );
      })}
      {tail.length > 0 && <Text {...theme.text.muted} wrap="truncate">── output of {props.rows[props.selected]?.host ?? ''} (l: whole log, y: copy) ──</Text>}
      {tail.map((l, i) => (
        <Text key={i} wrap="truncate">{fit(l, innerWidth).trimEnd() || ' '}</Text>
      ))}
    </Box>
  );
}

/** "30 hosts: 3 failed · 2 running · 25 ok  ↑ problems first  filter failed" on one line. */
function HostsHeader(props: HostsPaneProps & { readonly running: boolean; readonly width: number }): React.JSX.Element {
  const theme = useTheme();
  const counts = statusCounts(props.all);
  // Filters first: they hide hosts, so they must stay visible when the line is cut.
  const filters = [props.statusFilter !== 'all' ? `only ${props.statusFilter}` : '', props.nameFilter ? `name ~ ${props.nameFilter}` : ''].filter(Boolean).join(', ');
  const noun = props.all.length === 1 ? 'host' : 'hosts';
  const listed = `${props.rows.length === props.all.length ? `${props.all.length} ${noun}` : `${props.rows.length}/${props.all.length} ${noun}`}${filters ? ` (${filters})` : ''}`;
  const extra = props.sort === 'problems' ? 'problems first' : 'inventory order';
  return (
    <Box height={1} overflow="hidden" width={props.width}>
      <Text wrap="truncate">
        {props.running && <Text {...theme.status.running}><Spinner type="dots" /> </Text>}
        <Text {...theme.text.heading}>{listed}</Text>
        {': '}
        {counts.map((c, i) => (
          <Text key={c.status} {...statusStyle(theme, c.status)}>{`${i > 0 ? ' · ' : ''}${c.count} ${c.status}`}</Text>
        ))}
        <Text {...theme.text.muted}>{`  (${extra})`}</Text>
      </Text>
    </Box>
  );
}
