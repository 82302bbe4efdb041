import React from 'react';
import { Box, Text } from 'ink';
import type { Step } from '../../engine/types.js';
import { stepLabel, type Badge } from '../selectors.js';
import type { StepsRow } from '../outline.js';
import { fit } from '../text.js';
import { useTheme, type Theme, type Style } from '../theme.js';

export { stepsRows, type StepsRow } from '../outline.js';

export function badgeStyle(theme: Theme, badge: Badge): Style {
  switch (badge.kind) {
    case 'done': return theme.status.ok;
    case 'failed': return theme.status.failed;
    case 'running': case 'partial': return theme.status.running;
    case 'interrupted': return theme.status.interrupted;
    case 'changed': return theme.status.changed;
    default: return theme.text.muted;
  }
}

export interface StepsPaneProps {
  readonly rows: readonly StepsRow[];
  readonly selected: number;
  readonly height: number;
  readonly width: number;
  readonly focused: boolean;
  /** Computed only for the visible rows, so long runbooks stay fast. */
  readonly badgeFor: (step: Step) => Badge;
  /** Steps done on all their hosts, of the steps of these step indexes (per-section progress). */
  readonly progressOf: (stepIndexes: readonly number[]) => { readonly done: number; readonly total: number; readonly failed: number };
}

/** The runbook's outline (files, foldable sections with progress, steps with badges); only a window around the selection renders. */
export const StepsPane = React.memo(function StepsPane(props: StepsPaneProps): React.JSX.Element {
  const theme = useTheme();
  const { rows, selected, height } = props;
  const inner = Math.max(1, height - 2);
  let pos = rows.findIndex((r) => r.kind === 'step' && r.index === selected);
  if (pos < 0) pos = Math.max(0, rows.findIndex((r) => r.kind === 'section' && r.stepIndexes.includes(selected)));
  const start = Math.max(0, Math.min(pos - Math.floor(inner / 2), rows.length - inner));
  const visible = rows.slice(start, start + inner);
  const innerWidth = Math.max(10, props.width - 2);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={props.focused ? theme.border.focused : theme.border.normal} width={props.width} height={height}>
      {visible.map((row) => {
        if (row.kind === 'file') {
          return <Text key={`f-${row.file}`} {...theme.accent} wrap="truncate">{`▤ ${row.file}`}</Text>;
        }
        // One Text per row, exactly the pane's width: one layout node and one write for Ink, no clipping.
        if (row.kind === 'section') {
          const p = props.progressOf(row.stepIndexes);
          const count = `${p.failed > 0 ? `✖${p.failed} ` : ''}${p.done}/${p.total}`;
          const isSel = row.folded && row.stepIndexes.includes(selected);
          const title = `${row.folded ? '▸' : '▾'} ${row.section.title || '(top)'}`;
          return (
            <Text key={`s-${row.sectionIndex}`} wrap="truncate">
              <Text {...(isSel ? theme.selected : theme.text.heading)}>{fit(title, Math.max(4, innerWidth - count.length - 1))}</Text>
              {' '}
              <Text {...(p.failed > 0 ? theme.status.failed : p.done === p.total ? theme.status.ok : theme.text.muted)}>{count}</Text>
            </Text>
          );
        }
        const badge = props.badgeFor(row.step);
        const isSel = row.index === selected;
        return (
          <Text key={row.step.id} wrap="truncate">
            <Text {...(isSel ? theme.selected : {})}>{isSel ? '› ' : '  '}{fit(stepLabel(row.step), Math.max(4, innerWidth - 3 - badge.text.length))}</Text>
            {' '}
            <Text {...badgeStyle(theme, badge)}>{badge.text}</Text>
          </Text>
        );
      })}
    </Box>
  );
});
