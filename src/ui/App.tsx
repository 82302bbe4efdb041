// Layout and input wiring only: state derivations live in selectors.ts / hostView.ts / outline.ts,
// UI state in uiState.ts, what keys do in commands.ts and viewCommands.ts, which keys exist in keymap.ts.
import React, { useEffect, useMemo, useReducer, useRef } from 'react';
import { Box, useStdout, type Key } from 'ink';
import { useStore } from 'zustand';
import { dismissMessage, liveKey, type RunStore } from '../engine/store.js';
import type { PlayerController } from '../engine/run/types.js';
import type { Step } from '../engine/types.js';
import { isTextContext, resolveCommand } from './keymap.js';
import { activeContext } from './activeContext.js';
import { pendingInterrupted, runCommand, type CommandDeps } from './commands.js';
import { firstNotDoneIndex, hostRows, progress, stepBadge, stepLabel } from './selectors.js';
import { selectedHostIndex, visibleHostRows } from './hostView.js';
import { stepsRows } from './outline.js';
import { initialUiState, uiReducer, type UiAction } from './uiState.js';
import { useFlashExpiry, useRunClock, useTerminalSize, useThrottledStore } from './hooks.js';
import { hostKeysAwaited } from './hostKeyWaiting.js';
import { useKeyboard } from './useKeyboard.js';
import { ThemeProvider, themeFromEnv, type Theme } from './theme.js';
import { StatusLine } from './components/StatusLine.js';
import { Footer } from './components/Footer.js';
import { MainView } from './components/MainView.js';
import { docLines } from './components/DocPane.js';
import { Overlays } from './components/Overlays.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { countProblems, eta, sectionProgress } from './progressView.js';
import { installFastOutput } from './inkOutput.js';

// Every frame of the player, in the CLI, the benches and the tests alike, is built by the frame
// builder that keeps unchanged lines and rows between frames (inkOutput.ts: same output as Ink's).
installFastOutput();

/** A secret variable is never saved: its prompt offers no "save for next time". */
const SECRET_VAR_OMIT = ['var.save'] as const;

/** How often live output may re-render the player: keys never wait behind it. */
const LIVE_MS = 250;

export interface AppProps {
  readonly store: RunStore;
  readonly controller: PlayerController;
  /** Directory of the state file (record log paths are relative to it). */
  readonly stateDir: string;
  /** The `w` key: write a report of the session; resolves with the files written. */
  readonly writeReport?: () => Promise<readonly string[]>;
  /** The operator quit (Ctrl-C twice, q, or q then confirm while running). */
  readonly onQuit: () => void;
  /** Open a file in $PAGER with the player suspended (startPlayer provides it on a terminal). */
  readonly onPager?: (file: string) => void;
  readonly width?: number;
  readonly height?: number;
  readonly theme?: Theme;
  readonly now?: () => number;
}

