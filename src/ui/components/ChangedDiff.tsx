import React from 'react';
import type { RenderedStep } from '../../engine/run/types.js';
import { compactLineDiff, formatDiffLine, type DiffLine } from '../../engine/lineDiff.js';
import { commandLines } from './ConfirmDialog.js';
import { ScrollDialog } from './ScrollDialog.js';
import { commandGroups, groupSummary } from '../commandGroups.js';
import type { Line } from '../text.js';
import { useTheme, type Style, type Theme } from '../theme.js';
import { nameList } from '../../engine/nameList.js';

export interface ChangedDiffProps {
  readonly stepLabel: string;
  /** Hosts whose record was made for an older text of the step. */
  readonly changedHosts: readonly string[];
  readonly rendered: readonly RenderedStep[];
  readonly width: number;
  /** Rows available (default 40); the body scrolls beyond them. */
  readonly height?: number;
  readonly scroll?: number;
  readonly scrollMax?: { current: number; page?: number };
  /** The step's text when those records were made (state text lines); undefined when unknown. */
  readonly previousText?: string;
  /** The step's text now (Step.source). */
  readonly currentText?: string;
  /** Diff lines shown at most (the rest is counted). */
  readonly maxDiffLines?: number;
}

function diffStyle(theme: Theme, l: DiffLine): Style {
  if (l.kind === 'removed') return theme.status.failed;
  if (l.kind === 'added') return theme.status.ok;
  return theme.text.muted;
}

/**
 * A step whose text changed since it ran: the old text against the new one as a compact line
 * diff (when the state kept the old text), then the new command per group of hosts as it will run now.
 */
export function ChangedDiff(props: ChangedDiffProps): React.JSX.Element {
  const theme = useTheme();
  const where = nameList(props.changedHosts, 12, 10);
  const { previousText: oldText, currentText: newText } = props;
  let head: Line<Style>;
  const body: Line<Style>[] = [];
  if (oldText === undefined || newText === undefined) {
    head = { text: `old: the text that ran on ${where} differs (only its hash is kept in state)`, style: theme.status.changed };
  } else if (oldText === newText) {
    head = { text: `same text as when it ran on ${where}: what changed is the hosts it targets (front matter hosts)`, style: theme.status.changed };
  } else {
    head = { text: `text changed since it ran on ${where}: - old, + new`, style: theme.status.changed };
    const diff = compactLineDiff(oldText, newText);
    const max = props.maxDiffLines ?? 40;
    const shown = diff.length > max ? diff.slice(0, max - 1) : diff;
    for (const l of shown) body.push({ text: formatDiffLine(l), style: diffStyle(theme, l) });
    if (shown.length < diff.length) body.push({ text: `  … ${diff.length - shown.length} more diff lines (runbook plan shows them all)`, style: theme.text.muted });
  }
  body.push({ text: 'new: the command that will run now' });
  body.push(...commandLines(theme, props.rendered));
  const fixed = [head, { text: groupSummary(commandGroups(props.rendered)), style: theme.text.heading }];
  return <ScrollDialog title={`Changed since it ran: ${props.stepLabel}`} context="confirm" width={props.width} height={props.height ?? 40} fixed={fixed} body={body} scroll={props.scroll ?? 0} scrollMax={props.scrollMax} />;
}
