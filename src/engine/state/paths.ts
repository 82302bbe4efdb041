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
 * Default state file: `.runbook/<name>.state.jsonl` beside the runbook (in the directory that holds
 * the runbook file, or the runbook directory), so progress follows the runbook whatever the current
 * directory; `opts.stateFile` (relative to cwd) overrides it. Logs always go under
 * `<dir of the state file>/logs/<name>/`; saved variables in `<dir of the state file>/<name>.vars.yaml`.
 */
export function resolveStatePaths(runbookPath: string, opts: { stateFile?: string; cwd?: string } = {}): StatePaths {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const abs = path.resolve(cwd, runbookPath);
  const name = runbookName(abs);
  const stateFile = opts.stateFile
    ? path.resolve(cwd, opts.stateFile)
    : defaultStateFile(abs);
  const dir = path.dirname(stateFile);
  return { stateFile, dir, logsDir: path.join(dir, 'logs', name), lockFile: `${stateFile}.lock`, varsFile: path.join(dir, `${name}.vars.yaml`) };
}

/** `<directory holding the runbook>/.runbook/<name><suffix>`: where a runbook's own files live by default. */
function besideRunbook(runbookPath: string, suffix: string): string {
  const abs = path.resolve(runbookPath);
  return path.join(path.dirname(abs), '.runbook', `${runbookName(abs)}${suffix}`);
}

/** The default state file of a runbook: `<directory holding the runbook>/.runbook/<name>.state.jsonl`. */
export function defaultStateFile(runbookPath: string): string {
  return besideRunbook(runbookPath, '.state.jsonl');
}

/** The parse cache of a runbook (parser/parseCache.ts), beside its default state: `.runbook/<name>.parse-cache.json`. */
export function parseCacheFile(runbookPath: string): string {
  return besideRunbook(runbookPath, '.parse-cache.json');
}

/**
 * Where versions before state-follows-the-runbook kept the state: `<cwd>/.runbook/<name>.state.jsonl`.
 * Undefined when that is the default location anyway (cwd is the runbook's directory).
 */
export function legacyStateFile(runbookPath: string, cwd = process.cwd()): string | undefined {
  const legacy = path.join(path.resolve(cwd), '.runbook', `${runbookName(path.resolve(cwd, runbookPath))}.state.jsonl`);
  return legacy === defaultStateFile(path.resolve(cwd, runbookPath)) ? undefined : legacy;
}
