// The parse cache: the parsed model of a runbook whose files have not changed, kept beside its
// state (`.runbook/<name>.parse-cache.json`) so that status, plan and the player's first frame do
// not parse the Markdown, front matter and attributes again (issue 11, start-up).
//
// It can only ever cost speed, never change what a command does:
//  - the key is a sha256 over the build of the tool (any other build parses again), the runbook's
//    path, each file's path (absolute, and as messages show it: relative to the working directory)
//    and bytes, and the home directory (front matter `inventory: ~/...`);
//  - a runbook is cached only when its model survives JSON exactly (util.isDeepStrictEqual after a
//    round trip: no NaN, Infinity, dates or undefined members), and never when its front matter
//    declares secret variables (their values would be copied out of the runbook);
//  - it is written only into a `.runbook/` directory that already exists (made by run or play for
//    the state), is a real directory and is ours: a command that only reads creates nothing;
//  - it is read only from such a directory that nobody else may write to, and only when the file
//    is ours and nobody else may write to it: the model holds what runs on the hosts, and anyone
//    able to plant a file under the right key (which they could compute) could change that;
//  - written to a temporary file and renamed over, and read back only when its header holds the
//    key and the sha256 of the body: a torn, edited or foreign file, a FIFO or anything unreadable
//    is ignored and the runbook parsed.
import { closeSync, constants as FS, fstatSync, lstatSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Runbook } from '../types.js';
import { nodeCrypto } from '../nodeCrypto.js';

/** Bumped when the file's layout changes. */
const FORMAT = 'runbook-parse-cache/1';
/** Larger files are not read (a cache is a few hundred KB for an 80-step build). */
const MAX_BYTES = 64 * 1024 * 1024;

/** One runbook file as read: its absolute path, its path in messages, and its text. */
export interface RunbookFileText {
  readonly abs: string;
  readonly display: string;
  readonly text: string;
}

/** The key of a runbook's parse: what the parsed model depends on. */
export function parseCacheKey(buildId: string, abs: string, files: readonly RunbookFileText[]): string {
  const h = nodeCrypto().createHash('sha256');
  h.update(JSON.stringify([FORMAT, buildId, abs, homedir(), files.length]));
  for (const f of files) {
    h.update(JSON.stringify([f.abs, f.display, Buffer.byteLength(f.text)]));
    h.update(f.text);
  }
  return h.digest('hex');
}

const sha256 = (s: string): string => nodeCrypto().createHash('sha256').update(s).digest('hex');

const mine = (st: { uid: number; mode: number }): boolean => (typeof process.getuid !== 'function' || st.uid === process.getuid()) && (st.mode & 0o022) === 0;

/** The cached model for `key`, or undefined for anything else (missing, stale, torn, not a regular file, unreadable). */
export function readParseCache(file: string, key: string): Runbook | undefined {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO planted under the name opens at once (and is then refused as not a file).
    const dir = lstatSync(path.dirname(file));
    if (!dir.isDirectory() || !mine(dir)) return undefined;
    fd = openSync(file, FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile() || !mine(st) || st.size > MAX_BYTES) return undefined;
    const text = readFileSync(fd, 'utf8');
    const nl = text.indexOf('\n');
    if (nl < 0) return undefined;
    const [format, fileKey, bodyHash] = text.slice(0, nl).split(' ');
    if (format !== FORMAT || fileKey !== key) return undefined;
    const body = text.slice(nl + 1);
    if (sha256(body) !== bodyHash) return undefined;
    return JSON.parse(body) as Runbook;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Keep `runbook` as the parse of `key`, when it can be kept exactly and its directory is there and ours; never throws. */
export function writeParseCache(file: string, key: string, runbook: Runbook): boolean {
  if (runbook.sources.some((s) => s.frontMatter.secretVars.length > 0)) return false;
  const dir = path.dirname(file);
  let tmp: string | undefined;
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory() || !mine(st)) return false;
    const body = JSON.stringify(runbook);
    if (!isDeepStrictEqual(JSON.parse(body), runbook)) return false;
    tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${nodeCrypto().randomBytes(4).toString('hex')}`);
    writeFileSync(tmp, `${FORMAT} ${key} ${sha256(body)}\n${body}`, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
    return true;
  } catch {
    if (tmp !== undefined) {
      try {
        unlinkSync(tmp);
      } catch {
        /* never created */
      }
    }
    return false;
  }
}
