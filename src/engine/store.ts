// The engine's live state: a zustand vanilla store. The TUI reads it with useStore(store, selector);
// the headless CLI subscribes to it. Actions are plain functions below (no methods in the state).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HostStepRecord, Inventory, Runbook } from './types.js';

export type PlayerMode = 'idle' | 'running' | 'playing' | 'pausing';

/** Bounded live output of one host for one step (the full output is in the log file). */
export interface LiveOutput {
  /** Last complete lines (at most TAIL_LINES), secrets already masked. */
  readonly tail: readonly string[];
  /** Incomplete trailing line, if any. */
  readonly partial: string;
  readonly bytes: number;
}

export interface FlashMessage {
  readonly id: number;
  readonly level: 'info' | 'warn' | 'error';
  readonly text: string;
  readonly hint?: string;
}

export interface RunStoreState {
  readonly runbook: Runbook;
  readonly inventory: Inventory;
  /** stepId -> host name -> record (mirror of the state file, plus in-flight 'running'). */
  readonly records: Readonly<Record<string, Readonly<Record<string, HostStepRecord>>>>;
  /** `${stepId}\u0000${host}` -> live output. */
  readonly live: Readonly<Record<string, LiveOutput>>;
  readonly mode: PlayerMode;
  /** Step currently running (or last run). */
  readonly currentStepId?: string;
  /** Session host filter (names); undefined = all hosts. */
  readonly hostFilter?: readonly string[];
  /**
   * Every (step, host) the state held as 'interrupted' when it was loaded, in runbook order: the
   * ones this open found 'running' (a crash) and the ones an earlier command already marked
   * (`status`, `run`, or a player quit with the banner unanswered). The player's resume banner.
   */
  readonly interruptedOnLoad: readonly { stepId: string; host: string }[];
  readonly messages: readonly FlashMessage[];
  /** Captured values by host: host -> name -> value (secrets included, memory only). */
  readonly captures: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Questions the engine is waiting on (answered by the TUI; the headless CLI never asks). */
  readonly prompts: readonly PromptRequest[];
  /**
   * The checks that must pass before any step runs, while they run after the player is on screen
   * (`play`: the preflight of every step for every host), as the status line shows them
   * ("preflight 120/500 steps"); undefined when none is running. No step runs while it is set.
   */
  readonly checking?: string;
}

/** A question from the engine to the operator. Plain data; the resolver lives outside the state. */
export type PromptRequest =
  | { readonly id: number; readonly kind: 'host-key'; readonly host: string; readonly address: string; readonly port: number; readonly keyType: string; readonly fingerprint: string }
  | { readonly id: number; readonly kind: 'var'; readonly name: string; readonly secret: boolean };

export type RunStore = StoreApi<RunStoreState>;

export const TAIL_LINES = 200;

export function liveKey(stepId: string, host: string): string {
  return `${stepId}\u0000${host}`;
}

export function createRunStore(init: {
  runbook: Runbook;
  inventory: Inventory;
  records?: RunStoreState['records'];
  interruptedOnLoad?: RunStoreState['interruptedOnLoad'];
}): RunStore {
  return createStore<RunStoreState>()(() => ({
    runbook: init.runbook,
    inventory: init.inventory,
    records: init.records ?? {},
    live: {},
    mode: 'idle',
    hostFilter: undefined,
    interruptedOnLoad: interruptedCells(init.runbook, init.records ?? {}, init.interruptedOnLoad ?? []),
    messages: [],
    captures: {},
    prompts: [],
  }));
}

/** The interrupted cells of `records` (steps of the runbook, in its order), plus any `extra` not among them. */
function interruptedCells(runbook: Runbook, records: RunStoreState['records'], extra: RunStoreState['interruptedOnLoad']): { stepId: string; host: string }[] {
  const out: { stepId: string; host: string }[] = [];
  const seen = new Set<string>();
  for (const step of runbook.steps) {
    for (const [host, rec] of Object.entries(records[step.id] ?? {})) {
      if (rec.status !== 'interrupted') continue;
      out.push({ stepId: step.id, host });
      seen.add(liveKey(step.id, host));
    }
  }
  for (const x of extra) if (!seen.has(liveKey(x.stepId, x.host))) out.push({ stepId: x.stepId, host: x.host });
  return out;
}

// ------------------------------------------------------------------ actions

export function setRecord(store: RunStore, stepId: string, host: string, rec: HostStepRecord): void {
  store.setState((s) => ({
    records: { ...s.records, [stepId]: { ...s.records[stepId], [host]: rec } },
  }));
}

export function setMode(store: RunStore, mode: PlayerMode, currentStepId?: string): void {
  store.setState((s) => ({ mode, currentStepId: currentStepId ?? s.currentStepId }));
}

/**
 * Replace the records with what the state file holds now (play: its write-open after the checks,
 * which may have marked steps interrupted or found records another command wrote since the
 * player's first frame), and the interrupted cells with those of these records plus `interrupted`.
 */
