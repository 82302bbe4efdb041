// What each keymap command does. Plain functions over the run store, the controller and the UI
// reducer: App only decides the active context and calls runCommand. Controller errors become
// flash messages (with their hint); nothing here throws into React.
import type { Step } from '../engine/types.js';
import type { PlayerController, PlayStop } from '../engine/run/types.js';
import { answerPrompt, flash, requestPrompt, setHostFilter, type RunStore } from '../engine/store.js';
import { isSecretName } from '../engine/secrets.js';
import { asksFirst, type CommandId, type KeyContext } from './keymap.js';
import { isDone, stepChanged, stepLabel } from './selectors.js';
import type { PendingRun, RecordPlan, UiAction, UiState } from './uiState.js';
import type { StepsRow } from './outline.js';
import { VIEW_COMMANDS, applyInput, moveInOutline, runViewCommand } from './viewCommands.js';
import { pendingInterruptedCells } from './resumeView.js';
import { nameList } from '../engine/nameList.js';

export interface CommandDeps {
  readonly store: RunStore;
  readonly controller: PlayerController;
  /** Latest UI state (read at call time). */
  readonly ui: () => UiState;
  readonly dispatch: (a: UiAction) => void;
  /** Target host names of a step after the session filter. */
  readonly targetsOf: (stepId: string) => readonly string[];
  /** Leave the player (the caller closes the controller and computes the exit code). */
  readonly quit: () => void;
  /** Rows moved by PgUp/PgDn. */
  readonly pageSize: number;
  /** Rows a page of the open scrolling dialog (confirm, help, host keys) scrolls, once it is drawn. */
  readonly dialogPage?: () => number | undefined;
  /** The hosts pane's hosts of a step, in the order and filter it shows them. */
  readonly visibleHosts: (stepId: string) => readonly string[];
  /** The host selected in the hosts pane (by name), if any. */
  readonly selectedHostName: () => string | undefined;
  /** Outline rows of the steps pane (folds applied). */
  readonly rows: () => readonly StepsRow[];
  /** Last useful scroll line of the open overlay or the focused document pane. */
  readonly scrollMax: () => number;
  /** Text of the document pane's lines, and of the open log (for search). */
  readonly docLines: () => readonly string[];
  readonly logLines: () => readonly string[];
  /** Directory of the state file (log paths are relative to it). */
  readonly stateDir: string;
  /** Open a file in $PAGER, suspending the player (absent where there is no terminal). */
  readonly pager?: (file: string) => void;
  /** Write raw bytes to the terminal (OSC 52), absent in tests. */
  readonly terminal?: (data: string) => void;
  /** Write a report of the session; resolves with the files written. */
  readonly writeReport?: () => Promise<readonly string[]>;
}

/** Show an error from the controller as a flash message with its hint; never rethrow. */
export function reportError(store: RunStore, e: unknown): void {
  const err = e as { message?: string; hint?: string };
  flash(store, 'error', err?.message ?? String(e), err?.hint);
}

/** Run a controller call, sync or async, turning failures into flash messages. */
export function safely<T>(store: RunStore, fn: () => T | Promise<T>, then?: (v: T) => void): void {
  try {
    const r = fn();
    if (r instanceof Promise) r.then((v) => then?.(v), (e: unknown) => reportError(store, e));
    else then?.(r);
  } catch (e) {
    reportError(store, e);
  }
}

function selectedStep(d: CommandDeps): Step | undefined {
  return d.store.getState().runbook.steps[d.ui().selected];
}

function selectedHost(d: CommandDeps, step: Step | undefined): string | undefined {
  if (!step) return undefined;
  return d.selectedHostName();
}

function stepIndex(d: CommandDeps, stepId: string): number {
  return d.store.getState().runbook.steps.findIndex((s) => s.id === stepId);
}

/**
 * Ask for every variable the runbook needs and nothing defines (masked when the name looks
 * secret), then go on; values stay in memory (controller.setVar), and are also saved to the vars
 * file (controller.saveVar) when the operator turned on "save for next time" (never for secrets). Without missing variables `go`
 * runs synchronously. Cancelling a prompt runs nothing.
 */
