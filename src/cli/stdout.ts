// Standard output of the commands that print a report (status, plan). Where Node's process.stdout
// would only call fs.writeSync for each write (a regular file, /dev/null: its SyncWriteStream), the
// text is written with fs.writeSync here, without making that stream: making it loads Node's stream
// modules, ~4 ms of a `status` whose output goes to a file or /dev/null (issue 11). Terminals and
// pipes get process.stdout as before (a terminal's width; a pipe's writes may have to wait).
// bin/runbook exits at once when nothing touched process.stdout, else once it has drained.
import { fstatSync, writeSync } from 'node:fs';

let sync: boolean | undefined;

/** Whether fd 1 is written synchronously by Node anyway: a regular file, or a memory device. */
function writtenSynchronously(): boolean {
  if (sync === undefined) {
    try {
      const st = fstatSync(1);
      // /dev/null, /dev/zero, /dev/full: Linux's memory devices (major 1), never a terminal.
      sync = st.isFile() || (process.platform === 'linux' && st.isCharacterDevice() && ((st.rdev >> 8) & 0xfff) === 1);
    } catch {
      sync = false;
    }
  }
  return sync;
}

/** Write `text` to standard output. */
export function writeOut(text: string): void {
  if (writtenSynchronously()) writeSync(1, text);
  else process.stdout.write(text);
}

/** Whether standard output is a terminal, and its width; without making process.stdout for a file. */
export function stdoutTerminal(): { readonly isTTY?: boolean; readonly columns?: number } {
  return writtenSynchronously() ? { isTTY: false } : process.stdout;
}
