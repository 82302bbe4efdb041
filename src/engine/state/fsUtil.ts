// Small durable-file helpers shared by the state journal, the lock and the logs.
import { constants as FS, promises as fsp } from 'node:fs';
import path from 'node:path';
import { nodeCrypto } from '../nodeCrypto.js';

/** Mode for every file the state module creates (state, lock, logs). */
export const FILE_MODE = 0o600;
/** Mode for every directory the state module creates. */
export const DIR_MODE = 0o700;

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'the file or its directory was removed',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent path is not a directory',
  EFBIG: 'file too large',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
};

/** Human reason for an fs error ("no space left on device"), without the stack or syscall noise. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && REASONS[e.code]) return REASONS[e.code];
  if (e && typeof e.message === 'string') return e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return String(err);
}

/** Create a directory (and parents) with mode 0700 for whatever it creates. */
export async function ensureDir(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE });
}

/**
 * Make an existing directory of ours 0700 when group or others may enter it (a `.runbook/` made
 * 0755 by hand or by an older version). Directories owned by someone else are left alone.
 */
export async function tightenDir(dir: string): Promise<void> {
  const st = await fsp.lstat(dir).catch(() => undefined);
  if (!st?.isDirectory() || (st.mode & 0o077) === 0) return;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return;
  await fsp.chmod(dir, DIR_MODE);
}

/** fsync a directory so a rename/link/unlink inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, FS.O_RDONLY);
    await fh.sync();
  } catch (e) {
    // Some file systems refuse fsync on directories (EINVAL/EISDIR); the rename is still ordered.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw e;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** A unique temporary name next to `file` (same directory, so rename is atomic). */
export function tempNameFor(file: string, tag = 'tmp'): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${tag}-${process.pid}-${nodeCrypto().randomBytes(4).toString('hex')}`);
}

/** Write `data` to a new file `tmp` (0600, exclusive), fsync it, and close it. */
export async function writeNewFileDurably(tmp: string, data: string | Buffer): Promise<void> {
  const fh = await fsp.open(tmp, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL, FILE_MODE);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Atomically replace (or create) `file` with `data`: temp file in the same directory, write,
 * fsync, rename over, fsync the directory. A crash leaves either the old or the new content.
 * (write-file-atomic does not fsync the directory, hence this helper.)
 */
export async function atomicReplace(file: string, data: string | Buffer): Promise<void> {
  const tmp = tempNameFor(file);
  try {
    await writeNewFileDurably(tmp, data);
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(path.dirname(file));
}
