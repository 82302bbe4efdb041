import React from 'react';
import type { RunStore } from '../../engine/store.js';
import type { PlayerController } from '../../engine/run/types.js';
import type { KeyContext } from '../keymap.js';
import type { UiState } from '../uiState.js';
import { resumeInfo } from '../resumeView.js';
import { HelpOverlay } from './HelpOverlay.js';
import { LogView } from './LogView.js';
import { HostPicker } from './HostPicker.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ChangedDiff } from './ChangedDiff.js';
import { QuitDialog } from './QuitDialog.js';
import { DangerDialog } from './DangerDialog.js';
import { HostKeyDialog } from './HostKeyDialog.js';
import { waitingHostKeys } from '../hostKeyWaiting.js';
import { VarPrompt } from './VarPrompt.js';
import { ResumeBanner } from './ResumeBanner.js';

export interface OverlaysProps {
  readonly context: KeyContext;
  readonly ui: UiState;
  readonly store: RunStore;
  readonly controller: PlayerController;
  readonly stateDir: string;
  readonly width: number;
  readonly height: number;
  readonly targetsOf: (stepId: string) => readonly string[];
  readonly stepLabelOf: (stepId: string) => string;
  /** Filled at render: the overlay's last useful scroll line, and the open log's lines. */
  readonly scrollMax: { current: number; page?: number };
  readonly logLines: { current: readonly string[] };
}

/** The dialog or overlay that owns the keyboard in `context`. */
export function Overlays(props: OverlaysProps): React.JSX.Element | null {
  const { ui, store, width, height, scrollMax } = props;
  const state = store.getState();
  const prompt = state.prompts[0];
  const o = ui.overlay;
  switch (props.context) {
    case 'hostKey':
      return prompt?.kind === 'host-key' ? <HostKeyDialog {...prompt} width={width} height={height} scroll={ui.hostKeyScroll} scrollMax={scrollMax} waiting={waitingHostKeys(state.prompts, state.inventory.hosts)} /> : null;
    case 'var':
      return prompt?.kind === 'var' ? <VarPrompt name={prompt.name} secret={prompt.secret} value={ui.varInput} save={ui.varSave} width={width} /> : null;
    case 'quit':
      return <QuitDialog stepLabel={state.currentStepId ? props.stepLabelOf(state.currentStepId) : undefined} width={width} />;
    case 'danger':
      return o?.kind === 'danger' ? <DangerDialog plan={o.plan} stepLabelOf={props.stepLabelOf} width={width} height={height} /> : null;
    case 'help':
      return <HelpOverlay width={width} height={height} scroll={o?.kind === 'help' ? o.scroll : 0} scrollMax={scrollMax} />;
    case 'log': {
      if (o?.kind !== 'log') return null;
      const rec = state.records[o.stepId]?.[o.host];
      const search = ui.search?.scope === 'log' ? ui.search.query : undefined;
      return <LogView stateDir={props.stateDir} log={rec?.log ?? o.log} title={`Log of ${props.stepLabelOf(o.stepId)} on ${o.host}`} scroll={o.scroll} follow={o.follow} running={rec?.status === 'running'} highlight={search} height={height} width={width} scrollMax={scrollMax} linesOut={props.logLines} />;
    }
    case 'picker': {
      if (o?.kind !== 'picker') return null;
      const groupsOf = (h: string): readonly string[] => state.inventory.hosts.find((x) => x.name === h)?.groups ?? [];
      return <HostPicker hosts={o.hosts} chosen={o.chosen} cursor={o.cursor} width={width} height={height} groupsOf={groupsOf} />;
    }
    case 'confirm': {
      if (o?.kind !== 'confirm') return null;
      const stepId = o.run.stepId;
      const hosts = o.run.kind === 'run' && o.run.hosts ? o.run.hosts : props.targetsOf(stepId);
      const rendered = hosts.map((h) => props.controller.render(stepId, h));
      const step = state.runbook.steps.find((s) => s.id === stepId);
      if (o.reason === 'changed') {
        const changedHosts = hosts.filter((h) => { const r = state.records[stepId]?.[h]; return r !== undefined && r.hash !== step?.hash; });
        return <ChangedDiff stepLabel={props.stepLabelOf(stepId)} changedHosts={changedHosts} rendered={rendered} width={width} height={height} scroll={o.scroll} scrollMax={scrollMax} previousText={props.controller.previousText(stepId)} currentText={step?.source} />;
      }
      if (o.reason === 'rerun') {
        const done = hosts.map((h) => `${h} (${state.records[stepId]?.[h]?.status ?? 'pending'})`).join(', ');
        return <ConfirmDialog title={`Run again: ${props.stepLabelOf(stepId)}`} reason={`Already done on ${done}: it will run there again.`} rendered={rendered} width={width} height={height} scroll={o.scroll} scrollMax={scrollMax} />;
      }
      return <ConfirmDialog title={`Confirm: ${props.stepLabelOf(stepId)}`} reason={step?.attrs.confirm || 'This step asks for confirmation.'} rendered={rendered} width={width} height={height} scroll={o.scroll} scrollMax={scrollMax} />;
    }
    case 'resume':
      return <ResumeBanner info={resumeInfo(state)} width={width} height={height} />;
    default:
      return null;
  }
}
