import React from 'react';
import { Text } from 'ink';
import { DialogFrame } from './DialogFrame.js';
import { fit } from '../text.js';
import { useTheme } from '../theme.js';

export interface HostPickerProps {
  readonly hosts: readonly string[];
  readonly chosen: readonly string[];
  readonly cursor: number;
  readonly width: number;
  /** Rows available, border included: the list scrolls inside them, the cursor always visible. */
  readonly height: number;
  /** Group names of a host (shown beside it, so a group pattern is easy to find). */
  readonly groupsOf?: (host: string) => readonly string[];
}

/** Narrow the session to some hosts: Space toggles, `a` all, `p` a group or pattern, Enter applies. */
export function HostPicker(props: HostPickerProps): React.JSX.Element {
  const theme = useTheme();
  const { hosts, cursor } = props;
  const chosen = new Set(props.chosen);
  // Border (2), title, hint line, position line.
  const rows = Math.max(1, props.height - 5);
  const start = Math.max(0, Math.min(cursor - Math.floor(rows / 2), hosts.length - rows));
  const shown = hosts.slice(start, start + rows);
  const nameW = Math.min(24, Math.max(6, ...hosts.map((h) => h.length)));
  const inner = Math.max(10, props.width - 4);
  return (
    <DialogFrame title={`Hosts of this session: ${props.chosen.length}/${hosts.length} selected`} context="picker" width={props.width} height={props.height}>
      {shown.map((h, i) => {
        const at = start + i === cursor;
        const groups = props.groupsOf?.(h).filter((g) => g !== 'all').join(' ') ?? '';
        return (
          <Text key={h} wrap="truncate">
            <Text {...(at ? theme.selected : {})}>{`${at ? '› ' : '  '}${chosen.has(h) ? '[x] ' : '[ ] '}${fit(h, nameW)}`}</Text>
            <Text {...theme.text.muted}>{groups ? fit(`  ${groups}`, Math.max(0, inner - nameW - 6)).trimEnd() : ''}</Text>
          </Text>
        );
      })}
      <Text {...theme.text.muted} wrap="truncate">{`── ${start + 1}-${start + shown.length} of ${hosts.length}${start + shown.length < hosts.length ? ', more below' : ''} ──`}</Text>
    </DialogFrame>
  );
}
