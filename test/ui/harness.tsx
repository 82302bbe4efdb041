// Render the App with ink-testing-library and wait for frames, without sleeps.
import React from 'react';
import { render } from 'ink-testing-library';
import { vi } from 'vitest';
import { App } from '../../src/ui/App.js';
import { createRunStore, type RunStore, type RunStoreState } from '../../src/engine/store.js';
import { plainTheme, type Theme } from '../../src/ui/theme.js';
import type { Runbook } from '../../src/engine/types.js';
import type { RenderedStep } from '../../src/engine/run/types.js';
import { createFakeController, type FakeController, type FakeScript } from './fakeController.js';
import { makeInventory } from './fixtures.js';

export const KEYS = {
  up: '\u001b[A', down: '\u001b[B', enter: '\r', esc: '\u001b', tab: '\t', space: ' ', ctrlC: '\u0003', pageDown: '\u001b[6~', backspace: '\u007f',
} as const;

export interface Harness {
  readonly store: RunStore;
  readonly controller: FakeController;
  readonly onQuit: ReturnType<typeof vi.fn>;
  frame(): string;
  /** Frames Ink has written so far (one per render). */
  frameCount(): number;
  /** Write keys one at a time, letting Ink process each. */
  press(...keys: string[]): Promise<void>;
  /** Wait until the frame satisfies `cond` (bounded). */
  waitFor(cond: (frame: string) => boolean, what?: string): Promise<string>;
  unmount(): void;
}

export async function tick(): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
}

export async function renderApp(runbook: Runbook, opts: {
  hosts?: readonly string[]; records?: RunStoreState['records']; interruptedOnLoad?: RunStoreState['interruptedOnLoad'];
  script?: FakeScript; theme?: Theme; height?: number; width?: number; stateDir?: string;
  /** Inventory groups (group -> host names), besides `all`. */
  groups?: Readonly<Record<string, readonly string[]>>;
  /** What the controller renders for a step on a host (default: the body plus "# on HOST"). */
  render?: (stepId: string, host: string) => RenderedStep;
  /** The `w` key's report writer. */
  writeReport?: () => Promise<readonly string[]>;
} = {}): Promise<Harness> {
  const store = createRunStore({ runbook, inventory: makeInventory(opts.hosts ?? ['web1', 'web2', 'db1'], opts.groups), records: opts.records, interruptedOnLoad: opts.interruptedOnLoad });
  const controller = createFakeController(store, opts.script);
  if (opts.render) controller.render = opts.render;
  const onQuit = vi.fn();
  const r = render(<App store={store} controller={controller} stateDir={opts.stateDir ?? '/nonexistent'} writeReport={opts.writeReport} onQuit={onQuit} width={opts.width ?? 100} height={opts.height ?? 30} theme={opts.theme ?? plainTheme} now={() => 0} />);
  const frame = (): string => r.lastFrame() ?? '';
  const h: Harness = {
    store, controller, onQuit, frame,
    frameCount: () => r.frames.length,
    async press(...keys) {
      for (const k of keys) {
        r.stdin.write(k);
        await tick();
        await tick();
      }
    },
    async waitFor(cond, what = 'frame condition') {
      const deadline = Date.now() + 2000;
      while (Date.now() < deadline) {
        if (cond(frame())) return frame();
        await tick();
      }
      throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
    },
    unmount: () => r.unmount(),
  };
  await tick();
  return h;
}