export function withVars(d: CommandDeps, go: () => void): void {
  let missing: readonly string[];
  try {
    missing = d.controller.missingVars();
  } catch (e) {
    return reportError(d.store, e);
  }
  if (missing.length === 0) return go();
  void (async () => {
    for (const name of missing) {
      const value = await requestPrompt<string | undefined>(d.store, { kind: 'var', name, secret: isSecretName(name) });
      if (value === undefined) {
        flash(d.store, 'warn', `no value for ${name}: nothing was run`, 'the runbook needs it; run again to be asked, or pass --var');
        return;
      }
    }
    go();
  })().catch((e: unknown) => reportError(d.store, e));
}

/** Ask first when the step has a confirm or changed since it ran; otherwise run right away. */
export function requestRun(d: CommandDeps, run: PendingRun): void {
  withVars(d, () => requestRunNow(d, run));
}

function requestRunNow(d: CommandDeps, run: PendingRun): void {
  const step = d.store.getState().runbook.steps.find((s) => s.id === run.stepId);
  if (!step) return;
  const hosts = run.kind === 'run' && run.hosts ? run.hosts : d.targetsOf(step.id);
  const recs = d.store.getState().records[step.id] ?? {};
  if (stepChanged(step, d.store.getState().records, hosts)) {
    d.dispatch({ type: 'open', overlay: { kind: 'confirm', run, reason: 'changed', scroll: 0 } });
  } else if (step.attrs.confirm !== undefined) {
    d.dispatch({ type: 'open', overlay: { kind: 'confirm', run, reason: 'confirm', scroll: 0 } });
  } else if (run.kind === 'run' && run.force && hosts.some((h) => isDone(recs[h]?.status))) {
    // Re-running a host the step is done on: it ran (or was recorded) already, ask first.
    d.dispatch({ type: 'open', overlay: { kind: 'confirm', run, reason: 'rerun', scroll: 0 } });
  } else {
    executeRun(d, run, false);
  }
}

/** Start a run (after any confirmation). */
export function executeRun(d: CommandDeps, run: PendingRun, confirmed: boolean): void {
  const { store, controller } = d;
  if (run.kind === 'play') {
    safely(store, () => controller.runStep(run.stepId, { confirmed: true }), (o) => {
      if (!o.failed && !o.aborted) startPlay(d, run.stepId);
      else {
        showFailed(d, run.stepId, failedHosts(o.hosts));
        flash(store, 'error', `${run.stepId} failed on ${hostList(failedHosts(o.hosts), d.targetsOf(run.stepId))}`, 'R retries the failed hosts, ] jumps to the next failed host, s skips the step');
      }
    });
    return;
  }
  const step = store.getState().runbook.steps.find((s) => s.id === run.stepId);
  const changed = step ? stepChanged(step, store.getState().records, run.hosts ?? d.targetsOf(run.stepId)) : false;
  const opts = {
    ...(run.hosts ? { hosts: run.hosts } : {}),
    ...(run.force || (changed && confirmed) ? { force: true } : {}),
    ...(confirmed ? { confirmed: true } : {}),
  };
  safely(store, () => controller.runStep(run.stepId, opts), (o) => {
    if (o.aborted) flash(store, 'warn', `${run.stepId} aborted`);
    else if (o.failed) {
      showFailed(d, run.stepId, failedHosts(o.hosts));
      flash(store, 'error', `${run.stepId} failed on ${hostList(failedHosts(o.hosts), d.targetsOf(run.stepId))}`, 'R retries the failed hosts, ] jumps to the next failed host, s skips the step');
    }
  });
}

function failedHosts(hosts: Readonly<Record<string, string>>): string[] {
  return Object.entries(hosts).filter(([, s]) => s === 'failed' || s === 'interrupted' || s === 'unreachable').map(([h]) => h);
}

/** "m1, m2, m3" or "m1, m2, m3 and 7 more" in inventory order: a footer line stays one line at 30 hosts. */
function hostList(hosts: readonly string[], order?: readonly string[]): string {
  const sorted = order ? [...hosts].sort((a, b) => order.indexOf(a) - order.indexOf(b)) : hosts;
  return nameList(sorted, 4, 3);
}

