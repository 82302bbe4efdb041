import React from 'react';
import type { RunStore } from '../../engine/store.js';
import type { PlayerController } from '../../engine/run/types.js';
import type { KeyContext } from '../keymap.js';
import type { UiState } from '../uiState.js';
import { pendingInterrupted } from '../commands.js';
import { HelpOverlay } from './HelpOverlay.js';
import { LogView } from './LogView.js';
import { HostPicker } from './HostPicker.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ChangedDiff } from './ChangedDiff.js';
import { QuitDialog } from './QuitDialog.js';
import { DangerDialog } from './DangerDialog.js';
import { HostKeyDialog } from './HostKeyDialog.js';
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
}

/** The dialog or overlay that owns the keyboard in `context`. */
export function Overlays(props: OverlaysProps): React.JSX.Element | null {
  const { ui, store, width } = props;
  const state = store.getState();
  const prompt = state.prompts[0];
  const o = ui.overlay;
  switch (props.context) {
    case 'hostKey':
      return prompt?.kind === 'host-key' ? <HostKeyDialog {...prompt} width={width} /> : null;
    case 'var':
      return prompt?.kind === 'var' ? <VarPrompt name={prompt.name} secret={prompt.secret} value={ui.varInput} save={ui.varSave} width={width} /> : null;
    case 'quit':
      return <QuitDialog stepLabel={state.currentStepId ? props.stepLabelOf(state.currentStepId) : undefined} width={width} />;
    case 'danger':
      return o?.kind === 'danger' ? <DangerDialog plan={o.plan} stepLabelOf={props.stepLabelOf} width={width} /> : null;
    case 'help':
      return <HelpOverlay width={width} height={props.height} />;
    case 'log':
      return o?.kind === 'log' ? <LogView stateDir={props.stateDir} log={o.log} title={`Log of ${props.stepLabelOf(o.stepId)} on ${o.host}`} scroll={o.scroll} height={props.height} width={width} /> : null;
    case 'picker':
      return o?.kind === 'picker' ? <HostPicker hosts={o.hosts} chosen={o.chosen} cursor={o.cursor} width={width} /> : null;
    case 'confirm': {
      if (o?.kind !== 'confirm') return null;
      const stepId = o.run.stepId;
      const hosts = o.run.kind === 'run' && o.run.hosts ? o.run.hosts : props.targetsOf(stepId);
      const rendered = hosts.map((h) => props.controller.render(stepId, h));
      const step = state.runbook.steps.find((s) => s.id === stepId);
      if (o.reason === 'changed') {
        const changedHosts = hosts.filter((h) => { const r = state.records[stepId]?.[h]; return r !== undefined && r.hash !== step?.hash; });
        return <ChangedDiff stepLabel={props.stepLabelOf(stepId)} changedHosts={changedHosts} rendered={rendered} width={width} previousText={props.controller.previousText(stepId)} currentText={step?.source} />;
      }
      return <ConfirmDialog stepLabel={props.stepLabelOf(stepId)} reason={step?.attrs.confirm ?? ''} rendered={rendered} width={width} />;
    }
    case 'resume':
      return <ResumeBanner interrupted={pendingInterrupted(store).map((x) => ({ stepLabel: props.stepLabelOf(x.stepId), host: x.host }))} width={width} />;
    default:
      return null;
  }
}
