// The terminal writer under the player: only changed lines reach the terminal, nothing when idle.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createFrameWriter, frameDiff } from '../../src/ui/frameWriter.js';

function fakeTerminal(): NodeJS.WriteStream & { written: string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { written: string };
  s.written = '';
  s.columns = 80;
  s.rows = 24;
  s.isTTY = true;
  s.write = ((chunk: string) => { s.written += chunk; return true; }) as never;
  return s;
}

describe('frameDiff', () => {
  it('addresses only the lines that changed, at their row', () => {
    expect(frameDiff(['a', 'b', 'c'], ['a', 'B', 'c'])).toBe('\u001b[2;1HB\u001b[0m\u001b[K');
  });

  it('is empty for an identical frame and clears lines a shorter frame leaves behind', () => {
    expect(frameDiff(['a', 'b'], ['a', 'b'])).toBe('');
    expect(frameDiff(['a', 'b'], ['a'])).toBe('\u001b[2;1H\u001b[0m\u001b[K');
  });
});

describe('createFrameWriter', () => {
  it('writes the first frame whole, then nothing for a repeat, then one line for a change', () => {
    const term = fakeTerminal();
    const w = createFrameWriter(term);
    w.write('title\nbody 1\nfooter\n');
    const first = term.written.length;
    expect(term.written).toContain('title');
    w.write('title\nbody 1\nfooter\n');
    expect(term.written.length).toBe(first);
    w.write('title\nbody 2\nfooter\n');
    const delta = term.written.slice(first);
    expect(delta).toContain('body 2');
    expect(delta).not.toContain('title');
    expect(delta).not.toContain('footer');
    expect(w.bytesWritten).toBe(Buffer.byteLength(term.written));
  });

  it('passes the terminal size through and redraws whole after invalidate()', () => {
    const term = fakeTerminal();
    const w = createFrameWriter(term);
    expect(w.columns).toBe(80);
    expect(w.rows).toBe(24);
    w.write('a\nb\n');
    w.invalidate();
    const before = term.written.length;
    w.write('a\nb\n');
    expect(term.written.slice(before)).toContain('a');
  });
});