/** After a failure: select the step and its first failed host, so `l` opens the right log. */
function showFailed(d: CommandDeps, stepId: string, hosts: readonly string[]): void {
  const order = d.targetsOf(stepId);
  const first = [...hosts].sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
  d.dispatch({ type: 'select', index: stepIndex(d, stepId), host: first });
}

/**
 * Play from the first pending step until a stop, and react to why it stopped. `after`: the play
 * goes on after that step (the confirm step it stopped at), never back to an earlier step left
 * not done on purpose (a continue_on_error step that failed is not run again out of order).
 */
export function startPlay(d: CommandDeps, after?: string): void {
  const steps = d.store.getState().runbook.steps;
  const next = after === undefined ? undefined : steps[steps.findIndex((s) => s.id === after) + 1];
  if (after !== undefined && !next) return void flash(d.store, 'info', 'end of the runbook');
  withVars(d, () => safely(d.store, () => d.controller.play(next ? { fromStepId: next.id } : undefined), (stop) => handleStop(d, stop)));
}

export function handleStop(d: CommandDeps, stop: PlayStop): void {
  const { store } = d;
  const select = (id: string): void => d.dispatch({ type: 'select', index: stepIndex(d, id) });
  switch (stop.kind) {
    case 'end': {
      const past = stop.tolerated?.map((t) => t.stepId) ?? [];
      if (past.length) flash(store, 'warn', `end of the runbook, but continue_on_error went on past failures of ${past.join(', ')}`, '] jumps to the next failed host');
      else flash(store, 'info', 'end of the runbook');
      break;
    }
    case 'paused': flash(store, 'info', 'paused'); break;
    case 'failed': {
      const recs = store.getState().records[stop.stepId] ?? {};
      const hosts = d.targetsOf(stop.stepId).filter((h) => ['failed', 'unreachable', 'interrupted'].includes(recs[h]?.status ?? ''));
      select(stop.stepId);
      showFailed(d, stop.stepId, hosts);
      flash(store, 'error', `${stop.stepId} failed${hosts.length ? ` on ${hostList(hosts)}` : ''}`, 'R retries the failed hosts, ] jumps to the next failed host, s skips the step');
      break;
    }
    case 'aborted': select(stop.stepId); flash(store, 'warn', `${stop.stepId} aborted`); break;
    case 'interrupted': select(stop.stepId); flash(store, 'warn', `${stop.stepId} was interrupted on ${stop.hosts.join(', ')}`, 'R retries them, m marks one done, s skips'); break;
    case 'state-error': flash(store, 'error', stop.message); break;
    case 'confirm':
      select(stop.stepId);
      d.dispatch({ type: 'open', overlay: { kind: 'confirm', run: { kind: 'play', stepId: stop.stepId }, reason: 'confirm', scroll: 0 } });
      break;
  }
}

/** Hosts the last session left interrupted and that still are. */
export function pendingInterrupted(store: RunStore): { stepId: string; host: string }[] {
  return pendingInterruptedCells(store.getState());
}

function groupByStep(list: readonly { stepId: string; host: string }[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const x of list) m.set(x.stepId, [...(m.get(x.stepId) ?? []), x.host]);
  return m;
}

async function inOrder(jobs: readonly (() => Promise<unknown>)[]): Promise<void> {
  for (const j of jobs) await j();
}

type Planner = (d: CommandDeps) => RecordPlan | undefined;

/**
 * What each dangerous command would record, computed when its key is pressed (undefined, after
 * an info message, when there is nothing to record). Every command the keymap flags `dangerous`
 * (and not `alreadyAsked`) needs one here: test/ui/dangerous.test.tsx checks it.
 */
