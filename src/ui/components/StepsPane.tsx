import React from 'react';
import { Box, Text } from 'ink';
import type { Section, Step } from '../../engine/types.js';
import { stepLabel, type Badge } from '../selectors.js';
import { useTheme, type Theme, type Style } from '../theme.js';

/** One line of the steps list: a section heading or a step. */
export type StepsRow =
  | { readonly kind: 'section'; readonly section: Section }
  | { readonly kind: 'step'; readonly step: Step; readonly index: number };

/** Flatten sections and steps into list rows (sections without steps are left out). */
export function stepsRows(sections: readonly Section[], steps: readonly Step[]): StepsRow[] {
  const byId = new Map(steps.map((s, i) => [s.id, i] as const));
  const rows: StepsRow[] = [];
  for (const section of sections) {
    const ids = section.stepIds.filter((id) => byId.has(id));
    if (ids.length === 0) continue;
    rows.push({ kind: 'section', section });
    for (const id of ids) {
      const index = byId.get(id)!;
      rows.push({ kind: 'step', step: steps[index], index });
    }
  }
  return rows;
}

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
}

/** The runbook's sections and steps with aggregate badges; only a window around the selection renders. */
export function StepsPane(props: StepsPaneProps): React.JSX.Element {
  const theme = useTheme();
  const { rows, selected, height } = props;
  const inner = Math.max(1, height - 2);
  const pos = Math.max(0, rows.findIndex((r) => r.kind === 'step' && r.index === selected));
  const start = Math.max(0, Math.min(pos - Math.floor(inner / 2), rows.length - inner));
  const visible = rows.slice(start, start + inner);
  const textWidth = Math.max(8, props.width - 14);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={props.focused ? theme.border.focused : theme.border.normal} width={props.width} height={height}>
      {visible.map((row) => {
        if (row.kind === 'section') {
          return (
            <Text key={`s-${row.section.slug}-${row.section.loc.line}`} {...theme.text.heading} wrap="truncate">
              {row.section.title || '(top)'}
            </Text>
          );
        }
        const badge = props.badgeFor(row.step);
        const isSel = row.index === selected;
        return (
          <Box key={row.step.id}>
            <Text {...(isSel ? theme.selected : {})} wrap="truncate">
              {isSel ? '› ' : '  '}
              {truncate(stepLabel(row.step), textWidth)}
            </Text>
            <Box flexGrow={1} />
            <Text {...badgeStyle(theme, badge)}>{badge.text}</Text>
          </Box>
        );
      })}
    </Box>
  );
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s.padEnd(n) : `${s.slice(0, n - 1)}…`;
}
