// Layout and input wiring only: state derivations live in selectors.ts, UI state in uiState.ts,
// what keys do in commands.ts, which keys exist in keymap.ts.
import React, { useEffect, useMemo, useReducer, useRef } from 'react';
import { Box, useInput, type Key } from 'ink';
import { useStore } from 'zustand';
import { dismissMessage, liveKey, type RunStore } from '../engine/store.js';
import type { PlayerController } from '../engine/run/types.js';
import { resolveCommand } from './keymap.js';
import { activeContext } from './activeContext.js';
import { pendingInterrupted, runCommand, type CommandDeps } from './commands.js';
import { firstNotDoneIndex, hostRows, progress, stepBadge, stepLabel } from './selectors.js';
import { initialUiState, uiReducer, type UiAction } from './uiState.js';
import { useElapsed, useFlashExpiry, useTerminalSize } from './hooks.js';
import { ThemeProvider, themeFromEnv, type Theme } from './theme.js';
import { StatusLine } from './components/StatusLine.js';
import { FooterHints } from './components/FooterHints.js';
import { StepsPane, stepsRows } from './components/StepsPane.js';
import { DocPane } from './components/DocPane.js';
import { HostsPane } from './components/HostsPane.js';
import { Overlays } from './components/Overlays.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';

/** A secret variable is never saved: its prompt offers no "save for next time". */
const SECRET_VAR_OMIT = ['var.save'] as const;

export interface AppProps {
  readonly store: RunStore;
  readonly controller: PlayerController;
  /** Directory of the state file (record log paths are relative to it). */
  readonly stateDir: string;
  /** The operator quit (Ctrl-C twice, q, or q then confirm while running). */
  readonly onQuit: () => void;
  readonly width?: number;
  readonly height?: number;
  readonly theme?: Theme;
  readonly now?: () => number;
}

