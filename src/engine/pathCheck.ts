// Every path the operator names is checked before anything is read or written: a FIFO, a device,
// a directory where a file belongs or a symlink to one of those is bad input (exit 2), so nothing
// hangs on a FIFO or /dev/zero and nothing replaces /dev/null. Only stat/lstat here: they never block.
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { BadInputError } from './errors.js';
import type { StatePaths } from './state/paths.js';

/** Directories that are never a state directory unless the tool created them (and it never creates these). */
const SYSTEM_DIRS = new Set(['/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr', '/var']);
/** Trees no state file, log or lock ever goes into. */
const SYSTEM_TREES = ['/dev/', '/proc/', '/sys/', '/run/'];

/** "a FIFO", "a character device", ... for a message. */
export function describeKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function statOrUndefined(file: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(file) : lstatSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // missing: the reader says so
    if (code === 'ELOOP') throw new BadInputError('cannot use this path: too many levels of symbolic links', { file });
    throw new BadInputError(`cannot use this path: ${code ?? (e as Error).message}`, { file });
  }
}

/**
 * An input file named by an option (`what`: "runbook", "--inventory", ...): when it exists it must
 * be a regular file (symlinks to one are fine), or a directory when `allowDirectory`. A missing
 * path passes: the reader reports it in its own words.
 */
export function checkInputPath(what: string, file: string, opts: { allowDirectory?: boolean } = {}): void {
  const st = statOrUndefined(file, true);
  if (!st || st.isFile() || (opts.allowDirectory && st.isDirectory())) return;
  throw new BadInputError(`${what} is ${describeKind(st)}, not a regular file${opts.allowDirectory ? ' or a directory' : ''}`, {
    file,
    hint: 'give the path of a regular file',
  });
}

function isSystemDir(real: string): boolean {
  return SYSTEM_DIRS.has(real) || SYSTEM_TREES.some((t) => real.startsWith(t));
}

/**
 * The state file, its lock, the vars file, the logs directory and the state directory, before any
 * of them is touched (every command calls this, read-only ones included):
 * - the state file, the lock and the vars file are regular files or do not exist (no symlink for
 *   the state file and the lock: their atomic replacement would replace the link, not its target);
 * - the logs directories are directories or do not exist;
 * - an existing state directory is a directory, not a system directory (/, /dev, /etc, /usr, ...,
 *   anything under /dev, /proc, /sys, /run), and not a shared sticky directory such as /tmp.
 * Throws BadInputError (exit 2).
 */
export function checkStatePaths(paths: StatePaths): void {
  const bad = (file: string, message: string, hint: string): never => {
    throw new BadInputError(message, { file, hint });
  };
  const stateHint = 'give --state a new or existing regular file in a directory of your own, e.g. ./.runbook/site.state.jsonl';

  const state = statOrUndefined(paths.stateFile, false);
  if (state && !state.isFile()) bad(paths.stateFile, `state file is ${describeKind(state)}, not a regular file`, stateHint);
  const lock = statOrUndefined(paths.lockFile, false);
  if (lock && !lock.isFile()) bad(paths.lockFile, `lock file is ${describeKind(lock)}, not a regular file`, `remove ${paths.lockFile} if no runbook player is using the state file`);
  const vars = statOrUndefined(paths.varsFile, true);
  if (vars && !vars.isFile()) bad(paths.varsFile, `vars file is ${describeKind(vars)}, not a regular file`, 'remove it: it holds values saved from the player\'s prompt');
  // The state directory: its nearest existing ancestor decides where things would be created.
  let existing = paths.dir;
  while (!statOrUndefined(existing, true) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const dirSt = statOrUndefined(existing, true);
  if (dirSt && !dirSt.isDirectory()) bad(existing, `the state directory ${paths.dir} cannot be created: ${existing} is ${describeKind(dirSt)}`, stateHint);
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    /* stat succeeded: keep the path as given */
  }
  if (existing === paths.dir) {
    if (isSystemDir(real)) bad(paths.stateFile, `the state directory ${real} is a system directory: state, lock and logs never go there`, stateHint);
    if (dirSt && (dirSt.mode & 0o1002) === 0o1002) {
      bad(paths.stateFile, `the state directory ${real} is a shared sticky directory (like /tmp): anyone could plant links to the logs and lock there`, stateHint);
    }
  } else if (SYSTEM_TREES.some((t) => `${real}/`.startsWith(t))) {
    bad(paths.stateFile, `the state directory ${paths.dir} would be created under ${real}, a system directory`, stateHint);
  }

  for (const d of [path.dirname(paths.logsDir), paths.logsDir]) {
    const st = statOrUndefined(d, false);
    if (st && !st.isDirectory()) bad(d, `logs directory is ${describeKind(st)}, not a directory`, 'move it away: step logs are written there');
  }
}

/**
 * A file the tool will replace (atomically: a new file renamed over it), such as `report -o FILE`:
 * it is a regular file or does not exist yet, in an existing directory outside /dev, /proc, /sys
 * and /run. Renaming over a device, a FIFO or a symlink would replace it (as root, /dev/null).
 */
export function checkOutputPath(what: string, file: string): void {
  const abs = path.resolve(file);
  const hint = 'give the path of a regular file (new or existing) in an existing directory';
  const st = statOrUndefined(abs, false);
  if (st && !st.isFile()) throw new BadInputError(`${what} is ${describeKind(st)}, not a regular file: it would be replaced`, { file, hint });
  const dir = path.dirname(abs);
  const dirSt = statOrUndefined(dir, true);
  if (!dirSt || !dirSt.isDirectory()) throw new BadInputError(`${what} ${file}: directory ${dir} does not exist`, { hint: "create it first, or write elsewhere" });
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    /* keep the path as given */
  }
  if (SYSTEM_TREES.some((t) => `${real}/`.startsWith(t))) throw new BadInputError(`${what}: ${real} is a system directory`, { file, hint });
}