export function loadRecords(store: RunStore, records: RunStoreState['records'], interrupted: RunStoreState['interruptedOnLoad']): void {
  store.setState((s) => ({ records, interruptedOnLoad: interruptedCells(s.runbook, records, interrupted) }));
}

/** What is still being checked before steps may run (see RunStoreState.checking); undefined: done. */
export function setChecking(store: RunStore, checking: string | undefined): void {
  if (store.getState().checking !== checking) store.setState({ checking });
}

export function setHostFilter(store: RunStore, hosts: readonly string[] | undefined): void {
  store.setState({ hostFilter: hosts });
}

export function setCapture(store: RunStore, host: string, name: string, value: string): void {
  store.setState((s) => ({ captures: { ...s.captures, [host]: { ...s.captures[host], [name]: value } } }));
}

export function clearLive(store: RunStore, stepId: string, host: string): void {
  const key = liveKey(stepId, host);
  store.setState((s) => {
    if (!(key in s.live)) return s; // nothing to clear: no copy of every host's tail, no update
    const live = { ...s.live };
    delete live[key];
    return { live };
  });
}

/** Append already-masked text to a host's live tail, keeping at most TAIL_LINES lines. */
export function appendLive(store: RunStore, stepId: string, host: string, text: string): void {
  appendLiveMany(store, [{ stepId, host, text }]);
}

/**
 * appendLive for several hosts in one store update: the live map holds a tail per step and host
 * (5000 at 100 hosts x 50 steps), so copying it once per host was most of a big run's CPU.
 */
export function appendLiveMany(store: RunStore, entries: Iterable<{ readonly stepId: string; readonly host: string; readonly text: string }>): void {
  store.setState((s) => {
    let live: Record<string, LiveOutput> | undefined;
    for (const { stepId, host, text } of entries) {
      const key = liveKey(stepId, host);
      live ??= { ...s.live };
      const prev = live[key] ?? { tail: [], partial: '', bytes: 0 };
      // Only the last TAIL_LINES lines are kept: a chunk holding more replaces the tail, and only its
      // end is split (a 64 KB chunk of short lines was split whole, 30 hosts 20 times a second).
      const cut = lineBreakFromEnd(text, TAIL_LINES + 1);
      const parts = (cut < 0 ? prev.partial + text : text.slice(cut + 1)).split(/\r?\n/);
      const partial = parts.pop() ?? '';
      const tail = cut >= 0 ? parts : parts.length === 0 ? prev.tail : [...prev.tail, ...parts].slice(-TAIL_LINES);
      live[key] = { tail, partial: partial.slice(-4096), bytes: prev.bytes + Buffer.byteLength(text) };
    }
    return live ? { live } : s;
  });
}

/** Index of the n-th '\n' of `text` counted from its end, or -1 when it holds fewer. */
function lineBreakFromEnd(text: string, n: number): number {
  let i = text.length;
  for (let k = 0; k < n; k++) {
    i = i === 0 ? -1 : text.lastIndexOf('\n', i - 1);
    if (i < 0) return -1;
  }
  return i;
}

let flashSeq = 0;
export function flash(store: RunStore, level: FlashMessage['level'], text: string, hint?: string): void {
  const msg: FlashMessage = { id: ++flashSeq, level, text, hint };
  store.setState((s) => ({ messages: [...s.messages, msg].slice(-20) }));
}

export function dismissMessage(store: RunStore, id: number): void {
  store.setState((s) => ({ messages: s.messages.filter((m) => m.id !== id) }));
}

const promptResolvers = new WeakMap<RunStore, Map<number, (answer: unknown) => void>>();
let promptSeq = 0;

/**
 * Ask the operator something; resolves with the answer given through answerPrompt. `withdraw`: once
 * its signal aborts (nobody needs the answer any more), the question leaves the screen and resolves
 * with `answer`.
 */
export function requestPrompt<T>(store: RunStore, req: DistributiveOmit<PromptRequest, 'id'>, withdraw?: { readonly signal: AbortSignal; readonly answer: T }): Promise<T> {
  const id = ++promptSeq;
  let resolvers = promptResolvers.get(store);
  if (!resolvers) promptResolvers.set(store, (resolvers = new Map()));
  const map = resolvers;
  if (withdraw?.signal.aborted) return Promise.resolve(withdraw.answer);
  return new Promise<T>((resolve) => {
    const onWithdraw = (): void => answerPrompt(store, id, withdraw!.answer);
    map.set(id, (answer: unknown) => {
      withdraw?.signal.removeEventListener('abort', onWithdraw);
      resolve(answer as T);
    });
    withdraw?.signal.addEventListener('abort', onWithdraw, { once: true });
    store.setState((s) => ({ prompts: [...s.prompts, { ...req, id } as PromptRequest] }));
  });
}

export function answerPrompt(store: RunStore, id: number, answer: unknown): void {
  const resolve = promptResolvers.get(store)?.get(id);
  promptResolvers.get(store)?.delete(id);
  store.setState((s) => ({ prompts: s.prompts.filter((p) => p.id !== id) }));
  resolve?.(answer);
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
