// The session driver (the bash text a persistent session runs on the host), run here by a local
// bash: how it takes a step's text (by length, in a few reads, byte-exact), that a step's own exit
// 127 (command not found) is reported as such, that the driver waits for the step only while the
// step's pid is its own child, and that it records the end of the step's attempt marker itself.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driverScript, stepFrame } from '../../src/engine/transport/sessionProtocol.js';
import { stepText } from '../../src/engine/transport/script.js';

const N = 'abcdef0123456789abcdef01';
const markerDir = `/tmp/runbook-${process.geteuid!()}`;
const markers: string[] = [];
afterAll(() => {
  for (const m of markers) rmSync(`${markerDir}/${m}`, { force: true });
});

/** A driver in a local `bash -s`; `prelude` is bash run before it says it is ready. */
function startDriver(prelude = ''): { bash: ChildProcessWithoutNullStreams; out: () => string; step: (nonce: string, script: string, marker?: string) => Promise<string> } {
  const bash = spawn('bash', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let waiting: { end: string; resolve: (s: string) => void } | undefined;
  bash.stdout.on('data', (d: Buffer) => {
    out += d.toString('latin1');
    if (waiting && new RegExp(`${waiting.end}\\d+_\\w*__\\n`).test(out)) {
      const w = waiting;
      waiting = undefined;
      w.resolve(out);
    }
  });
  bash.stderr.resume();
  const d = driverScript('ready0');
  const at = d.indexOf("printf '__RB_READY_");
  bash.stdin.write(d.slice(0, at) + prelude + d.slice(at));
  const step = (nonce: string, script: string, marker?: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        bash.kill('SIGKILL');
        reject(new Error(`no end marker within 20 s; stdout so far:\n${out}`));
      }, 20_000);
      out = '';
      waiting = { end: `__RB_E_${nonce}_`, resolve: (s) => (clearTimeout(timer), resolve(s)) };
      bash.stdin.write(stepFrame(nonce, stepText(script), marker));
    });
  return { bash, out: () => out, step };
}

/** Run the driver in `bash -s`, one step, and return what the driver printed on stdout. */
async function runOneStep(script: string, prelude = ''): Promise<string> {
  const d = startDriver(prelude);
  try {
    return await d.step(N, script);
  } finally {
    d.bash.stdin.end();
  }
}

/** What the step printed between its start marker's pid line and its end marker. */
const stepOutput = (out: string, nonce: string): string => out.slice(out.indexOf(`__RB_S_${nonce}__\n`)).replace(/^[^\n]*\n\d+\n/, '').replace(new RegExp(`__RB_E_${nonce}_[\\s\\S]*$`), '');

/** The driver's read(2) calls so far (/proc/PID/io syscr). */
const readCalls = (pid: number): number => Number(/^syscr: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);