export const RECORD_PLANNERS: Partial<Record<CommandId, Planner>> = {
  'step.skip': (d) => {
    const step = selectedStep(d);
    if (!step) return undefined;
    const recs = d.store.getState().records[step.id] ?? {};
    const hosts = d.targetsOf(step.id).filter((h) => !isDone(recs[h]?.status) && recs[h]?.status !== 'running');
    if (hosts.length === 0) return void flash(d.store, 'info', `nothing to skip in ${stepLabel(step)}`);
    return { command: 'step.skip', verb: 'skip', groups: [{ stepId: step.id, hosts }], then: 'next' };
  },
  'host.skip': (d) => {
    const step = selectedStep(d);
    const host = selectedHost(d, step);
    if (!step || !host) return undefined;
    return { command: 'host.skip', verb: 'skip', groups: [{ stepId: step.id, hosts: [host] }] };
  },
  'host.markDone': (d) => {
    const step = selectedStep(d);
    const host = selectedHost(d, step);
    if (!step || !host) return undefined;
    return { command: 'host.markDone', verb: 'markDone', groups: [{ stepId: step.id, hosts: [host] }] };
  },
  'resume.skip': (d) => resumePlan(d, 'resume.skip', 'skip'),
  'resume.markDone': (d) => resumePlan(d, 'resume.markDone', 'markDone'),
};

function resumePlan(d: CommandDeps, command: CommandId, verb: RecordPlan['verb']): RecordPlan | undefined {
  const groups = [...groupByStep(pendingInterrupted(d.store))].map(([stepId, hosts]) => ({ stepId, hosts }));
  if (groups.length === 0) return undefined;
  return { command, verb, groups, then: 'dismissResume' };
}

/** A dangerous command: open the 'danger' dialog with what it would record, or record at once
 *  when the keymap says it was already asked. */
function askOrRecord(d: CommandDeps, id: CommandId): void {
  const planner = RECORD_PLANNERS[id];
  if (!planner) return flash(d.store, 'error', `no record plan for ${id}`, 'this is a bug in the player');
  const plan = planner(d);
  if (!plan) return;
  if (asksFirst(id)) return d.dispatch({ type: 'open', overlay: { kind: 'danger', plan } });
  recordPlan(d, plan);
}

/** Record what the operator agreed to: every (step, hosts) skipped or done by hand, in order. */
export function recordPlan(d: CommandDeps, plan: RecordPlan): void {
  const { store, controller, dispatch } = d;
  if (plan.then === 'dismissResume') dispatch({ type: 'dismissResume' });
  const jobs: (() => Promise<unknown>)[] = [];
  for (const g of plan.groups) {
    if (plan.verb === 'skip') jobs.push(() => controller.skip(g.stepId, g.hosts));
    else for (const h of g.hosts) jobs.push(() => controller.markDone(g.stepId, h));
  }
  const labelOf = (id: string): string => {
    const st = store.getState().runbook.steps.find((s) => s.id === id);
    return st ? stepLabel(st) : id;
  };
  const what = plan.groups.map((g) => `${labelOf(g.stepId)} on ${g.hosts.join(', ')}`).join('; ');
  safely(store, () => inOrder(jobs), () => {
    flash(store, 'info', plan.verb === 'skip' ? `skipped ${what}` : `marked done by hand: ${what}`);
    if (plan.then === 'next') {
      const step = selectedStep(d);
      dispatch({ type: 'move', delta: 1, hostCount: step ? d.targetsOf(step.id).length : 0 });
    }
  });
}

