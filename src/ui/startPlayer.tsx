// Entry point of the interactive player: full screen (alternate screen buffer), resolves with
// the exit code when the operator quits, and always gives the terminal back.
import { render } from 'ink';
import { spawnSync } from 'node:child_process';
import type { RunStore } from '../engine/store.js';
import type { PlayerController } from '../engine/run/types.js';
import { App } from './App.js';
import { createFrameWriter } from './frameWriter.js';
import { exitCodeFor } from './selectors.js';

export interface StartPlayerOptions {
  readonly store: RunStore;
  readonly controller: PlayerController;
  /** Directory of the state file (log paths in records are relative to it). */
  readonly stateDir: string;
  /** The `w` key: write a report of the session; resolves with the files written. */
  readonly writeReport?: () => Promise<readonly string[]>;
  readonly stdin?: NodeJS.ReadStream;
  readonly stdout?: NodeJS.WriteStream;
  /**
   * Work going on behind the player (play's checks once it is on screen): if it rejects, the
   * player closes as `q` would and startPlayer rejects with that error.
   */
  readonly failOn?: Promise<unknown>;
}

const ENTER_ALT = '\u001b[?1049h\u001b[H\u001b[?25l';
const LEAVE_ALT = '\u001b[?25h\u001b[?1049l';

/** Exit code of the session: 0 when everything is done, 1 when something failed, 3 otherwise. */
export function sessionExitCode(store: RunStore, controller: PlayerController): number {
  const { runbook, records } = store.getState();
  return exitCodeFor(runbook.steps, records, (id) => {
    try { return controller.targets(id).map((h) => h.name); } catch { return []; }
  });
}

/** Render the player full-screen until the operator quits; resolves with the exit code. */
export async function startPlayer(opts: StartPlayerOptions): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const tty = Boolean(stdout.isTTY);
  if (tty) stdout.write(ENTER_ALT);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    if (tty) stdout.write(LEAVE_ALT);
  };
  process.once('exit', restore);
  // The terminal went away (SIGHUP) or someone asked us to stop (SIGTERM): leave like `q` does,
  // aborting a running step, so the state lock is released and the terminal restored.
  let quitNow: (() => void) | undefined;
  const onSignal = (): void => quitNow?.();
  process.on('SIGHUP', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await new Promise<number>((resolve, reject) => {
      let quitting = false;
      const leave = (then: () => void): void => {
        quitting = true;
        opts.controller
          .close()
          .catch(() => undefined)
          .finally(() => {
            instance.unmount();
            then();
          });
      };
      const onQuit = (): void => {
        if (quitting) return;
        const code = sessionExitCode(opts.store, opts.controller);
        leave(() => resolve(code));
      };
      opts.failOn?.catch((e: unknown) => {
        if (!quitting) leave(() => reject(e));
      });
      quitNow = onQuit;
      // $PAGER on a log: the player stops reading keys and drawing until the pager exits, then redraws whole.
      const onPager = (file: string): void => {
        const pager = process.env.PAGER || 'less';
        const raw = stdin.isTTY && stdin.isRaw;
        if (raw) stdin.setRawMode(false);
        try {
          spawnSync('sh', ['-c', `${pager} "$1"`, 'pager', file], { stdio: 'inherit' });
        } finally {
          if (raw) stdin.setRawMode(true);
          if (tty) stdout.write(ENTER_ALT);
          screen.invalidate();
          instance.rerender(app());
        }
      };
      const app = (): React.JSX.Element => <App store={opts.store} controller={opts.controller} stateDir={opts.stateDir} writeReport={opts.writeReport} onQuit={onQuit} onPager={tty ? onPager : undefined} />;
      // Ink hands whole frames to the frame writer, which writes only the lines that changed:
      // an idle player writes nothing, a running step rewrites its own rows, not the screen.
      const screen = createFrameWriter(stdout);
      const instance = render(app(), {
        stdout: screen,
        stdin,
        exitOnCtrlC: false,
        debug: true,
        patchConsole: false,
      });
      instance.waitUntilExit().catch(reject);
    });
  } finally {
    restore();
    process.removeListener('exit', restore);
    process.removeListener('SIGHUP', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
