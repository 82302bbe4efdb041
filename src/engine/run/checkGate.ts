// A player on screen before its checks have passed (`play` shows the runbook while the preflight
// runs and the state is opened for writing): a command that would run a step or write a record
// (run, play, skip, mark done, reset) waits for the checks, saying so, and goes to the controller
// over the state opened for writing once they pass; when they fail or the player quits first, it
// is refused and nothing runs. Reading (targets, render, missing variables, previous text),
// pause/abort and setting variables work at once.
import { StepFailedError } from '../errors.js';
import { flash, type RunStore } from '../store.js';
import type { PlayerController } from './types.js';

export interface GatedController<C extends PlayerController> {
  readonly controller: C;
  /**
   * Every check passed: waiting commands and every later one go to `next` (the controller over
   * the state opened for writing), which gets the variables set meanwhile first. The one it
   * replaces is dropped unclosed: it ran nothing and holds only a read-only view of the state.
   */
  open(next: C): void;
  /** A check failed: waiting commands are refused with `err`, and so is every later one. */
  fail(err: unknown): void;
  /** Aborted once close() is called on the controller (the player quit): checks still running stop. */
  readonly signal: AbortSignal;
}

/**
 * A controller that answers reads with `first` (over a read-only view of the state) and holds
 * runStep, play, skip, markDone and reset until open(). The store's `checking` says what is still
 * being checked; a held command says it waits for it.
 */
export function gateController<C extends PlayerController>(first: C, store: RunStore): GatedController<C> {
  let inner = first;
  let isOpen = false;
  const closed = new AbortController();
  const varsSet = new Map<string, string>();
  let release!: (c: C) => void;
  let refuse!: (e: unknown) => void;
  const ready = new Promise<C>((resolve, reject) => {
    release = resolve;
    refuse = reject;
  });
  ready.catch(() => undefined); // each waiting command gets the refusal itself
  const afterChecks = <R>(what: string, fn: (c: C) => Promise<R>): Promise<R> => {
    if (isOpen) return fn(inner);
    const checking = store.getState().checking;
    flash(store, 'info', `checks still running${checking ? ` (${checking})` : ''}: ${what} once they pass`);
    return ready.then(fn);
  };
  const controller = {
    targets: (stepId) => inner.targets(stepId),
    render: (stepId, host) => inner.render(stepId, host),
    runStep: (stepId, o) => afterChecks(`\`${stepId}\` runs`, (c) => c.runStep(stepId, o)),
    play: (o) => afterChecks('the play starts', (c) => c.play(o)),
    pause: () => inner.pause(),
    abort: () => inner.abort(),
    skip: (stepId, hosts) => afterChecks(`\`${stepId}\` is recorded skipped`, (c) => c.skip(stepId, hosts)),
    markDone: (stepId, host) => afterChecks(`\`${stepId}\` is recorded done on ${host}`, (c) => c.markDone(stepId, host)),
    reset: (stepId, host) => afterChecks('the reset is recorded', (c) => c.reset(stepId, host)),
    setVar(name, value) {
      if (!isOpen) varsSet.set(name, value);
      inner.setVar(name, value);
    },
    async saveVar(name, value) {
      const file = await inner.saveVar(name, value);
      if (!isOpen) varsSet.set(name, value);
      return file;
    },
    missingVars: () => inner.missingVars(),
    previousText: (stepId) => inner.previousText(stepId),
    close: () => {
      closed.abort();
      refuse(new StepFailedError('the player was closed before its checks finished: nothing was run or recorded'));
      return inner.close();
    },
  } as PlayerController as C;
  return {
    controller,
    open(next) {
      if (closed.signal.aborted) return;
      for (const [name, value] of varsSet) next.setVar(name, value);
      inner = next;
      isOpen = true;
      release(next);
    },
    fail: (err) => refuse(err),
    signal: closed.signal,
  };
}
