import React, { useMemo } from 'react';
import { Box, Text } from 'ink';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { hintLine } from '../keymap.js';
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
}

/** Read a log file as lines; a missing or unreadable file becomes a one-line explanation. */
export function readLogLines(stateDir: string, log: string | undefined): string[] {
  if (!log) return ['(no log recorded for this host and step yet)'];
  const file = isAbsolute(log) ? log : join(stateDir, log);
  try {
    return readFileSync(file, 'utf8').replace(/\n$/, '').split(/\r?\n/);
  } catch (e) {
    return [`(cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)})`];
  }
}

/** The whole log of one host for one step, scrollable. */
export function LogView(props: LogViewProps): React.JSX.Element {
  const theme = useTheme();
  const lines = useMemo(() => readLogLines(props.stateDir, props.log), [props.stateDir, props.log]);
  const inner = Math.max(1, props.height - 4);
  const start = Math.min(props.scroll, Math.max(0, lines.length - inner));
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.border.focused} width={props.width} height={props.height}>
      <Text {...theme.accent}>{props.title} — lines {lines.length === 0 ? 0 : start + 1}-{Math.min(lines.length, start + inner)} of {lines.length}</Text>
      {lines.slice(start, start + inner).map((l, i) => (
        <Text key={start + i} wrap="truncate">{l || ' '}</Text>
      ))}
      <Box flexGrow={1} />
      <Text {...theme.text.muted}>{hintLine('log')}  ↑↓ PgUp/PgDn g/G scroll</Text>
    </Box>
  );
}
