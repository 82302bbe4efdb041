// The session stream parser: whatever the chunking, a step gets exactly its own bytes, its pid and
// its exit status; bytes before its start marker and after its end marker are never its output.
import { describe, expect, it } from 'vitest';
import { StepStreamParser, stepFrame, type StepEnd } from '../../src/engine/transport/sessionProtocol.js';

const N = '0123456789abcdef01234567';

function parse(stdout: boolean, input: Buffer, chunkSizes: number[]) {
  const data: Buffer[] = [];
  let pid: number | undefined;
  let end: StepEnd | undefined | 'none' = 'none';
  const p = new StepStreamParser(N, stdout, { data: (b) => data.push(Buffer.from(b)), pid: (x) => (pid = x), end: (e) => (end = e) });
  let at = 0;
  for (let i = 0; at < input.length; i++) {
    const n = chunkSizes[i % chunkSizes.length];
    p.push(input.subarray(at, at + n));
    at += n;
  }
  return { data: Buffer.concat(data), pid, end, done: p.done };
}

const body = Buffer.concat([Buffer.from('line one\n__RB_E_'), Buffer.from([0, 255, 10]), Buffer.from(`__RB_S_${N}_x __RB_E_${N.slice(0, 10)}`)]);
const stdoutStream = Buffer.concat([Buffer.from(`leftover junk__RB_S_${N}__\n4242\n`), body, Buffer.from(`__RB_E_${N}_137_KILL__\nlater junk`)]);
const stderrStream = Buffer.concat([Buffer.from(`junk__RB_S_${N}__\n`), body, Buffer.from(`__RB_E_${N}__\nlater`)]);

describe('session stream parser', () => {
  for (const sizes of [[1], [2, 3], [7], [64], [100000]]) {
    it(`stdout in chunks of ${sizes.join('/')} bytes: pid, exact data, signal`, () => {
      const r = parse(true, stdoutStream, sizes);
      expect(r.pid).toBe(4242);
      expect(r.data.equals(body)).toBe(true);
      expect(r.end).toEqual({ exitCode: null, signal: 'SIGKILL' });
    });
    it(`stderr in chunks of ${sizes.join('/')} bytes: exact data, then done`, () => {
      const r = parse(false, stderrStream, sizes);
      expect(r.data.equals(body)).toBe(true);
      expect(r.done).toBe(true);
    });
  }

  it('an exit status without a signal is an exit code', () => {
    const r = parse(true, Buffer.from(`__RB_S_${N}__\n7\nok__RB_E_${N}_143___\n`), [5]);
    expect(r.end).toEqual({ exitCode: 143, signal: null });
    expect(r.data.toString()).toBe('ok');
  });

  for (const sizes of [[1], [3], [100000]]) {
    it(`an end marker with no start marker before it (the step's subshell never ran) ends the step with no output, in chunks of ${sizes[0]}`, () => {
      const r = parse(true, Buffer.from(`junk__RB_E_${N}_127___\nlater`), sizes);
      expect(r.end).toEqual({ exitCode: 127, signal: null });
      expect(r.pid).toBeUndefined();
      expect(r.data.length).toBe(0);
    });
  }

  it('a LOST end (the driver\'s shell lost the step\'s process) is an unknown outcome, not exit 127', () => {
    const r = parse(true, Buffer.from(`__RB_S_${N}__\n99\nsome output__RB_E_${N}_127_LOST__\n`), [4]);
    expect(r.end).toEqual({ exitCode: null, signal: null, lost: true });
    expect(r.data.toString()).toBe('some output');
  });

  it('a step frame is the payload\'s length in bytes (ten digits), then the nonce and marker line, then the text', () => {
    const f = stepFrame(N, 'echo é\n', 'ab'.repeat(8) + '-1');
    const payload = `${N} ${'ab'.repeat(8)}-1\necho é\n`;
    expect(f.subarray(0, 10).toString()).toBe(String(Buffer.byteLength(payload)).padStart(10, '0'));
    expect(f.subarray(10).toString()).toBe(payload);
    expect(stepFrame(N, 'true\n').subarray(10).toString()).toBe(`${N} -\ntrue\n`);
  });

  it('a step frame refuses a marker name that is not <hex key>-<attempt> (it names a file on the host)', () => {
    for (const bad of ['../../etc/x-1', 'abcdef0123456789-1 x', 'abcdef0123456789-1\n', '']) {
      expect(() => stepFrame(N, 'true\n', bad)).toThrow(/bad attempt marker name/);
    }
  });

  it('a step frame carries no NUL byte (bash would drop it and miscount the length)', () => {
    const f = stepFrame(N, 'printf a\0b\n');
    expect(f.includes(0)).toBe(false);
    expect(Number(f.subarray(0, 10).toString())).toBe(f.length - 10);
  });
});