/** Carry out one command in the given context. */
export function runCommand(d: CommandDeps, id: CommandId, context: KeyContext): void {
  const { store, controller, dispatch } = d;
  // Data, not special cases: whatever the keymap flags dangerous asks first.
  if (asksFirst(id)) return askOrRecord(d, id);
  if (VIEW_COMMANDS.includes(id)) return runViewCommand(d, id, context);
  const ui = d.ui();
  const step = selectedStep(d);
  const host = selectedHost(d, step);
  const hosts = step ? d.visibleHosts(step.id) : [];
  const hostCount = hosts.length;
  const mode = store.getState().mode;
  // In a scrolling dialog a page is what it shows, so PgDn never jumps over lines (host keys' fingerprints).
  const page = (): number => ((context === 'confirm' || context === 'help' || context === 'hostKey') && d.dialogPage?.()) || d.pageSize;
  const move = (delta: number): void => {
    if (context === 'hostKey') return dispatch({ type: 'hostKeyScroll', delta, max: d.scrollMax() });
    if (!moveInOutline(d, delta)) dispatch({ type: 'move', delta, hostCount, hosts, max: d.scrollMax() });
  };
  switch (id) {
    case 'nav.down': return move(1);
    case 'nav.up': return move(-1);
    case 'nav.pageDown': return move(page());
    case 'nav.pageUp': return move(-page());
    case 'nav.top': return move(-1_000_000);
    case 'nav.bottom': return move(1_000_000);
    case 'pane.next': return dispatch({ type: 'nextPane' });
    case 'help.toggle': return dispatch(ui.overlay?.kind === 'help' ? { type: 'close' } : { type: 'open', overlay: { kind: 'help', scroll: 0 } });
    case 'step.run':
      if (!step) return;
      if (mode !== 'idle') return flash(store, 'warn', 'a step is already running', 'wait for it, or Ctrl-C to abort it');
      return requestRun(d, { kind: 'run', stepId: step.id });
    case 'play.toggle':
      if (mode === 'playing') {
        safely(store, () => controller.pause());
        return flash(store, 'info', 'pausing after the running step');
      }
      if (mode !== 'idle') return flash(store, 'warn', 'a step is running', 'Ctrl-C aborts it');
      return startPlay(d);
    case 'step.retry': {
      if (!step) return;
      const recs = store.getState().records[step.id] ?? {};
      const hosts = d.targetsOf(step.id).filter((h) => recs[h]?.status === 'failed' || recs[h]?.status === 'interrupted' || recs[h]?.status === 'unreachable');
      if (hosts.length === 0) return flash(store, 'info', `nothing to retry in ${stepLabel(step)}`);
      return requestRun(d, { kind: 'run', stepId: step.id, hosts });
    }
    case 'host.retry':
      if (!step || !host) return;
      return requestRun(d, { kind: 'run', stepId: step.id, hosts: [host], force: true });
    case 'step.skip':
    case 'host.skip':
    case 'host.markDone':
    case 'resume.markDone':
    case 'resume.skip':
      // Only reached for a dangerous command that does not ask first (none today): record at once.
      return askOrRecord(d, id);
    case 'step.abort':
      if (ui.ctrlCArmed) {
        if (mode !== 'idle') return abortThenQuit(d);
        return d.quit();
      }
      dispatch({ type: 'armCtrlC', armed: true });
      if (mode !== 'idle') {
        safely(store, () => controller.abort());
        return flash(store, 'warn', 'aborting the running step', 'Ctrl-C again quits');
      }
      return flash(store, 'info', 'press Ctrl-C again to quit');
    case 'app.quit':
      if (mode !== 'idle') return dispatch({ type: 'open', overlay: { kind: 'quit' } });
      return d.quit();
    case 'hosts.pick': {
      const all = store.getState().inventory.hosts.map((h) => h.name);
      const chosen = store.getState().hostFilter ?? all;
      return dispatch({ type: 'open', overlay: { kind: 'picker', hosts: all, chosen: all.filter((h) => chosen.includes(h)), cursor: 0 } });
    }
    case 'log.open': {
      if (!step || !host) return;
      const rec = store.getState().records[step.id]?.[host];
      const running = rec?.status === 'running';
      // A running step opens in follow mode (like less +F); a finished one at its top.
      return dispatch({ type: 'open', overlay: { kind: 'log', stepId: step.id, host, log: rec?.log, scroll: running ? 1_000_000_000 : 0, follow: running } });
    }
    case 'report.write': {
      const write = d.writeReport;
      if (!write) return flash(store, 'warn', 'this session cannot write reports', 'use `runbook report PATH`');
      return safely(store, write, (files) => flash(store, 'info', `report written: ${files.join(', ')}`));
    }
    case 'picker.toggle': return dispatch({ type: 'pickerToggle' });
    case 'picker.all': return dispatch({ type: 'pickerAll' });
    case 'hostKey.accept':
    case 'hostKey.reject': {
      const p = store.getState().prompts[0];
      if (p?.kind === 'host-key') answerPrompt(store, p.id, id === 'hostKey.accept');
      return;
    }
    case 'resume.retry': {
      const byStep = groupByStep(pendingInterrupted(store));
      dispatch({ type: 'dismissResume' });
      const jobs = [...byStep].map(([stepId, hosts]) => () => controller.runStep(stepId, { hosts }));
      return withVars(d, () => safely(store, () => inOrder(jobs)));
    }
    case 'confirm.skip': {
      const o = ui.overlay;
      if (o?.kind !== 'confirm') return;
      dispatch({ type: 'close' });
      const recs = store.getState().records[o.run.stepId] ?? {};
      const hosts = (o.run.kind === 'run' && o.run.hosts ? o.run.hosts : d.targetsOf(o.run.stepId)).filter((h) => !isDone(recs[h]?.status));
      const st = store.getState().runbook.steps.find((s) => s.id === o.run.stepId);
      const label = st ? stepLabel(st) : o.run.stepId;
      return safely(store, () => controller.skip(o.run.stepId, hosts), () => {
        flash(store, 'info', `skipped ${label}`);
        if (o.run.kind === 'play') startPlay(d, o.run.stepId);
      });
    }
    case 'var.save': {
      const p = store.getState().prompts[0];
      // Secrets are kept in memory only: the toggle is not offered for them.
      if (p?.kind !== 'var' || p.secret) return;
      return dispatch({ type: 'varSaveToggle' });
    }
    case 'dialog.confirm': return confirmDialog(d, context);
    case 'dialog.cancel': return cancelDialog(d, context);
  }
}

