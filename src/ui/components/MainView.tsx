import React from 'react';
import { Box } from 'ink';
import type { Runbook, Step } from '../../engine/types.js';
import type { PlayerController } from '../../engine/run/types.js';
import type { HostRow, Badge } from '../selectors.js';
import type { StepsRow } from '../outline.js';
import type { UiState } from '../uiState.js';
import { StepsPane } from './StepsPane.js';
import { DocPane } from './DocPane.js';
import { HostsPane } from './HostsPane.js';

export interface MainViewProps {
  readonly runbook: Runbook;
  readonly controller: PlayerController;
  readonly ui: UiState;
  readonly rows: readonly StepsRow[];
  readonly step?: Step;
  /** Every targeted host of the step, and the ones the hosts pane lists (filtered, sorted). */
  readonly allHosts: readonly HostRow[];
  readonly hostRows: readonly HostRow[];
  readonly hostIndex: number;
  readonly host?: string;
  readonly tail: readonly string[];
  readonly width: number;
  readonly height: number;
  readonly badgeFor: (step: Step) => Badge;
  readonly progressOf: (stepIndexes: readonly number[]) => { readonly done: number; readonly total: number; readonly failed: number };
  readonly docScrollMax: { current: number };
}

/** The three panes: outline of steps (left), document (top right), hosts (bottom right). */
export function MainView(props: MainViewProps): React.JSX.Element {
  const { ui, step, height, width } = props;
  const stepsWidth = Math.min(48, Math.max(24, Math.floor(width * 0.4)));
  const rightWidth = width - stepsWidth;
  // The hosts pane takes half the height once there are more than a few hosts.
  const hostsHeight = Math.max(5, Math.floor(height * (props.allHosts.length > 3 ? 0.5 : 0.4)));
  const rendered = step && props.host ? props.controller.render(step.id, props.host) : undefined;
  const section = step ? props.runbook.sections[step.sectionIndex] : undefined;
  const search = ui.search?.scope === 'doc' ? ui.search.query : undefined;
  return (
    <Box height={height}>
      <StepsPane rows={props.rows} selected={ui.selected} height={height} width={stepsWidth} focused={ui.pane === 'steps'} badgeFor={props.badgeFor} progressOf={props.progressOf} />
      <Box flexDirection="column" width={rightWidth}>
        <DocPane step={step} markdown={section?.markdown ?? ''} rendered={rendered} height={height - hostsHeight} width={rightWidth} scroll={ui.docScroll} focused={ui.pane === 'doc'} highlight={search} scrollMax={props.docScrollMax} />
        <HostsPane
          all={props.allHosts}
          rows={props.hostRows}
          selected={props.hostIndex}
          tail={props.tail}
          height={hostsHeight}
          width={rightWidth}
          focused={ui.pane === 'hosts'}
          sort={ui.hostSort}
          statusFilter={ui.hostStatusFilter}
          nameFilter={ui.hostNameFilter}
        />
      </Box>
    </Box>
  );
}
