// Every path option given a special file: a FIFO, a character device (a node like /dev/null, made
// in the test's own directory), a directory, a symlink to /dev/null, and an unreadable (0000)
// regular file. Each case runs the built CLI with a bounded time: it must not hang, special files
// are bad input (exit 2), and nothing is written anywhere in the work directory (no state
// directory, no log, no lock) and the special file is still what it was.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliBounded, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';

/** Per-case bound: far above a normal run (about 1-3 s here), far below a hang. */
const BOUND_MS = 20_000;

type Kind = 'fifo' | 'device' | 'directory' | 'symlink-to-dev-null' | 'unreadable';
const KINDS: readonly Kind[] = ['fifo', 'device', 'directory', 'symlink-to-dev-null', 'unreadable'];

function makeSpecial(dir: string, kind: Kind, name: string): string {
  const p = join(dir, name);
  if (kind === 'fifo') execFileSync('mkfifo', [p]);
  else if (kind === 'device') execFileSync('mknod', [p, 'c', '1', '3']);
  else if (kind === 'directory') mkdirSync(p);
  else if (kind === 'symlink-to-dev-null') symlinkSync('/dev/null', p);
  else {
    writeFileSync(p, 'not: [valid\n');
    chmodSync(p, 0o000);
  }
  return p;
}

/** Name, type and size of everything under dir (what "nothing written" compares). */
function tree(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    const st = lstatSync(p);
    const kind = st.isFile() ? 'f' : st.isDirectory() ? 'd' : st.isFIFO() ? 'p' : st.isCharacterDevice() ? 'c' : st.isSymbolicLink() ? 'l' : '?';
    return [`${kind} ${p} ${st.isFile() ? st.size : ''}`, ...(st.isDirectory() ? tree(p) : [])];
  });
}

interface Case {
  readonly option: string;
  /** The command line, `SPECIAL` standing for the special file. */
  readonly args: (rb: string, state: string) => string[];
}

const CASES: readonly Case[] = [
  { option: 'runbook path (plan)', args: () => ['plan', 'SPECIAL'] },
  { option: 'runbook path (run)', args: (_rb, state) => ['run', 'SPECIAL', '--state', state] },
  { option: '--state (run)', args: (rb) => ['run', rb, '--state', 'SPECIAL'] },
  { option: '--state (status)', args: (rb) => ['status', rb, '--state', 'SPECIAL', '--json'] },
  { option: '--state (reset)', args: (rb) => ['reset', rb, '--state', 'SPECIAL'] },
  { option: '--inventory', args: (rb, state) => ['run', rb, '-i', 'SPECIAL', '--state', state] },
  { option: '--ssh-config', args: (rb, state) => ['run', rb, '--ssh-config', 'SPECIAL', '--state', state] },
  { option: '--known-hosts', args: (rb, state) => ['run', rb, '--known-hosts', 'SPECIAL', '--state', state] },
  { option: '--var-file', args: (rb, state) => ['run', rb, '--var-file', 'SPECIAL', '--state', state] },
  { option: 'report --output', args: (rb, state) => ['report', rb, '--state', state, '--output', 'SPECIAL'] },
  { option: 'run --report', args: (rb, state) => ['run', rb, '--state', state, '--report', 'SPECIAL'] },
];

let root: string;
beforeAll(() => {
  root = sharedTempDir('rb-fuzz-paths-');
});
afterAll(() => {
  // 0000 files stay removable by their owner; nothing to do beyond the temp dir.
});

describe('special files for every path option', () => {
  for (const c of CASES) {
    for (const kind of KINDS) {
      it(`${c.option} = ${kind}: no hang, ${kind === 'unreadable' ? 'a clear outcome' : 'exit 2'}, nothing written`, async () => {
        const dir = join(root, `${c.option.replace(/\W+/g, '_')}-${kind}`);
        mkdirSync(dir);
        const rb = writeFile(dir, 'book.md', `# Paths\n\n${fence('id=one', 'echo one')}`);
        const special = makeSpecial(dir, kind, 'special');
        const state = join(dir, 'st', 'book.state.jsonl');
        const before = tree(dir);
        const args = c.args(rb, state).map((a) => (a === 'SPECIAL' ? special : a));
        const t0 = Date.now();
        const r = await runCliBounded(args, BOUND_MS, { cwd: dir });
        expect(r.timedOut, `${args.join(' ')} hung (killed after ${Date.now() - t0} ms)`).toBe(false);
        expect(r.stderr).not.toMatch(/\n\s+at /); // a message, never a stack trace
        if (kind === 'unreadable') {
          // Root reads a 0000 file: whatever the outcome, it is a documented exit code.
          expect([0, 1, 2, 4]).toContain(r.code);
          return;
        }
        expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(2);
        expect(tree(dir)).toEqual(before);
        expect(existsSync(join(dir, 'st'))).toBe(false);
        expect(existsSync(join(dir, '.runbook'))).toBe(false);
      });
    }
  }

  it('/dev got nothing from any case', () => {
    expect(existsSync('/dev/logs')).toBe(false);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});
