// The engine's controller: runs steps across hosts, records every transition durably, and
// publishes live state to the RunStore. Driven by the headless CLI and by the Ink player alike.
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { BadInputError, BugError, describeError, StateError, StepFailedError } from '../errors.js';
import type { StateHandle } from '../state/stateFile.js';
import type { resolveStatePaths } from '../state/paths.js';
import { saveVar as saveVarToFile } from '../state/varsFile.js';
import { manualRecord, type ManualStatus } from '../state/manual.js';
import { isSecretName } from '../secrets.js';
import {
  appendLiveMany,
  clearLive,
  setCapture,
  setMode,
  setRecord,
  TAIL_LINES,
  type RunStore,
} from '../store.js';
import type { Transport } from '../transport/types.js';
import { isDone, isFailure, type Host, type HostStatus, type HostStepRecord, type Inventory, type Runbook, type Step } from '../types.js';
import { maskEvent, maskRecord, type PlayerEventListener } from './events.js';
import { runStepOnHost } from './hostRun.js';
import { RecentText } from './recentText.js';
import { forEachLimit } from './limit.js';
import { olderHashes } from '../lineDiff.js';
import { capturePlaceholder, RenderContext, type RealRender } from './renderContext.js';
import type { PlayStop, PlayerController, RenderedStep, RunStepOptions, StepOutcome, ToleratedFailure } from './types.js';

export interface PlayerOptions {
  readonly runbook: Runbook;
  readonly inventory: Inventory;
  readonly transport: Transport;
  readonly state: StateHandle;
  readonly paths: ReturnType<typeof resolveStatePaths>;
  readonly store: RunStore;
  readonly cliVars?: Readonly<Record<string, string>>;
  /** Hosts in flight at once per step (default 50). */
  readonly forks?: number;
  readonly onEvent?: PlayerEventListener;
  /** Each host's output as it arrives, secrets already masked (`run --follow`). */
  readonly onOutput?: (stepId: string, host: string, text: string) => void;
  /** How often live output is pushed into the store (ms, default 50). */
  readonly liveIntervalMs?: number;
}

export interface PlayOptions {
  readonly fromStepId?: string;
  readonly yes?: boolean;
  readonly retryInterrupted?: boolean;
  /** Only these step ids (headless --only). */
  readonly only?: readonly string[];
  /** Run even where state says done (headless --force). */
  readonly force?: boolean;
}

/** How long close() waits for an aborted step to kill its remote processes and record its hosts. */
const CLOSE_SETTLE_MS = 15_000;

