// A private tmux server for end-to-end tests of the player in a real pseudo-terminal.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import { removeTmuxSocket } from './tmuxSocket.js';

const exec = promisify(execFile);

export interface Tmux {
  /** Start `sh -c command` in a new detached session (NO_COLOR, no ssh-agent). */
  start(session: string, command: string, size?: { cols: number; rows: number }): Promise<void>;
  /** The pane's text; with `escapes`, its colours and attributes as escape sequences too (capture-pane -e). */
  screen(session: string, escapes?: boolean): Promise<string>;
  /** Poll the pane until `cond` holds (bounded); the error shows the last screen. */
  waitScreen(session: string, cond: (s: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  keys(session: string, ...keys: string[]): Promise<void>;
  /** Pid of the process the session's shell started (the command under test), for kill -9 tests. */
  childPid(session: string): Promise<number>;
  /** Kill the server and every session in it. */
  kill(): Promise<void>;
}

export function createTmux(prefix = 'rb'): Tmux {
  const socket = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) => exec('tmux', ['-L', socket, '-f', '/dev/null', ...args]);
  const screen = async (session: string, escapes = false): Promise<string> => (await tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session)).stdout;
  return {
    async start(session, command, size = { cols: 120, rows: 32 }) {
      await tmux('new-session', '-d', '-s', session, '-x', String(size.cols), '-y', String(size.rows), '-e', 'NO_COLOR=1', '-e', 'SSH_AUTH_SOCK=', 'sh', '-c', command);
    },
    screen,
    async waitScreen(session, cond, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        last = await screen(session);
        if (cond(last)) return last;
        await new Promise<void>((r) => setTimeout(r, 100)); // poll interval, not synchronisation
      }
      throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
    },
    async keys(session, ...keys) {
      await tmux('send-keys', '-t', session, ...keys);
    },
    async childPid(session) {
      const shell = (await tmux('list-panes', '-t', session, '-F', '#{pane_pid}')).stdout.trim();
      const kids = (await exec('ps', ['-o', 'pid=', '--ppid', shell])).stdout.trim().split(/\s+/).filter(Boolean);
      if (kids.length !== 1) throw new Error(`expected one child of the pane's shell ${shell}, found: ${kids.join(' ') || 'none'}`);
      return Number(kids[0]);
    },
    async kill() {
      await tmux('kill-server').catch(() => undefined);
      removeTmuxSocket(socket);
    },
  };
}

/** The shell command that runs `node bin/runbook ARGS` in `dir`, then prints EXIT=<code> and waits. */
export function playCommand(dir: string, args: readonly string[]): string {
  return `cd '${dir}' && '${process.execPath}' ${args.map((a) => `'${a}'`).join(' ')}; echo "EXIT=$?"; read _`;
}

/** A private tmux server for one test file, killed with every session in it after the file's tests. */
export function useTmux(prefix = 'rb'): Tmux {
  const term = createTmux(prefix);
  afterAll(async () => {
    await term.kill();
  });
  return term;
}