describe('session driver', () => {
  it('reports a step\'s own exit 127 (command not found) as exit 127', async () => {
    const out = await runOneStep('no-such-command-rb\n');
    expect(out).toMatch(new RegExp(`__RB_E_${N}_127___\\n`));
  });

  it('reports a step whose record bash lost as LOST, waiting again (a second at a time) only while the pid is the driver\'s child', async () => {
    // Stand-in for bash losing the step's record (seen once: the pid lived on as another process, the
    // old `kill -0` test passed, and the driver spun for an hour writing wait's error to a file):
    // wait fails as bash's does, without waiting, for the first three calls while the step (4 s)
    // still runs as the driver's child; from the fourth it waits, then fails the same way, and the
    // step, reaped, is no longer the driver's child.
    const calls = join(mkdtempSync(join(tmpdir(), 'rb-lost-')), 'calls');
    const prelude = [
      `wait() { echo call >> ${calls}; (($(wc -l < ${calls}) > 3)) && builtin wait "$@" 2>/dev/null; echo "main: line 1: wait_for: No record of process \${@: -1}" >&2; return 127; }`,
      '',
    ].join('\n');
    const out = await runOneStep('sleep 4\n', prelude);
    expect(out).toMatch(new RegExp(`__RB_E_${N}_127_LOST__\\n`));
    expect(readFileSync(calls, 'utf8').split('\n').filter(Boolean).length).toBe(4);
  });

  it('takes a 20 KB step text in a few reads, not one read per byte', async () => {
    const d = startDriver();
    try {
      await d.step(N, 'true');
      const before = readCalls(d.bash.pid!);
      const big = `: '${'x'.repeat(20_000)}'\necho done\n`;
      const out = await d.step('0123456789abcdef01234567', big);
      expect(stepOutput(out, '0123456789abcdef01234567')).toBe('done\n');
      // the length and the payload (a few 4 KB reads), /proc reads and the wait: not 20,000
      expect(readCalls(d.bash.pid!) - before).toBeLessThan(40);
    } finally {
      d.bash.stdin.end();
    }
  });

  it('takes each step\'s text byte-exact by its length in bytes: multibyte UTF-8, digits, framing-like text and NUL bytes leave the next step intact', async () => {
    const d = startDriver();
    try {
      const texts = ['printf "%s\\n" "é ü 日本 ✋"', 'echo 0000000099; echo "__RB_E_x_0___"', "printf 'a\0b\\n'", 'echo last'];
      const outs: string[] = [];
      for (const [i, t] of texts.entries()) {
        const n = `${'0'.repeat(23)}${i}`;
        outs.push(Buffer.from(stepOutput(await d.step(n, t), n), 'latin1').toString('utf8'));
      }
      // NUL bytes are dropped from the text, as `bash -s` drops them in exec mode
      expect(outs).toEqual(['é ü 日本 ✋\n', '0000000099\n__RB_E_x_0___\n', 'ab\n', 'last\n']);
    } finally {
      d.bash.stdin.end();
    }
  });

  it('a step sees none of the driver\'s variables or functions, with or without an attempt marker', async () => {
    const d = startDriver();
    try {
      const probe = 'echo "vars [$(compgen -v __rb_)] functions [$(compgen -A function)]"';
      const plain = await d.step(N, probe);
      const key = randomBytes(12).toString('hex');
      markers.push(`${key}-2`);
      const marked = await d.step('0123456789abcdef01234567', probe, `${key}-2`);
      expect(stepOutput(plain, N)).toBe('vars [] functions []\n');
      expect(stepOutput(marked, '0123456789abcdef01234567')).toBe('vars [] functions []\n');
    } finally {
      d.bash.stdin.end();
    }
  });

  it('runs the step text at the top level: no positional parameters or FUNCNAME, and `local` fails as in `bash -s`', async () => {
    const out = await runOneStep('echo "[$#] [${FUNCNAME[*]}]"; local x=1 2>/dev/null || echo "no local"');
    expect(stepOutput(out, N)).toBe('[0] []\nno local\n');
  });

  describe('attempt marker', () => {
    const key = randomBytes(12).toString('hex');
    const marker = (attempt: number): string => {
      markers.push(`${key}-${attempt}`);
      return `${key}-${attempt}`;
    };
    const fields = (name: string): Record<string, string> =>
      Object.fromEntries(readFileSync(`${markerDir}/${name}`, 'utf8').trim().split('\n').map((l) => [l.split(' ')[0], l.slice(l.indexOf(' ') + 1)]));

    it.each([
      ['exit 7', '7'],
      ['exec bash -c "exit 4"', '4'],
      ['trap "exit 9" EXIT; exit 3', '9'],
      ['kill -TERM $BASHPID', '143'],
    ])('the session shell records how the step ended, whatever it did (%s: exit %s)', async (script, code) => {
      const d = startDriver();
      try {
        const name = marker(Number(code) + 10);
        const out = await d.step(N, script, name);
        const m = fields(name);
        expect(m.pid).toBe(/__RB_S_\w+__\n(\d+)\n/.exec(out)![1]); // the step's own shell
        expect(m.pgid).toBe(m.pid);
        expect(m.writer.split(' ')[0]).toBe(String(d.bash.pid)); // the session shell that wrote the end
        expect(m.exit).toBe(code);
        expect(Number(m.ended)).toBeGreaterThanOrEqual(Number(m.started));
      } finally {
        d.bash.stdin.end();
      }
    });

    it('a later attempt removes the markers of the step\'s earlier attempts (by name) and leaves other steps\' markers alone', async () => {
      const other = `${randomBytes(12).toString('hex')}-1`;
      markers.push(other);
      const d = startDriver();
      try {
        await d.step(N, 'true', marker(1));
        await d.step('0123456789abcdef01234567', 'true', other);
        await d.step('1123456789abcdef01234567', 'true', marker(2));
        const third = marker(3);
        await d.step('2123456789abcdef01234567', 'exit 5', third);
        expect(existsSync(`${markerDir}/${key}-1`)).toBe(false);
        expect(existsSync(`${markerDir}/${key}-2`)).toBe(false);
        expect(fields(third).exit).toBe('5');
        expect(fields(other).exit).toBe('0');
      } finally {
        d.bash.stdin.end();
      }
    });

    it('the step body runs in the step\'s own subshell, a child of the session shell (one fork per step)', async () => {
      const d = startDriver();
      try {
        const out = await d.step(N, 'read -r l < /proc/$BASHPID/stat; r=${l##*) }; r=${r#* }; echo "parent ${r%% *}"', marker(1));
        expect(stepOutput(out, N)).toBe(`parent ${d.bash.pid}\n`);
      } finally {
        d.bash.stdin.end();
      }
    });
  });
});
