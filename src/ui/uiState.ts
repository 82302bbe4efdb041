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
  | { readonly kind: 'help'; readonly scroll: number }
  /** `scroll` is the first line shown; `follow` keeps the view at the end while the step runs. */
  | { readonly kind: 'log'; readonly stepId: string; readonly host: string; readonly log?: string; readonly scroll: number; readonly follow: boolean }
  | { readonly kind: 'picker'; readonly hosts: readonly string[]; readonly chosen: readonly string[]; readonly cursor: number }
  /** 'rerun': the host is done already and the operator asked to run the step there again. */
  | { readonly kind: 'confirm'; readonly run: PendingRun; readonly reason: 'confirm' | 'changed' | 'rerun'; readonly scroll: number }
  | { readonly kind: 'quit' }
  | { readonly kind: 'danger'; readonly plan: RecordPlan };

/** What a one-line text prompt is for: `/` search, `:` step jump, hosts-pane name filter, picker pattern. */
export type InputKind = 'search' | 'jump' | 'hostFilter' | 'pattern';

/** Where a `/` search looks: the steps list, the document pane, or the open log. */
export type SearchScope = 'steps' | 'doc' | 'log';

/** Hosts-pane status filter, cycled by `f`. */
export const HOST_STATUS_FILTERS = ['all', 'failed', 'running', 'pending', 'done'] as const;
export type HostStatusFilter = (typeof HOST_STATUS_FILTERS)[number];

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
  /** First line shown of the unknown host keys' list (the host key dialog scrolls it). */
  readonly hostKeyScroll: number;
  /** The open one-line text prompt, if any (it has the keyboard, above any overlay). */
  readonly input?: { readonly kind: InputKind; readonly value: string; readonly scope?: SearchScope };
  /** The last search, for n / N. */
  readonly search?: { readonly query: string; readonly scope: SearchScope };
  /** Selected host by name (stable while the hosts pane re-sorts); hostIndex when unknown. */
  readonly hostName?: string;
  /** Hosts pane: failed / interrupted / running hosts first ('problems') or inventory order. */
  readonly hostSort: 'problems' | 'inventory';
  readonly hostStatusFilter: HostStatusFilter;
  /** Hosts pane name filter (substring, case-insensitive). */
  readonly hostNameFilter: string;
  /** Folded sections (indexes into runbook.sections): the outline shows only their heading. */
  readonly folded: readonly number[];
}

export type UiAction =
  /** `hosts`: the hosts pane's visible hosts (for name-stable selection); `max`: last scroll line of the open overlay. */
  | { readonly type: 'move'; readonly delta: number; readonly hostCount: number; readonly hosts?: readonly string[]; readonly max?: number }
  | { readonly type: 'moveTo'; readonly where: 'top' | 'bottom'; readonly hostCount: number; readonly hosts?: readonly string[]; readonly max?: number }
  | { readonly type: 'select'; readonly index: number; readonly host?: string }
  | { readonly type: 'selectHost'; readonly host: string }
  | { readonly type: 'focus'; readonly pane: Pane }
  | { readonly type: 'scrollTo'; readonly line: number }
  | { readonly type: 'inputOpen'; readonly kind: InputKind; readonly scope?: SearchScope }
  | { readonly type: 'inputValue'; readonly value: string }
  | { readonly type: 'inputClose' }
  | { readonly type: 'setSearch'; readonly query: string; readonly scope: SearchScope }
  | { readonly type: 'hostSortToggle' }
  | { readonly type: 'hostStatusFilterNext' }
  | { readonly type: 'hostNameFilter'; readonly value: string }
  | { readonly type: 'fold'; readonly section: number; readonly folded: boolean }
  | { readonly type: 'foldAll'; readonly sections: readonly number[] }
  | { readonly type: 'logFollow'; readonly follow: boolean }
  | { readonly type: 'pickerSet'; readonly chosen: readonly string[] }
  | { readonly type: 'nextPane' }
  | { readonly type: 'open'; readonly overlay: Overlay }
  | { readonly type: 'close' }
  | { readonly type: 'pickerToggle' }
  | { readonly type: 'pickerAll' }
  | { readonly type: 'armCtrlC'; readonly armed: boolean }
  | { readonly type: 'dismissResume' }
  | { readonly type: 'varInput'; readonly value: string }
  | { readonly type: 'varSaveToggle' }
  | { readonly type: 'hostKeyScroll'; readonly delta: number; readonly max: number };