export function App(props: AppProps): React.JSX.Element {
  const { store, controller } = props;
  const term = useTerminalSize();
  const width = props.width ?? term.columns;
  // One row short of the terminal: a frame as tall as the screen makes Ink clear it on every update.
  const height = props.height ?? Math.max(8, term.rows - 1);
  const theme = useMemo(() => props.theme ?? themeFromEnv(), [props.theme]);
  const now = props.now ?? Date.now;

  const runbook = useStore(store, (s) => s.runbook);
  const records = useStore(store, (s) => s.records);
  const live = useStore(store, (s) => s.live);
  const mode = useStore(store, (s) => s.mode);
  const currentStepId = useStore(store, (s) => s.currentStepId);
  const hostFilter = useStore(store, (s) => s.hostFilter);
  const messages = useStore(store, (s) => s.messages);
  const prompts = useStore(store, (s) => s.prompts);
  useStore(store, (s) => s.interruptedOnLoad);

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
  const elapsedMs = useElapsed(now);

  const mainHeight = Math.max(6, height - 2);
  const interrupted = pendingInterrupted(store);
  const context = activeContext(ui, prompts, interrupted.length);

  // Reducer updates are mirrored into uiRef at once, so several keys arriving in one chunk
  // ("js" typed fast, or sent by a terminal multiplexer) each see the state the previous one left.
  const dispatchNow = (a: UiAction): void => {
    uiRef.current = uiReducer(uiRef.current, a);
    dispatch(a);
  };
  const deps: CommandDeps = { store, controller, ui: () => uiRef.current, dispatch: dispatchNow, targetsOf, quit: props.onQuit, pageSize: Math.max(1, mainHeight - 4) };
  const depsRef = useRef(deps);
  depsRef.current = deps;

  const handleKey = (input: string, key: Key): void => {
    const ctx = activeContext(uiRef.current, store.getState().prompts, pendingInterrupted(store).length);
    const last = store.getState().messages.at(-1);
    if (last?.level === 'error') dismissMessage(store, last.id);
    const id = resolveCommand(ctx, input, key);
    if (id !== 'step.abort' && uiRef.current.ctrlCArmed) dispatchNow({ type: 'armCtrlC', armed: false });
    if (id) return runCommand(depsRef.current, id, ctx);
    if (ctx === 'var') {
      const v = uiRef.current.varInput;
      if (key.backspace || key.delete) dispatchNow({ type: 'varInput', value: v.slice(0, -1) });
      else if (input && !key.ctrl && !key.meta) dispatchNow({ type: 'varInput', value: v + input });
    }
  };
  const handleKeyRef = useRef(handleKey);
  handleKeyRef.current = handleKey;

  // The one owner of keyboard input.
  useInput((input, key) => {
    const text = activeContext(uiRef.current, store.getState().prompts, pendingInterrupted(store).length) === 'var';
    // Ink delivers a run of printable characters as one input: outside text entry, each is a key.
    if (!text && input.length > 1 && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input)) {
      for (const ch of input) handleKeyRef.current(ch, { ...NO_KEY, shift: ch !== ch.toLowerCase() });
      return;
    }
    // In text entry, a pasted or fast-typed "value⏎" is the text, then Enter.
    if (text && input.length > 1 && /[\r\n]/.test(input)) {
      for (const part of input.split(/(\r\n|\r|\n)/)) {
        if (/^[\r\n]+$/.test(part)) handleKeyRef.current('', { ...NO_KEY, return: true });
        else if (part) handleKeyRef.current(part, NO_KEY);
      }
      return;
    }
    handleKeyRef.current(input, key);
  });

  const step = runbook.steps[ui.selected];
  const stepHosts = step ? targetsOf(step.id) : [];
  const host = stepHosts[ui.hostIndex];
  const rows = useMemo(() => stepsRows(runbook.sections, runbook.steps), [runbook]);
  const stepsWidth = Math.min(48, Math.max(24, Math.floor(width * 0.4)));
  const rightWidth = width - stepsWidth;
  const hostsHeight = Math.max(5, Math.floor(mainHeight * 0.4));
  const rendered = step && host ? controller.render(step.id, host) : undefined;
  const section = step ? runbook.sections[step.sectionIndex] : undefined;

  return (
    <ThemeProvider theme={theme}>
      <Box flexDirection="column" width={width} height={height}>
        <StatusLine title={runbook.title} progress={progress(runbook.steps, records, targetsOf)} mode={mode} elapsedMs={elapsedMs} hostFilter={hostFilter} width={width} />
        <ErrorBoundary resetKey={`${context}:${ui.selected}:${ui.overlay?.kind ?? ''}`}>
        {context === 'main' ? (
          <Box height={mainHeight}>
            <StepsPane rows={rows} selected={ui.selected} height={mainHeight} width={stepsWidth} focused={ui.pane === 'steps'} badgeFor={(s) => stepBadge(s, records, targetsOf(s.id))} />
            <Box flexDirection="column" width={rightWidth}>
              <DocPane step={step} markdown={section?.markdown ?? ''} rendered={rendered} height={mainHeight - hostsHeight} width={rightWidth} scroll={ui.docScroll} focused={ui.pane === 'doc'} />
              <HostsPane
                rows={step ? hostRows({ records, live }, step.id, stepHosts, now()) : []}
                selected={ui.hostIndex}
                tail={step && host ? liveTail(live[liveKey(step.id, host)]) : []}
                height={hostsHeight}
                width={rightWidth}
                focused={ui.pane === 'hosts'}
              />
            </Box>
          </Box>
        ) : (
          <Box height={mainHeight} flexDirection="column">
            <Overlays context={context} ui={ui} store={store} controller={controller} stateDir={props.stateDir} width={width} height={mainHeight} targetsOf={targetsOf} stepLabelOf={(id) => { const s = runbook.steps.find((x) => x.id === id); return s ? stepLabel(s) : id; }} />
          </Box>
        )}
        </ErrorBoundary>
        <FooterHints context={context} message={message} omit={prompts[0]?.kind === 'var' && prompts[0].secret ? SECRET_VAR_OMIT : undefined} />
      </Box>
    </ThemeProvider>
  );
}

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

function liveTail(l: { tail: readonly string[]; partial: string } | undefined): readonly string[] {
  if (!l) return [];
  return l.partial ? [...l.tail, l.partial] : l.tail;
}
