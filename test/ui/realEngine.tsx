// The player App over the REAL engine: createPlayer, a real state file in a temp dir, the real run
// store, and a scripted transport instead of hosts. Frames are awaited with bounded polling.
import React from 'react';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { vi } from 'vitest';
import { App } from '../../src/ui/App.js';
import { createPlayer } from '../../src/engine/run/player.js';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { openState, type StateHandle } from '../../src/engine/state/stateFile.js';
import { resolveStatePaths } from '../../src/engine/state/paths.js';
import { createRunStore, type RunStore } from '../../src/engine/store.js';
import type { HostStepRecord } from '../../src/engine/types.js';
import type { PlayerController } from '../../src/engine/run/types.js';
import { plainTheme } from '../../src/ui/theme.js';
import { createScriptedTransport, type ScriptRule, type ScriptedTransport } from '../helpers/scriptedTransport.js';
import { makeInventory } from './fixtures.js';
import { fence } from '../helpers/markdown.js';

export { KEYS } from './harness.js';

export interface Flow {
  readonly dir: string;
  readonly runbookFile: string;
  readonly stateFile: string;
  readonly store: RunStore;
  readonly controller: PlayerController;
  readonly transport: ScriptedTransport;
  readonly state: StateHandle;
  readonly onQuit: ReturnType<typeof vi.fn>;
  frame(): string;
  /** Every frame Ink has written so far, in order. */
  frames(): readonly string[];
  press(...keys: string[]): Promise<void>;
  /** Poll the frame until `cond` holds (bounded; the error shows the last frame). */
  waitFor(cond: (frame: string) => boolean, what?: string, timeoutMs?: number): Promise<string>;
  /** Unmount and close the controller (releases the state lock). */
  close(): Promise<void>;
}

export const HOSTS = ['web1', 'web2', 'db1'] as const;

export { fence };

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rb-flow-'));
}

async function tick(): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
}

/** Start the player on `markdown` (written to `dir`/book.md) with a state file in `dir`. */
export async function startFlow(markdown: string, opts: { dir?: string; rules?: readonly ScriptRule[]; hosts?: readonly string[]; cliVars?: Readonly<Record<string, string>> } = {}): Promise<Flow> {
  const dir = opts.dir ?? tempDir();
  const runbookFile = join(dir, 'book.md');
  writeFileSync(runbookFile, markdown);
  const stateFile = join(dir, 'state.jsonl');
  const runbook = await loadRunbook(runbookFile);
  const inventory = makeInventory(opts.hosts ?? HOSTS);
  const paths = resolveStatePaths(runbookFile, { stateFile });
  const state = await openState({ stateFile, runbookPath: runbook.path, mode: 'write' });
  const store = createRunStore({ runbook, inventory, records: state.snapshot(), interruptedOnLoad: state.interruptedOnLoad });
  const transport = createScriptedTransport(opts.rules);
  const controller = createPlayer({ runbook, inventory, transport, state, paths, store, liveIntervalMs: 5, ...(opts.cliVars ? { cliVars: opts.cliVars } : {}) });
  const onQuit = vi.fn();
  const r = render(<App store={store} controller={controller} stateDir={paths.dir} onQuit={onQuit} width={100} height={30} theme={plainTheme} />);
  const frame = (): string => r.lastFrame() ?? '';
  let closed = false;
  const flow: Flow = {
    dir, runbookFile, stateFile, store, controller, transport, state, onQuit, frame,
    frames: () => r.frames,
    async press(...keys) {
      for (const k of keys) {
        r.stdin.write(k);
        await tick();
        await tick();
      }
    },
    async waitFor(cond, what = 'frame condition', timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (cond(frame())) return frame();
        await tick();
      }
      throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
    },
    async close() {
      if (closed) return;
      closed = true;
      r.unmount();
      await controller.close();
    },
  };
  await tick();
  return flow;
}

/**
 * What the state file on disk says (read without the lock, like `runbook status`), once the
 * records the screen already shows are written: the engine batches non-critical writes.
 */
export async function stateOnDisk(f: Pick<Flow, 'stateFile' | 'runbookFile' | 'state'>): Promise<Record<string, Record<string, HostStepRecord>>> {
  await f.state.flush();
  const h = await openState({ stateFile: f.stateFile, runbookPath: f.runbookFile, mode: 'read' });
  try {
    return h.snapshot();
  } finally {
    await h.close();
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