export function initialUiState(stepCount: number, selected = 0): UiState {
  return {
    selected: clamp(selected, 0, stepCount - 1), stepCount, pane: 'steps', hostIndex: 0, docScroll: 0, ctrlCArmed: false, resumeDismissed: false,
    varInput: '', varSave: false, hostKeyScroll: 0, hostSort: 'problems', hostStatusFilter: 'all', hostNameFilter: '', folded: [],
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** Moves apply to the open overlay (log, picker, confirm, help), else to the focused pane. */
function moveBy(s: UiState, delta: number, hostCount: number, hosts?: readonly string[], max = Number.MAX_SAFE_INTEGER): UiState {
  const o = s.overlay;
  if (o?.kind === 'log') return { ...s, overlay: { ...o, scroll: clamp(o.scroll + delta, 0, max), follow: delta > 0 ? o.follow : false } };
  if (o?.kind === 'confirm' || o?.kind === 'help') return { ...s, overlay: { ...o, scroll: clamp(o.scroll + delta, 0, max) } };
  if (o?.kind === 'picker') return { ...s, overlay: { ...o, cursor: clamp(o.cursor + delta, 0, o.hosts.length - 1) } };
  if (s.pane === 'hosts') {
    const count = hosts?.length ?? hostCount;
    const from = hosts && s.hostName !== undefined && hosts.includes(s.hostName) ? hosts.indexOf(s.hostName) : s.hostIndex;
    const hostIndex = clamp(from + delta, 0, Math.max(0, count - 1));
    return { ...s, hostIndex, hostName: hosts?.[hostIndex] };
  }
  if (s.pane === 'doc') return { ...s, docScroll: clamp(s.docScroll + delta, 0, max) };
  const selected = clamp(s.selected + delta, 0, Math.max(0, s.stepCount - 1));
  return selected === s.selected ? s : { ...s, selected, hostIndex: 0, hostName: undefined, docScroll: 0 };
}

const FAR = 1_000_000_000;

export function uiReducer(s: UiState, a: UiAction): UiState {
  switch (a.type) {
    case 'move':
      return moveBy(s, a.delta, a.hostCount, a.hosts, a.max);
    case 'moveTo':
      return moveBy(s, a.where === 'top' ? -FAR : FAR, a.hostCount, a.hosts, a.max);
    case 'select': {
      const selected = clamp(a.index, 0, Math.max(0, s.stepCount - 1));
      if (selected === s.selected && a.host === undefined) return s;
      return { ...s, selected, hostIndex: 0, hostName: a.host, docScroll: selected === s.selected ? s.docScroll : 0 };
    }
    case 'selectHost':
      return { ...s, hostName: a.host };
    case 'focus':
      return s.pane === a.pane ? s : { ...s, pane: a.pane };
    case 'scrollTo': {
      const o = s.overlay;
      if (o?.kind === 'log') return { ...s, overlay: { ...o, scroll: Math.max(0, a.line), follow: false } };
      return { ...s, docScroll: Math.max(0, a.line) };
    }
    case 'hostKeyScroll':
      return { ...s, hostKeyScroll: clamp(s.hostKeyScroll + a.delta, 0, a.max) };
    case 'inputOpen':
      return { ...s, input: { kind: a.kind, value: '', scope: a.scope } };
    case 'inputValue':
      return s.input ? { ...s, input: { ...s.input, value: a.value } } : s;
    case 'inputClose':
      return s.input ? { ...s, input: undefined } : s;
    case 'setSearch':
      return { ...s, search: { query: a.query, scope: a.scope } };
    case 'hostSortToggle':
      return { ...s, hostSort: s.hostSort === 'problems' ? 'inventory' : 'problems' };
    case 'hostStatusFilterNext':
      return { ...s, hostStatusFilter: HOST_STATUS_FILTERS[(HOST_STATUS_FILTERS.indexOf(s.hostStatusFilter) + 1) % HOST_STATUS_FILTERS.length] };
    case 'hostNameFilter':
      return { ...s, hostNameFilter: a.value };
    case 'fold': {
      const folded = s.folded.filter((x) => x !== a.section);
      return { ...s, folded: a.folded ? [...folded, a.section] : folded };
    }
    case 'foldAll':
      return { ...s, folded: [...a.sections] };
    case 'logFollow':
      return s.overlay?.kind === 'log' ? { ...s, overlay: { ...s.overlay, follow: a.follow } } : s;
    case 'pickerSet':
      return s.overlay?.kind === 'picker' ? { ...s, overlay: { ...s.overlay, chosen: s.overlay.hosts.filter((h) => a.chosen.includes(h)) } } : s;
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
