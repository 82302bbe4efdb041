// UI-local state (selection, focused pane, overlays, scroll) as a pure reducer, tested directly.
// Engine state lives in the run store; nothing here is persisted.
import type { CommandId } from './keymap.js';

export type Pane = 'steps' | 'doc' | 'hosts';
export const PANES: readonly Pane[] = ['steps', 'doc', 'hosts'];

/** What a confirmed dialog will do. */
export type PendingRun =
  | { readonly kind: 'run'; readonly stepId: string; readonly hosts?: readonly string[]; readonly force?: boolean }
  | { readonly kind: 'play'; readonly stepId: string };

/**
 * What a dangerous command (keymap `dangerous`) will record once the operator says yes: every
 * (step, hosts) pair, recorded skipped or done by hand, and what happens after.
 */
export interface RecordPlan {
  readonly command: CommandId;
  readonly verb: 'skip' | 'markDone';
  readonly groups: readonly { readonly stepId: string; readonly hosts: readonly string[] }[];
  /** 'next': select the next step (s on a step); 'dismissResume': close the resume banner. */
  readonly then?: 'next' | 'dismissResume';
}

export type Overlay =
  | { readonly kind: 'help' }
  | { readonly kind: 'log'; readonly stepId: string; readonly host: string; readonly log?: string; readonly scroll: number }
  | { readonly kind: 'picker'; readonly hosts: readonly string[]; readonly chosen: readonly string[]; readonly cursor: number }
  | { readonly kind: 'confirm'; readonly run: PendingRun; readonly reason: 'confirm' | 'changed' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'danger'; readonly plan: RecordPlan };

export interface UiState {
  readonly selected: number;
  readonly stepCount: number;
  readonly pane: Pane;
  readonly hostIndex: number;
  readonly docScroll: number;
  readonly overlay?: Overlay;
  /** First Ctrl-C seen; the next one quits. */
  readonly ctrlCArmed: boolean;
  readonly resumeDismissed: boolean;
  /** Text typed into the variable prompt. */
  readonly varInput: string;
  /** The operator chose "save for next time" in the variable prompt (off for every new prompt). */
  readonly varSave: boolean;
}

export type UiAction =
  | { readonly type: 'move'; readonly delta: number; readonly hostCount: number }
  | { readonly type: 'moveTo'; readonly where: 'top' | 'bottom'; readonly hostCount: number }
  | { readonly type: 'select'; readonly index: number }
  | { readonly type: 'nextPane' }
  | { readonly type: 'open'; readonly overlay: Overlay }
  | { readonly type: 'close' }
  | { readonly type: 'pickerToggle' }
  | { readonly type: 'pickerAll' }
  | { readonly type: 'armCtrlC'; readonly armed: boolean }
  | { readonly type: 'dismissResume' }
  | { readonly type: 'varInput'; readonly value: string }
  | { readonly type: 'varSaveToggle' };

export function initialUiState(stepCount: number, selected = 0): UiState {
  return { selected: clamp(selected, 0, stepCount - 1), stepCount, pane: 'steps', hostIndex: 0, docScroll: 0, ctrlCArmed: false, resumeDismissed: false, varInput: '', varSave: false };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** Moves apply to the open overlay (log, picker), else to the focused pane. */
function moveBy(s: UiState, delta: number, hostCount: number): UiState {
  const o = s.overlay;
  if (o?.kind === 'log') return { ...s, overlay: { ...o, scroll: Math.max(0, o.scroll + delta) } };
  if (o?.kind === 'picker') return { ...s, overlay: { ...o, cursor: clamp(o.cursor + delta, 0, o.hosts.length - 1) } };
  if (s.pane === 'hosts') return { ...s, hostIndex: clamp(s.hostIndex + delta, 0, Math.max(0, hostCount - 1)) };
  if (s.pane === 'doc') return { ...s, docScroll: Math.max(0, s.docScroll + delta) };
  const selected = clamp(s.selected + delta, 0, Math.max(0, s.stepCount - 1));
  return selected === s.selected ? s : { ...s, selected, hostIndex: 0, docScroll: 0 };
}

const FAR = 1_000_000_000;

export function uiReducer(s: UiState, a: UiAction): UiState {
  switch (a.type) {
    case 'move':
      return moveBy(s, a.delta, a.hostCount);
    case 'moveTo': {
      if (a.where === 'top') {
        if (s.overlay?.kind === 'log') return { ...s, overlay: { ...s.overlay, scroll: 0 } };
        return moveBy(s, -FAR, a.hostCount);
      }
      return moveBy(s, FAR, a.hostCount);
    }
    case 'select': {
      const selected = clamp(a.index, 0, Math.max(0, s.stepCount - 1));
      return selected === s.selected ? s : { ...s, selected, hostIndex: 0, docScroll: 0 };
    }
    case 'nextPane':
      return { ...s, pane: PANES[(PANES.indexOf(s.pane) + 1) % PANES.length] };
    case 'open':
      return { ...s, overlay: a.overlay };
    case 'close':
      return { ...s, overlay: undefined, varInput: '', varSave: false };
    case 'pickerToggle': {
      const o = s.overlay;
      if (o?.kind !== 'picker') return s;
      const h = o.hosts[o.cursor];
      if (h === undefined) return s;
      const chosen = o.chosen.includes(h) ? o.chosen.filter((x) => x !== h) : o.hosts.filter((x) => x === h || o.chosen.includes(x));
      return { ...s, overlay: { ...o, chosen } };
    }
    case 'pickerAll': {
      const o = s.overlay;
      if (o?.kind !== 'picker') return s;
      return { ...s, overlay: { ...o, chosen: o.chosen.length === o.hosts.length ? [] : [...o.hosts] } };
    }
    case 'armCtrlC':
      return s.ctrlCArmed === a.armed ? s : { ...s, ctrlCArmed: a.armed };
    case 'dismissResume':
      return { ...s, resumeDismissed: true };
    case 'varInput':
      return { ...s, varInput: a.value };
    case 'varSaveToggle':
      return { ...s, varSave: !s.varSave };
  }
}