/** How long quitting waits for an aborted step to record its hosts before leaving anyway. */
const ABORT_SETTLE_MS = 10_000;

/**
 * Quit while a step runs: abort it, wait (bounded) until the engine has recorded its hosts
 * (mode back to idle), then leave, so what the quit dialog promised is in the state file.
 */
function abortThenQuit(d: CommandDeps): void {
  const { store, controller } = d;
  safely(store, () => controller.abort());
  if (store.getState().mode === 'idle') return d.quit();
  flash(store, 'warn', 'aborting the running step, then quitting');
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    unsub();
    clearTimeout(timer);
    d.quit();
  };
  const unsub = store.subscribe((s) => { if (s.mode === 'idle') finish(); });
  const timer = setTimeout(finish, ABORT_SETTLE_MS);
}

function confirmDialog(d: CommandDeps, context: KeyContext): void {
  const { store, controller, dispatch } = d;
  const o = d.ui().overlay;
  if (context === 'input') return applyInput(d);
  if (context === 'var') {
    const p = store.getState().prompts[0];
    if (p?.kind !== 'var') return;
    const value = d.ui().varInput;
    const save = d.ui().varSave && !p.secret;
    dispatch({ type: 'close' });
    safely(store, () => controller.setVar(p.name, value));
    // The value is in memory either way; a failed save is a flash message, the run goes on.
    if (save) safely(store, () => controller.saveVar(p.name, value), (file) => flash(store, 'info', `${p.name} saved for next time in ${file}`, 'edit or delete that file to forget it'));
    answerPrompt(store, p.id, value);
    return;
  }
  if (context === 'quit') {
    dispatch({ type: 'close' });
    return abortThenQuit(d);
  }
  if (o?.kind === 'picker') {
    if (o.chosen.length === 0) return flash(store, 'warn', 'choose at least one host', 'Space toggles the host under the cursor, a selects all');
    setHostFilter(store, o.chosen.length === o.hosts.length ? undefined : o.chosen);
    return dispatch({ type: 'close' });
  }
  if (o?.kind === 'confirm') {
    dispatch({ type: 'close' });
    return executeRun(d, o.run, true);
  }
  if (o?.kind === 'danger') {
    dispatch({ type: 'close' });
    return recordPlan(d, o.plan);
  }
}

function cancelDialog(d: CommandDeps, context: KeyContext): void {
  const { store, dispatch } = d;
  if (context === 'input') return dispatch({ type: 'inputClose' });
  if (context === 'var') {
    const p = store.getState().prompts[0];
    dispatch({ type: 'close' });
    if (p?.kind === 'var') answerPrompt(store, p.id, undefined);
    return;
  }
  if (context === 'resume') return dispatch({ type: 'dismissResume' });
  const o = d.ui().overlay;
  dispatch({ type: 'close' });
  if (o?.kind === 'confirm' && o.run.kind === 'play') flash(store, 'info', `stopped before ${o.run.stepId}`);
  if (o?.kind === 'danger') flash(store, 'info', 'nothing recorded');
}
