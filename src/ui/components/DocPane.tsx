import React, { useEffect, useSyncExternalStore } from 'react';
import { Box, Text } from 'ink';
import { relative } from 'node:path';
import type { Step } from '../../engine/types.js';
import type { RenderedStep } from '../../engine/run/types.js';
import { loadMarkdown, markdownLoaded, renderMarkdown, subscribeMarkdown } from '../markdown.js';
import { stepAttributeLines } from '../selectors.js';
import { wrapLines, type Line } from '../text.js';
import { useTheme, type Style, type Theme } from '../theme.js';

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
  /** Search text to mark (the line holding it is shown with the accent style). */
  readonly highlight?: string;
  readonly scrollMax?: { current: number };
}

/** A source location as short as it reads: relative to the working directory when that is shorter. */
export function shortLocation(file: string, line: number, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return `${rel.length < file.length && !rel.startsWith('../../') ? rel : file}:${line}`;
}

/**
 * Every line of the document pane for a width: the step's id and location, attributes, the command
 * as it runs on the selected host (wrapped, never cut), then the section's Markdown at that width.
 */
export function docLines(theme: Theme, step: Step | undefined, markdown: string, rendered: RenderedStep | undefined, width: number): Line<Style>[] {
  const lines: Line<Style>[] = [];
  if (step) {
    lines.push({ text: `Step ${step.id}  (${shortLocation(step.loc.file, step.loc.line)})`, style: theme.accent });
    for (const a of stepAttributeLines(step)) lines.push({ text: `  ${a}`, style: theme.text.muted });
    const r = rendered;
    if (r?.ok) {
      lines.push({ text: `Runs on ${r.host}:`, style: theme.text.heading });
      // As plan shows it: a value an earlier step has not captured yet stands in as its placeholder.
      if (r.pending) lines.push({ text: '  (<…>: filled in once the capturing step has run)', style: theme.text.muted });
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
  const head = wrapLines(lines, width);
  for (const l of renderMarkdown(markdown, Math.max(20, width), theme.noColor).split('\n')) head.push({ text: l });
  return head;
}

/** The selected step's section, its attributes, and the command as it will run on the selected host. */
export function DocPane(props: DocPaneProps): React.JSX.Element {
  const theme = useTheme();
  // The section as written in the first frame; rendered once the Markdown libraries are loaded,
  // which starts after that frame is on screen (start-up time, issue 11).
  useSyncExternalStore(subscribeMarkdown, markdownLoaded);
  useEffect(() => void loadMarkdown(), []);
  const inner = Math.max(1, props.height - 2);
  const lines = docLines(theme, props.step, props.markdown, props.rendered, Math.max(10, props.width - 2));
  const max = Math.max(0, lines.length - inner);
  if (props.scrollMax) props.scrollMax.current = max;
  const start = Math.min(props.scroll, max);
  const needle = props.highlight?.toLowerCase();
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={props.focused ? theme.border.focused : theme.border.normal} width={props.width} height={props.height}>
      {lines.slice(start, start + inner).map((l, i) => {
        const hit = needle && l.text.toLowerCase().includes(needle);
        return <Text key={i} {...(hit ? theme.selected : l.style ?? {})} wrap="truncate">{l.text || ' '}</Text>;
      })}
    </Box>
  );
}
