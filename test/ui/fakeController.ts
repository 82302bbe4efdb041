// A scripted PlayerController for UI tests: it records every call and plays its effects into the
// run store with the store actions, the way the real engine does.
import type { Host, HostStatus } from '../../src/engine/types.js';
import type { PlayerController, PlayStop, RenderedStep, RunStepOptions, StepOutcome } from '../../src/engine/run/types.js';
import { appendLive, setMode, setRecord, type RunStore } from '../../src/engine/store.js';

export type Call =
  | { readonly fn: 'runStep'; readonly stepId: string; readonly opts?: RunStepOptions }
  | { readonly fn: 'play'; readonly opts?: unknown }
  | { readonly fn: 'pause' | 'abort' | 'close' | 'missingVars' }
  | { readonly fn: 'skip'; readonly stepId: string; readonly hosts?: readonly string[] }
  | { readonly fn: 'markDone'; readonly stepId: string; readonly host: string }
  | { readonly fn: 'reset'; readonly stepId?: string; readonly host?: string }
  | { readonly fn: 'setVar' | 'saveVar'; readonly name: string; readonly value: string };

export interface FakeScript {
  /** Exit status per step and host (default 'ok'). */
  readonly outcome?: Readonly<Record<string, Readonly<Record<string, 'ok' | 'failed'>>>>;
  /** Keep runStep running until release() or abort(). */
  readonly hold?: boolean;
  /** What play() resolves with (default: runs nothing and returns end). */
  readonly playStop?: PlayStop;
  /** Make this method throw an error with a hint. */
  readonly throwOn?: 'runStep' | 'skip' | 'markDone';
  /** What previousText(stepId) answers: the step's text when its records were made. */
  readonly previousText?: Readonly<Record<string, string>>;
}

export interface FakeController extends PlayerController {
  readonly calls: Call[];
  /** Finish a held runStep. */
  release(): void;
}

export function createFakeController(store: RunStore, script: FakeScript = {}): FakeController {
  const calls: Call[] = [];
  let releaseHeld: (() => void) | undefined;
  let aborted = false;
  const hostsOf = (): Host[] => {
    const { inventory, hostFilter } = store.getState();
    return inventory.hosts.filter((h) => !hostFilter || hostFilter.includes(h.name));
  };
  const hashOf = (stepId: string): string => store.getState().runbook.steps.find((s) => s.id === stepId)?.hash ?? '';
  const fail = (what: string): never => {
    const e = new Error(`${what} failed: state file is locked`) as Error & { hint: string };
    e.hint = 'close the other player';
    throw e;
  };

  const controller: FakeController = {
    calls,
    release: () => releaseHeld?.(),
    targets: () => hostsOf(),
    render(stepId, host): RenderedStep {
      const step = store.getState().runbook.steps.find((s) => s.id === stepId);
      return { ok: true, host, script: `${step?.body ?? ''} # on ${host}` };
    },
    async runStep(stepId, opts) {
      calls.push({ fn: 'runStep', stepId, opts });
      if (script.throwOn === 'runStep') fail('runStep');
      const hosts = opts?.hosts ?? hostsOf().map((h) => h.name);
      aborted = false;
      setMode(store, 'running', stepId);
      for (const h of hosts) {
        setRecord(store, stepId, h, { status: 'running', attempts: 1, hash: hashOf(stepId), startedAt: new Date(0).toISOString() });
        appendLive(store, stepId, h, `starting on ${h}\n`);
      }
      if (script.hold) await new Promise<void>((resolve) => { releaseHeld = resolve; });
      const result: Record<string, HostStatus> = {};
      for (const h of hosts) {
        const status: HostStatus = aborted ? 'failed' : (script.outcome?.[stepId]?.[h] ?? 'ok');
        result[h] = status;
        setRecord(store, stepId, h, { status, attempts: 1, hash: hashOf(stepId), exitCode: status === 'ok' ? 0 : 1, startedAt: new Date(0).toISOString(), endedAt: new Date(1500).toISOString(), log: `logs/${stepId}-${h}.log` });
      }
      setMode(store, 'idle');
      const failed = Object.values(result).includes('failed');
      const outcome: StepOutcome = { stepId, hosts: result, failed, aborted };
      return outcome;
    },
    async play(opts) {
      calls.push({ fn: 'play', opts });
      return script.playStop ?? { kind: 'end' };
    },
    pause: () => { calls.push({ fn: 'pause' }); },
    abort: () => {
      calls.push({ fn: 'abort' });
      aborted = true;
      releaseHeld?.();
    },
    async skip(stepId, hosts) {
      calls.push({ fn: 'skip', stepId, hosts });
      if (script.throwOn === 'skip') fail('skip');
      for (const h of hosts ?? hostsOf().map((x) => x.name)) setRecord(store, stepId, h, { status: 'skipped', attempts: 0, hash: hashOf(stepId) });
    },
    async markDone(stepId, host) {
      calls.push({ fn: 'markDone', stepId, host });
      if (script.throwOn === 'markDone') fail('markDone');
      setRecord(store, stepId, host, { status: 'done-manual', attempts: 0, hash: hashOf(stepId) });
    },
    async reset(stepId, host) { calls.push({ fn: 'reset', stepId, host }); },
    setVar: (name, value) => { calls.push({ fn: 'setVar', name, value }); },
    async saveVar(name, value) { calls.push({ fn: 'saveVar', name, value }); return '/state/book.vars.yaml'; },
    missingVars: () => [],
    previousText: (stepId) => script.previousText?.[stepId],
    async close() { calls.push({ fn: 'close' }); },
  };
  return controller;
}
