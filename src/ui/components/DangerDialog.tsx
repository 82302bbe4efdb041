import React from 'react';
import type { RecordPlan } from '../uiState.js';
import { recordQuestion } from '../selectors.js';
import { ScrollDialog } from './ScrollDialog.js';
import { useTheme } from '../theme.js';

/**
 * Asked before a dangerous key (keymap `dangerous`) records a step skipped or done by hand. Every
 * host is named; at fleet scale the list wraps and scrolls inside the screen.
 */
export function DangerDialog(props: { readonly plan: RecordPlan; readonly stepLabelOf: (stepId: string) => string; readonly width: number; readonly height?: number; readonly scroll?: number }): React.JSX.Element {
  const theme = useTheme();
  const q = recordQuestion(props.plan, props.stepLabelOf);
  const lines = q.lines.map((text, i) => ({ text, style: i === 0 ? theme.status.interrupted : undefined }));
  return <ScrollDialog title={q.title} context="danger" width={props.width} height={props.height ?? Math.min(40, lines.length * 4 + 6)} body={lines} scroll={props.scroll ?? 0} />;
}
