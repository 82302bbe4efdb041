import React from 'react';
import { Text } from 'ink';
import { DialogFrame } from './DialogFrame.js';
import { shortLocation } from './DocPane.js';
import { stepLabel } from '../selectors.js';
import { shortTime, type ResumeInfo } from '../resumeView.js';
import { wrapText } from '../text.js';
import { useTheme, type Style } from '../theme.js';

export interface ResumeBannerProps {
  /** The interrupted cells still interrupted now, grouped by step (resumeView.resumeInfo). */
  readonly info: ResumeInfo;
  readonly width: number;
  /** Rows available: the banner never grows taller (steps beyond it are counted, never dropped silently). */
  readonly height: number;
}

/**
 * On start whenever the state holds interrupted host-steps (whichever command found them): which
 * steps on which hosts, where and when they started, and what each key does about them.
 */
export function ResumeBanner(props: ResumeBannerProps): React.JSX.Element {
  const theme = useTheme();
  const { info } = props;
  const inner = Math.max(10, props.width - 4);
  const lines: { text: string; style?: Style }[] = [];
  const push = (text: string, style?: Style, indent = '    '): void => {
    for (const t of wrapText(text, inner, indent)) lines.push({ text: t, style });
  };
  const hosts = info.total === 1 ? '1 host-step' : `${info.total} host-steps`;
  push(`${hosts} stopped while running (the player or \`runbook run\` was killed, crashed or lost the connection): the outcome is unknown.`);
  if (info.session) push(`Left by the ${info.session}.`, theme.text.muted);
  const tail: { text: string; style?: Style }[] = [];
  const pushTail = (text: string, style?: Style): void => {
    for (const t of wrapText(text, inner, '  ')) tail.push({ text: t, style });
  };
  if (info.editedSteps?.length) pushTail(`Edited since they ran: ${info.editedSteps.join(', ')}.`, theme.status.changed);
  pushTail('R runs each step again on its interrupted hosts; m marks them done by hand, s skips them (both ask first); Esc keeps them interrupted for later (R on the step retries them, ] jumps to them).', theme.text.muted);
  // Title, hint line and borders take 4 rows; what does not fit is counted.
  const room = Math.max(1, props.height - 4 - lines.length - tail.length);
  const groupLines: { text: string; style?: Style }[] = [];
  let shownGroups = 0;
  for (const g of info.groups) {
    const label = g.step ? stepLabel(g.step) : g.stepId;
    const where = g.step ? shortLocation(g.step.loc.file, g.step.loc.line) : 'no longer in the runbook';
    const when = g.startedAt ? `, started ${shortTime(g.startedAt)}` : '';
    const wrapped = wrapText(`  ⏸ ${label} on ${g.hosts.join(', ')}  (${where}${when})`, inner, '      ');
    const left = info.groups.length - shownGroups - 1;
    if (groupLines.length + wrapped.length + (left > 0 ? 1 : 0) > room && shownGroups > 0) break;
    for (const t of wrapped) groupLines.push({ text: t, style: theme.status.interrupted });
    shownGroups++;
  }
  if (shownGroups < info.groups.length) {
    const rest = info.groups.slice(shownGroups);
    groupLines.push({ text: `  … and ${rest.length} more steps on ${rest.reduce((n, g) => n + g.hosts.length, 0)} host-steps (the keys act on all of them)`, style: theme.status.interrupted });
  }
  const title = `Resumed: ${info.total === 1 ? '1 host-step was' : `${info.total} host-steps were`} interrupted in an earlier session`;
  return (
    <DialogFrame title={title} context="resume" width={props.width} height={props.height}>
      {[...lines, ...groupLines, ...tail].map((l, i) => (
        <Text key={i} {...(l.style ?? {})} wrap="truncate">{l.text}</Text>
      ))}
    </DialogFrame>
  );
}
