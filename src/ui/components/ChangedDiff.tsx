import React from 'react';
import { Text } from 'ink';
import type { RenderedStep } from '../../engine/run/types.js';
import { compactLineDiff, formatDiffLine, type DiffLine } from '../../engine/lineDiff.js';
import { DialogFrame } from './DialogFrame.js';
import { RenderedCommands } from './ConfirmDialog.js';
import { useTheme, type Style, type Theme } from '../theme.js';

export interface ChangedDiffProps {
  readonly stepLabel: string;
  /** Hosts whose record was made for an older text of the step. */
  readonly changedHosts: readonly string[];
  readonly rendered: readonly RenderedStep[];
  readonly width: number;
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
 * diff (when the state kept the old text), then the new command per host as it will run now.
 */
export function ChangedDiff(props: ChangedDiffProps): React.JSX.Element {
  const theme = useTheme();
  const where = props.changedHosts.join(', ');
  const { previousText: oldText, currentText: newText } = props;
  let head: React.JSX.Element;
  let lines: React.JSX.Element[] = [];
  if (oldText === undefined || newText === undefined) {
    head = <Text {...theme.status.changed}>{`old: the text that ran on ${where} differs (only its hash is kept in state)`}</Text>;
  } else if (oldText === newText) {
    head = <Text {...theme.status.changed}>{`same text as when it ran on ${where}: what changed is the hosts it targets (front matter hosts)`}</Text>;
  } else {
    head = <Text {...theme.status.changed}>{`text changed since it ran on ${where}: - old, + new`}</Text>;
    const diff = compactLineDiff(oldText, newText);
    const max = props.maxDiffLines ?? 12;
    const shown = diff.length > max ? diff.slice(0, max - 1) : diff;
    lines = shown.map((l, i) => <Text key={i} {...diffStyle(theme, l)} wrap="truncate">{formatDiffLine(l)}</Text>);
    if (shown.length < diff.length) lines.push(<Text key="more" {...theme.text.muted}>{`  … ${diff.length - shown.length} more diff lines (runbook plan shows them all)`}</Text>);
  }
  return (
    <DialogFrame title={`Changed since it ran: ${props.stepLabel}`} context="confirm" width={props.width}>
      {head}
      {lines}
      <Text>new: the command that will run now</Text>
      <RenderedCommands rendered={props.rendered} />
    </DialogFrame>
  );
}