export function App(props: AppProps): React.JSX.Element {
  const { store, controller } = props;
  const term = useTerminalSize();
  const { stdout } = useStdout();
  const width = props.width ?? term.columns;
  // One row short of the terminal: a frame as tall as the screen makes Ink clear it on every update.
  const height = props.height ?? Math.max(8, term.rows - 1);
  const theme = useMemo(() => props.theme ?? themeFromEnv(), [props.theme]);
  const now = props.now ?? Date.now;

  const runbook = useStore(store, (s) => s.runbook);
  // Records change a few times per host and step: at once. Live output changes per chunk: throttled.
  const records = useStore(store, (s) => s.records);
  // Only the selected step's output is on screen (its hosts' last lines and the selected host's
  // tail): output of a step the operator is not looking at renders nothing.
  const liveShown = useRef<{ readonly stepId: string; readonly hosts: readonly string[] } | undefined>(undefined);
  const liveThrottled = useThrottledStore(store, (s) => s.live, LIVE_MS, (prev, next) => {
    const on = liveShown.current;
    if (!on) return true;
    return on.hosts.some((h) => prev[liveKey(on.stepId, h)] !== next[liveKey(on.stepId, h)]);
  });
  const mode = useStore(store, (s) => s.mode);
  const currentStepId = useStore(store, (s) => s.currentStepId);
  const hostFilter = useStore(store, (s) => s.hostFilter);
  const messages = useStore(store, (s) => s.messages);
  const prompts = useStore(store, (s) => s.prompts);
  const checking = useStore(store, (s) => s.checking);
  useStore(store, (s) => s.interruptedOnLoad);
  // Once nothing runs, the last output is shown as it is (the throttle only batches a running step's output).
  const live = mode === 'idle' ? store.getState().live : liveThrottled;

  const targetsOf = useMemo(() => {
    const cache = new Map<string, readonly string[]>();
    return (stepId: string): readonly string[] => {
      let t = cache.get(stepId);
      if (!t) {
        try { t = controller.targets(stepId).map((h) => h.name); } catch { t = []; }
        cache.set(stepId, t);
      }
      return t;
    };
  }, [controller, hostFilter]);

  const [ui, dispatch] = useReducer(uiReducer, undefined, () =>
    initialUiState(runbook.steps.length, firstNotDoneIndex(runbook.steps, store.getState().records, targetsOf)));
  const uiRef = useRef(ui);
  uiRef.current = ui;

  // Follow the running step while playing.
  useEffect(() => {
    if (mode === 'idle' || !currentStepId) return;
    dispatch({ type: 'select', index: runbook.steps.findIndex((s) => s.id === currentStepId) });
  }, [mode, currentStepId, runbook]);

  const message = messages[messages.length - 1];
  useFlashExpiry(store, message);
  // Waiting on the operator's answer about host keys with nothing of the step running: not running time.
  const awaiting = hostKeysAwaited({ prompts, records, mode, currentStepId });
  const runMs = useRunClock(mode !== 'idle' && awaiting === undefined, now);

  const mainHeight = Math.max(6, height - 2);
  const interrupted = pendingInterrupted(store);
  const context = activeContext(ui, prompts, interrupted.length);

  const rows = useMemo(() => stepsRows(runbook.sections, runbook.steps, ui.folded), [runbook, ui.folded]);
  const step = runbook.steps[ui.selected];
  const stepHosts = step ? targetsOf(step.id) : [];
  liveShown.current = step ? { stepId: step.id, hosts: stepHosts } : undefined;
  const allHosts = step ? hostRows({ records, live }, step.id, stepHosts, now()) : [];
  const shownHosts = visibleHostRows(allHosts, ui);
  const hostIndex = selectedHostIndex(shownHosts.map((r) => r.host), ui);
  const host = shownHosts[hostIndex]?.host;
  const prog = useMemo(() => progress(runbook.steps, records, targetsOf), [runbook, records, targetsOf]);
  // Badges and section progress, each computed once per version of the records (a key that moves
  // the selection reuses them), and stable functions so the steps pane skips live-output renders.
  const badgeFor = useMemo(() => memoize((s: Step) => s, (s) => stepBadge(s, records, targetsOf(s.id))), [records, targetsOf]);
  const progressOf = useMemo(() => memoize((idx: readonly number[]) => idx, (idx) => sectionProgress(idx, runbook.steps, records, targetsOf)), [runbook, records, targetsOf]);
  const startDone = useRef(prog.stepsDone);

  // Filled by the components as they render: scroll limits and the text search looks through.
  const scrollMax = useRef<number>(0) as { current: number; page?: number };
  const docScrollMax = useRef(0);
  const logLines = useRef<readonly string[]>([]);

  // Reducer updates are mirrored into uiRef at once, so several keys arriving in one chunk
  // ("js" typed fast, or sent by a terminal multiplexer) each see the state the previous one left.
  const dispatchNow = (a: UiAction): void => {
    uiRef.current = uiReducer(uiRef.current, a);
    dispatch(a);
  };
  const visibleHosts = (stepId: string): readonly string[] => {
    const rs = hostRows({ records: store.getState().records, live: {} }, stepId, targetsOf(stepId), now());
    return visibleHostRows(rs, uiRef.current).map((r) => r.host);
  };
  const deps: CommandDeps = {
    store, controller, ui: () => uiRef.current, dispatch: dispatchNow, targetsOf, quit: props.onQuit, pageSize: Math.max(1, mainHeight - 4),
    dialogPage: () => scrollMax.page,
    visibleHosts,
    selectedHostName: () => {
      const s = store.getState().runbook.steps[uiRef.current.selected];
      if (!s) return undefined;
      const vis = visibleHosts(s.id);
      return vis[selectedHostIndex(vis, uiRef.current)];
    },
    rows: () => stepsRows(runbook.sections, runbook.steps, uiRef.current.folded),
    scrollMax: () => (uiRef.current.overlay || store.getState().prompts[0]?.kind === 'host-key' ? scrollMax.current : docScrollMax.current),
    docLines: () => {
      const u = uiRef.current;
      const s = store.getState().runbook.steps[u.selected];
      const h = deps.selectedHostName();
      const r = s && h ? controller.render(s.id, h) : undefined;
      return docLines(theme, s, s ? runbook.sections[s.sectionIndex]?.markdown ?? '' : '', r, Math.max(10, width - Math.min(48, Math.max(24, Math.floor(width * 0.4))) - 2)).map((l) => l.text);
    },
    logLines: () => logLines.current,
    stateDir: props.stateDir,
    pager: props.onPager,
    terminal: stdout.isTTY ? (data) => stdout.write(data) : undefined,
    writeReport: props.writeReport,
  };

  const handleKey = (input: string, key: Key): void => {
    const ctx = activeContext(uiRef.current, store.getState().prompts, pendingInterrupted(store).length);
    const last = store.getState().messages.at(-1);
    if (last?.level === 'error') dismissMessage(store, last.id);
    const id = resolveCommand(ctx, input, key);
    if (id !== 'step.abort' && uiRef.current.ctrlCArmed) dispatchNow({ type: 'armCtrlC', armed: false });
    if (id) return runCommand(deps, id, ctx);
    if (ctx === 'var') {
      const v = uiRef.current.varInput;
      if (key.backspace || key.delete) dispatchNow({ type: 'varInput', value: v.slice(0, -1) });
      else if (input && !key.ctrl && !key.meta) dispatchNow({ type: 'varInput', value: v + input });
    } else if (ctx === 'input') {
      const v = uiRef.current.input?.value ?? '';
      if (key.backspace || key.delete) dispatchNow({ type: 'inputValue', value: v.slice(0, -1) });
      else if (input && !key.ctrl && !key.meta) dispatchNow({ type: 'inputValue', value: v + input });
    }
  };
  useKeyboard(() => isTextContext(activeContext(uiRef.current, store.getState().prompts, pendingInterrupted(store).length)), handleKey);

  const liveTail = step && host ? live[liveKey(step.id, host)] : undefined;
  const tail = liveTail ? (liveTail.partial ? [...liveTail.tail, liveTail.partial] : liveTail.tail) : [];
  const problems = prog.hostStepsTotal > 0 ? countProblems(runbook.steps.map((s) => s.id), records) : undefined;

  return (
    <ThemeProvider theme={theme}>
      <Box flexDirection="column" width={width} height={height}>
        <StatusLine
          title={runbook.title} progress={prog} mode={mode} elapsedMs={runMs} hostFilter={hostFilter} width={width}
          problems={problems} currentStep={mode !== 'idle' && currentStepId ? currentStepId : undefined}
          etaMs={eta(runMs, prog.stepsDone - startDone.current, prog.stepsTotal - prog.stepsDone)}
          checking={checking} awaiting={awaiting}
        />
        <ErrorBoundary resetKey={`${context}:${ui.selected}:${ui.overlay?.kind ?? ''}`}>
        {context === 'main' || (context === 'input' && !ui.overlay) ? (
          <MainView
            runbook={runbook} controller={controller} ui={ui} rows={rows} step={step} allHosts={allHosts} hostRows={shownHosts} hostIndex={hostIndex} host={host}
            tail={tail} width={width} height={mainHeight} docScrollMax={docScrollMax}
            badgeFor={badgeFor}
            progressOf={progressOf}
          />
        ) : (
          <Box height={mainHeight} flexDirection="column">
            <Overlays context={context === 'input' ? overlayContext(ui.overlay?.kind) : context} ui={ui} store={store} controller={controller} stateDir={props.stateDir} width={width} height={mainHeight} targetsOf={targetsOf} scrollMax={scrollMax} logLines={logLines} stepLabelOf={(id) => { const s = runbook.steps.find((x) => x.id === id); return s ? stepLabel(s) : id; }} />
          </Box>
        )}
        </ErrorBoundary>
        <Footer context={context} input={ui.input} message={message} omit={prompts[0]?.kind === 'var' && prompts[0].secret ? SECRET_VAR_OMIT : undefined} steps={runbook.steps} width={width} />
      </Box>
    </ThemeProvider>
  );
}

/** `fn` with its results kept per key object (for the life of the returned function). */
function memoize<A, K extends object, R>(key: (a: A) => K, fn: (a: A) => R): (a: A) => R {
  const cache = new WeakMap<K, R>();
  return (a) => {
    const k = key(a);
    if (cache.has(k)) return cache.get(k)!;
    const r = fn(a);
    cache.set(k, r);
    return r;
  };
}

function overlayContext(kind: string | undefined): ReturnType<typeof activeContext> {
  return kind === 'log' ? 'log' : kind === 'picker' ? 'picker' : 'main';
}
