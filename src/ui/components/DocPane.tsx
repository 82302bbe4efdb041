import React from 'react';
import { Box, Text } from 'ink';
import type { Step } from '../../engine/types.js';
import type { RenderedStep } from '../../engine/run/types.js';
import { renderMarkdown } from '../markdown.js';
import { stepAttributeLines } from '../selectors.js';
import { useTheme } from '../theme.js';

export interface DocPaneProps {
  readonly step?: Step;
  /** The selected step's section Markdown. */
  readonly markdown: string;
  /** The step as it will run on `host` (controller.render), if there is a host. */
  readonly rendered?: RenderedStep;
  readonly height: number;
  readonly width: number;
  readonly scroll: number;
  readonly focused: boolean;
}

/** The selected step's section, its attributes, and the command as it will run on the selected host. */
export function DocPane(props: DocPaneProps): React.JSX.Element {
  const theme = useTheme();
  const inner = Math.max(1, props.height - 2);
  const lines: { text: string; style?: object }[] = [];
  const step = props.step;
  if (step) {
    lines.push({ text: `Step ${step.id}  (${step.loc.file}:${step.loc.line})`, style: theme.accent });
    for (const a of stepAttributeLines(step)) lines.push({ text: `  ${a}`, style: theme.text.muted });
    const r = props.rendered;
    if (r?.ok) {
      lines.push({ text: `Runs on ${r.host}:`, style: theme.text.heading });
      if (r.unless) lines.push({ text: `  unless: ${r.unless}`, style: theme.text.muted });
      for (const l of (r.fileContent ?? r.script).split('\n')) lines.push({ text: `  ${l}`, style: theme.text.code });
      if (r.verify) lines.push({ text: `  verify: ${r.verify}`, style: theme.text.muted });
    } else if (r && !r.ok) {
      lines.push({ text: `Cannot render for ${r.host}: ${r.error}`, style: theme.status.failed });
    } else {
      lines.push({ text: 'Code:', style: theme.text.heading });
      for (const l of step.body.split('\n')) lines.push({ text: `  ${l}`, style: theme.text.code });
    }
    lines.push({ text: '' });
  }
  for (const l of renderMarkdown(props.markdown, Math.max(20, props.width - 4), theme.noColor).split('\n')) lines.push({ text: l });
  const start = Math.min(props.scroll, Math.max(0, lines.length - inner));
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={props.focused ? theme.border.focused : theme.border.normal} width={props.width} height={props.height}>
      {lines.slice(start, start + inner).map((l, i) => (
        <Text key={i} {...(l.style ?? {})} wrap="truncate">{l.text || ' '}</Text>
      ))}
    </Box>
  );
}
