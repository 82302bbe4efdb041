// Where a runbook's state, logs and lock live on disk. Pure path arithmetic: no I/O here.
import path from 'node:path';

/** Absolute locations of everything the state module writes for one runbook. */
export interface StatePaths {
  /** The append-only JSON-lines journal. */
  readonly stateFile: string;
  /** Directory holding the state file (created 0700). */
  readonly dir: string;
  /** Directory holding this runbook's step logs: `<dir>/logs/<name>/`. */
  readonly logsDir: string;
  /** Lock file guarding the state file against a second player: `<stateFile>.lock`. */
  readonly lockFile: string;
  /** Variables the operator chose to save from the player's prompt: `<dir>/<name>.vars.yaml`. */
  readonly varsFile: string;
}

/** The runbook's name for file names: its basename without a trailing `.md` (any case). */
export function runbookName(runbookPath: string): string {
  const base = path.basename(path.resolve(runbookPath));
  const name = base.replace(/\.md$/i, '');
  return name === '' ? base : name;
}

/**
 * Resolve the state file, its directory, the logs directory and the lock file for a runbook.
 * Default state file: `<cwd>/.runbook/<name>.state.jsonl`; `opts.stateFile` (relative to cwd)
 * overrides it. Logs always go under `<dir of the state file>/logs/<name>/`; saved variables in
 * `<dir of the state file>/<name>.vars.yaml`.
 */
export function resolveStatePaths(runbookPath: string, opts: { stateFile?: string; cwd?: string } = {}): StatePaths {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const name = runbookName(path.resolve(cwd, runbookPath));
  const stateFile = opts.stateFile
    ? path.resolve(cwd, opts.stateFile)
    : path.join(cwd, '.runbook', `${name}.state.jsonl`);
  const dir = path.dirname(stateFile);
  return { stateFile, dir, logsDir: path.join(dir, 'logs', name), lockFile: `${stateFile}.lock`, varsFile: path.join(dir, `${name}.vars.yaml`) };
}
