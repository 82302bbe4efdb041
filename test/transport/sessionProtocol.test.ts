// The session stream parser: whatever the chunking, a step gets exactly its own bytes, its pid and
// its exit status; bytes before its start marker and after its end marker are never its output.
import { describe, expect, it } from 'vitest';
import { StepStreamParser, stepCommand, type StepEnd } from '../../src/engine/transport/sessionProtocol.js';

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

  it('the step text carries the nonce only in the heredoc delimiter and the driver call', () => {
    const cmd = stepCommand(N, 'echo hi\n');
    expect(cmd.split(N)).toHaveLength(4); // __rb_run N, <<'__RB_N', closing __RB_N
    expect(cmd.endsWith(`echo hi\n__RB_${N}\n`)).toBe(true);
  });
});
