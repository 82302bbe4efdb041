import React from 'react';
import type { RenderedStep } from '../../engine/run/types.js';
import { commandGroups, groupSummary } from '../commandGroups.js';
import type { Line } from '../text.js';
import { useTheme, type Style, type Theme } from '../theme.js';
import { ScrollDialog } from './ScrollDialog.js';

export interface ConfirmDialogProps {
  readonly title: string;
  readonly reason: string;
  /** The exact command per host (controller.render). */
  readonly rendered: readonly RenderedStep[];
  readonly width: number;
  readonly height: number;
  readonly scroll: number;
  readonly scrollMax?: { current: number; page?: number };
}

/**
 * Confirm a step: the reason and how the hosts split stay on screen; below, the exact command once
 * per group of hosts that render it identically, wrapped (never cut) and scrollable.
 */
export function ConfirmDialog(props: ConfirmDialogProps): React.JSX.Element {
  const theme = useTheme();
  const groups = commandGroups(props.rendered);
  const fixed: Line<Style>[] = [
    { text: props.reason, style: theme.status.interrupted },
    { text: groupSummary(groups), style: theme.text.heading },
  ];
  return <ScrollDialog title={props.title} context="confirm" width={props.width} height={props.height} fixed={fixed} body={commandLines(theme, props.rendered)} scroll={props.scroll} scrollMax={props.scrollMax} />;
}

/** The command of every group of hosts, as dialog lines: "27 hosts: a, b, …" then the command. */
export function commandLines(theme: Theme, rendered: readonly RenderedStep[]): Line<Style>[] {
  const groups = commandGroups(rendered);
  const out: Line<Style>[] = [];
  for (const g of groups) {
    const who = g.hosts.length === 1 ? `${g.hosts[0]}:` : `${g.hosts.length} hosts: ${g.hosts.join(', ')}`;
    out.push({ text: who, style: theme.text.heading });
    const r = g.rendered;
    if (!r.ok) {
      out.push({ text: `  cannot render: ${r.error}`, style: theme.status.failed });
      continue;
    }
    // As plan shows it: a value an earlier step has not captured yet stands in as its placeholder.
    if (r.pending) out.push({ text: '  (<…>: filled in once the capturing step has run)', style: theme.text.muted });
    if (r.unless) out.push({ text: `  unless: ${r.unless}`, style: theme.text.muted });
    for (const l of (r.fileContent ?? r.script).split('\n')) out.push({ text: `  ${l}`, style: theme.text.code });
    if (r.verify) out.push({ text: `  verify: ${r.verify}`, style: theme.text.muted });
  }
  return out;
}

