import React from 'react';
import { Box, Text } from 'ink';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { hintLine } from '../keymap.js';
import { flatten } from '../text.js';
import { useTheme } from '../theme.js';

export interface LogViewProps {
  /** Directory of the state file; record log paths are relative to it. */
  readonly stateDir: string;
  /** The record's log path (relative to stateDir), if it has one. */
  readonly log?: string;
  readonly title: string;
  readonly scroll: number;
  readonly height: number;
  readonly width: number;
  /** Follow mode: the view stays at the end as the log grows. */
  readonly follow?: boolean;
  /** The host is still running the step. */
  readonly running?: boolean;
  /** Search text to mark. */
  readonly highlight?: string;
  readonly scrollMax?: { current: number };
  /** The lines read, for search (set at each render). */
  readonly linesOut?: { current: readonly string[] };
}

const logCache = new Map<string, { readonly size: number; readonly mtimeMs: number; readonly lines: string[] }>();

/** Read a log file as lines; a missing or unreadable file becomes a one-line explanation. */
export function readLogLines(stateDir: string, log: string | undefined): string[] {
  if (!log) return ['(no log recorded for this host and step yet)'];
  const file = isAbsolute(log) ? log : join(stateDir, log);
  try {
    // The view re-renders as output arrives: only a changed file is read again (stat is cheap; a
    // 50 MB log is not read and split on every frame).
    const st = statSync(file);
    const hit = logCache.get(file);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.lines;
    const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split(/\r?\n/);
    if (logCache.size > 8) logCache.clear();
    logCache.set(file, { size: st.size, mtimeMs: st.mtimeMs, lines });
    return lines;
  } catch (e) {
    return [`(cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)})`];
  }
}

/** The whole log of one host for one step, scrollable, followed while the step runs (F). */
export function LogView(props: LogViewProps): React.JSX.Element {
  const theme = useTheme();
  // Read at each render: the player re-renders (throttled) as output arrives, so a growing log is followed.
  const lines = readLogLines(props.stateDir, props.log);
  if (props.linesOut) props.linesOut.current = lines;
  const inner = Math.max(1, props.height - 4);
  const max = Math.max(0, lines.length - inner);
  if (props.scrollMax) props.scrollMax.current = max;
  const start = props.follow ? max : Math.min(props.scroll, max);
  const needle = props.highlight?.toLowerCase();
  const mode = props.follow ? '  [following: F stops]' : props.running ? '  [running: F follows]' : '';
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.border.focused} width={props.width} height={props.height}>
      <Text {...theme.accent} wrap="truncate">{props.title} — lines {lines.length === 0 ? 0 : start + 1}-{Math.min(lines.length, start + inner)} of {lines.length}{mode}</Text>
      {lines.slice(start, start + inner).map((l, i) => (
        <Text key={start + i} wrap="truncate" {...(needle && l.toLowerCase().includes(needle) ? theme.selected : {})}>{flatten(l) || ' '}</Text>
      ))}
      <Box flexGrow={1} />
      <Text {...theme.text.muted} wrap="truncate">{hintLine('log')}  ↑↓ PgUp/PgDn g/G scroll  / n N search</Text>
    </Box>
  );
}