export function createPlayer(opts: PlayerOptions): PlayerController & { play(o?: PlayOptions): Promise<PlayStop> } {
  const { runbook, inventory, transport, state, paths, store } = opts;
  const forks = opts.forks ?? 50;
  const ctx = new RenderContext(runbook, inventory, opts.cliVars ?? {});
  // Every event and every record leaves the engine through the masker: their messages and lines
  // may quote rendered text (a failed verify= command, an error naming a value).
  const listener: PlayerEventListener = opts.onEvent ?? (() => {});
  const emit: PlayerEventListener = (e) => listener(maskEvent(e, ctx.masker()));
  const steps = new Map(runbook.steps.map((s) => [s.id, s] as const));
  let current: AbortController | undefined;
  /** Settles when the running step (if any) has recorded every host. */
  let inflight: Promise<void> | undefined;
  let pauseRequested = false;
  let closed = false;

  const step = (id: string): Step => {
    const s = steps.get(id);
    if (!s) throw new BadInputError(`no step with id \`${id}\` in ${runbook.title}`, { hint: 'list the step ids with `runbook plan PATH`' });
    return s;
  };

  // Captured values survive restarts through the state file (secret ones do not: memory only).
  for (const c of ctx.restoreCaptures(state.snapshot())) setCapture(store, c.host, c.name, c.value);

  const filtered = (hosts: Host[]): Host[] => {
    const filter = store.getState().hostFilter;
    return filter ? hosts.filter((h) => filter.includes(h.name)) : hosts;
  };

  const targets = (stepId: string): readonly Host[] => filtered(ctx.stepHosts(step(stepId)));

  const record = async (stepId: string, host: string, rec: HostStepRecord, durable: boolean): Promise<void> => {
    if (state.failed) throw state.failed;
    // The step's text goes into the journal (once per hash, before its first record), so a later
    // edit of the runbook can show what ran next to what would run now.
    const s = steps.get(stepId);
    if (s && rec.hash === s.hash) state.noteStepText(stepId, s.hash, s.source);
    const masked = maskRecord(rec, ctx.masker());
    state.set(stepId, host, masked);
    setRecord(store, stepId, host, masked);
    if (durable) await state.flush();
  };

  // Live output is batched into the store so a chatty step cannot flood the UI. Per host, the text
  // since the last batch is kept as the chunks received (no copy per chunk), at most the last 64 KB;
  // the store is given only the part holding the lines it keeps (TAIL_LINES and the partial one).
  const livePending = new Map<string, { stepId: string; host: string; text: RecentText }>();
  let liveTimer: NodeJS.Timeout | undefined;
  const flushLive = (): void => {
    liveTimer = undefined;
    if (livePending.size) appendLiveMany(store, [...livePending.values()].map((p) => ({ stepId: p.stepId, host: p.host, text: p.text.fromLineBreak(TAIL_LINES + 1) })));
    livePending.clear();
  };
  const pushLive = (stepId: string, host: string, text: string): void => {
    const key = `${stepId}\u0000${host}`;
    let p = livePending.get(key);
    if (!p) livePending.set(key, (p = { stepId, host, text: new RecentText(65536) }));
    p.text.push(text);
    liveTimer ??= setTimeout(flushLive, opts.liveIntervalMs ?? 50);
  };

  async function runStep(stepId: string, o: RunStepOptions = {}): Promise<StepOutcome> {
    if (closed) throw new BugError('player is closed');
    if (current) throw new StepFailedError(`step \`${store.getState().currentStepId}\` is still running`, 'wait for it to finish, or abort it first');
    const s = step(stepId);
    if (s.attrs.confirm !== undefined && !o.confirmed) {
      throw new StepFailedError(`step \`${s.id}\` needs confirmation${s.attrs.confirm ? `: ${s.attrs.confirm}` : ''}`, 'confirm it in the player, or pass --yes to runbook run');
    }
    if (state.failed) throw state.failed;
    const all = targets(stepId);
    const chosen = o.hosts ? all.filter((h) => o.hosts!.includes(h.name)) : all;
    const snapshot = store.getState().records[stepId] ?? {};
    const todo = o.force || o.hosts ? chosen : chosen.filter((h) => !isDone(snapshot[h.name]?.status));
    const result: Record<string, HostStatus> = {};
    for (const h of chosen) if (snapshot[h.name]) result[h.name] = snapshot[h.name].status;
    if (todo.length === 0) {
      if (all.length === 0) emit({ type: 'warning', message: `step \`${stepId}\`: hosts=${s.hosts} matches no host${store.getState().hostFilter ? ' in the session host filter' : ''}` });
      return { stepId, hosts: result, failed: false, aborted: false };
    }

    const ac = new AbortController();
    // Every host's exec (and its timeout) listens on this one signal.
    setMaxListeners(Math.max(10, todo.length * 4), ac.signal);
    current = ac;
    let settle!: () => void;
    inflight = new Promise<void>((resolve) => (settle = resolve));
    const prevMode = store.getState().mode;
    setMode(store, prevMode === 'playing' || prevMode === 'pausing' ? prevMode : 'running', stepId);
    emit({ type: 'step-start', stepId, hosts: todo.map((h) => h.name) });
    const captureGlobal = ctx.stepHosts(s).length === 1;
    const held: string[] = [];
    try {
      const batchSize = s.attrs.serial ?? todo.length;
      for (let i = 0; i < todo.length && !ac.signal.aborted; i += batchSize) {
        const batch = todo.slice(i, i + batchSize);
        let batchFailed = false;
        await forEachLimit(batch, Math.min(forks, s.attrs.throttle ?? forks), async (h) => {
          clearLive(store, stepId, h.name);
          const res = await runStepOnHost(s, h, store.getState().records[stepId]?.[h.name], {
            transport,
            paths,
            ctx,
            signal: ac.signal,
            captureGlobal,
            record: (rec, { durable }) => record(stepId, h.name, rec, durable),
            onOutput: (text) => {
              pushLive(stepId, h.name, text);
              opts.onOutput?.(stepId, h.name, text);
            },
            onStart: (attempt) => emit({ type: 'host-start', stepId, host: h.name, attempt }),
            onNote: (text) => emit({ type: 'warning', message: `${h.name}: ${text}` }),
          });
          result[h.name] = res.status;
          if (res.held) held.push(h.name);
          if (isFailure(res.status)) batchFailed = true;
          const cap = store.getState().records[stepId]?.[h.name]?.captured;
          if (res.status === 'ok' && s.attrs.capture && cap) {
            const value = ctx.captures().byHost[h.name]?.[s.attrs.capture];
            if (value !== undefined) setCapture(store, h.name, s.attrs.capture, value);
          }
          emit({ type: 'host-end', stepId, host: h.name, status: res.status, exitCode: res.exitCode, durationMs: res.durationMs, message: res.message, lastLine: res.lastLine, log: res.log, ...(res.log ? { logFile: join(paths.dir, res.log) } : {}) });
        });
        // A rolling (serial) step stops rolling at the first failed batch.
        if (batchFailed && s.attrs.serial && !s.attrs.continueOnError) break;
      }
      // The final records are queued and written within AUTO_FLUSH_MS (set() schedules it), or with
      // the next step's 'running' records, whichever comes first. The next step does not wait for
      // them on their own: its 'running' records are flushed with or behind these, in journal order,
      // before its commands start; a failed write surfaces there and stops the run.
    } finally {
      if (liveTimer) clearTimeout(liveTimer);
      flushLive();
      current = undefined;
      settle();
      const m = store.getState().mode;
      setMode(store, m === 'running' ? 'idle' : m, stepId);
    }
    const failed = !s.attrs.continueOnError && Object.values(result).some(isFailure);
    emit({ type: 'step-end', stepId, failed });
    return { stepId, hosts: result, failed, aborted: ac.signal.aborted, ...(held.length ? { held } : {}) };
  }

  async function play(o: PlayOptions = {}): Promise<PlayStop> {
    pauseRequested = false;
    setMode(store, 'playing');
    const tolerated: ToleratedFailure[] = [];
    const stop = (stopped: PlayStop): PlayStop => {
      const st: PlayStop = tolerated.length ? { ...stopped, tolerated } : stopped;
      setMode(store, 'idle');
      emit({ type: 'play-stop', stop: st });
      return st;
    };
    let startIndex = 0;
    if (o.fromStepId) {
      step(o.fromStepId);
      startIndex = runbook.steps.findIndex((x) => x.id === o.fromStepId);
    }
    try {
      for (const s of runbook.steps.slice(startIndex)) {
        if (o.only?.length && !o.only.includes(s.id)) continue;
        const all = targets(s.id);
        const recs = store.getState().records[s.id] ?? {};
        const pending = o.force ? all : all.filter((h) => !isDone(recs[h.name]?.status));
        if (pending.length === 0) continue;
        if (pauseRequested) return stop({ kind: 'paused', stepId: s.id });
        const interrupted = pending.filter((h) => recs[h.name]?.status === 'interrupted').map((h) => h.name);
        if (interrupted.length && !o.retryInterrupted && s.attrs.unless === undefined) {
          return stop({ kind: 'interrupted', stepId: s.id, hosts: interrupted });
        }
        if (s.attrs.confirm !== undefined && !o.yes) return stop({ kind: 'confirm', stepId: s.id, reason: s.attrs.confirm });
        const out = await runStep(s.id, { confirmed: true, force: o.force, hosts: o.force ? pending.map((h) => h.name) : undefined });
        if (out.aborted) return stop({ kind: 'aborted', stepId: s.id });
        const notOk = Object.fromEntries(Object.entries(out.hosts).filter(([, st]) => !isDone(st)));
        // Not run again because its earlier attempt still runs there: stopped, as before an interrupted step.
        if (out.failed && out.held?.length && Object.keys(notOk).every((h) => out.held!.includes(h))) {
          return stop({ kind: 'interrupted', stepId: s.id, hosts: out.held, held: true });
        }
        if (out.failed) return stop({ kind: 'failed', stepId: s.id, hosts: notOk });
        if (Object.keys(notOk).length) tolerated.push({ stepId: s.id, hosts: notOk });
      }
      return stop({ kind: 'end' });
    } catch (e) {
      if (e instanceof StateError) return stop({ kind: 'state-error', message: e.message });
      setMode(store, 'idle');
      throw e;
    }
  }

  const markAll = async (stepId: string, hosts: readonly string[] | undefined, status: ManualStatus): Promise<void> => {
    const s = step(stepId);
    const names = hosts ?? targets(stepId).map((h) => h.name);
    for (const name of names) {
      const prev = store.getState().records[stepId]?.[name];
      await record(stepId, name, manualRecord(s, prev, status), false);
    }
    await state.flush();
  };

  return {
    targets,
    render(stepId: string, hostName: string): RenderedStep {
      try {
        const s = step(stepId);
        const host = ctx.stepHosts(s).find((h) => h.name === hostName) ?? inventory.hosts.find((h) => h.name === hostName);
        if (!host) return { ok: false, host: hostName, error: `host \`${hostName}\` is not in the inventory` };
        const mask = ctx.masker();
        const view = (r: RealRender, pending?: readonly string[]): RenderedStep => ({
          ok: true,
          host: hostName,
          script: mask(r.shown),
          unless: r.unless === undefined ? undefined : mask(r.unless),
          verify: r.verify === undefined ? undefined : mask(r.verify),
          fileContent: r.file ? mask(r.file.content) : undefined,
          ...(pending && { pending }),
        });
        try {
          return view(ctx.render(s, host));
        } catch (e) {
          // A value an earlier step has not captured yet: shown as plan shows it, placeholder in place.
          let preview: RealRender;
          try {
            preview = ctx.renderPreview(s, host);
          } catch {
            throw e;
          }
          const text = [preview.shown, preview.unless ?? '', preview.verify ?? '', preview.file?.path ?? ''].join('\n');
          const pending = runbook.steps.flatMap((c) => (c.attrs.capture ? [capturePlaceholder(c.attrs.capture, c.id)] : [])).filter((p) => text.includes(p));
          if (pending.length === 0) throw e;
          return view(preview, pending);
        }
      } catch (e) {
        return { ok: false, host: hostName, error: describeError(e) };
      }
    },
    runStep,
    play,
    pause() {
      pauseRequested = true;
      if (store.getState().mode === 'playing') setMode(store, 'pausing');
    },
    abort() {
      pauseRequested = true;
      current?.abort();
    },
    skip: (stepId, hosts) => markAll(stepId, hosts, 'skipped'),
    markDone: (stepId, host) => markAll(stepId, [host], 'done-manual'),
    async reset(stepId?: string, host?: string) {
      state.reset(stepId, host);
      await state.flush();
      store.setState({ records: state.snapshot() });
    },
    setVar(name, value) {
      ctx.setVar(name, value);
    },
    async saveVar(name, value) {
      if (isSecretName(name)) throw new BadInputError(`${name} looks secret: secrets are kept in memory only, never saved`);
      ctx.setVar(name, value);
      await saveVarToFile(paths.varsFile, name, value);
      return paths.varsFile;
    },
    missingVars: () => ctx.missingVars(runbook.steps),
    previousText(stepId: string): string | undefined {
      const s = steps.get(stepId);
      if (!s) return undefined;
      for (const hash of olderHashes(Object.values(store.getState().records[stepId] ?? {}), s.hash)) {
        const text = state.stepText(stepId, hash);
        if (text !== undefined) return ctx.masker()(text);
      }
      return undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Quitting (q, Ctrl-C twice, SIGTERM) while a step runs: abort it and wait, bounded, until its
      // remote processes are killed and its hosts recorded, before the connections and the state close.
      if (current) {
        current.abort();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([inflight, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_SETTLE_MS)))]);
        clearTimeout(timer);
      }
      if (liveTimer) clearTimeout(liveTimer);
      await transport.close();
      await state.close();
    },
  };
}
