// The player's frame builder (src/ui/inkOutput.ts) against Ink's own Output.get, its reference:
// the same operations must give the same frame, byte for byte, frame after frame (its caches live
// across frames, so sequences of frames that change a little are compared, not single frames).
import { describe, expect, it } from 'vitest';
import { fastGet, InkOutput, inkOriginalGet } from '../../src/ui/inkOutput.js';
import '../../src/ui/App.js';
import { prng } from '../helpers/random.js';

type Clip = { x1?: number; x2?: number; y1?: number; y2?: number };
type Op =
  | { type: 'write'; x: number; y: number; text: string; transformers: ((line: string, index: number) => string)[] }
  | { type: 'clip'; clip: Clip }
  | { type: 'unclip' };

const SGR = [['\u001b[32m', '\u001b[39m'], ['\u001b[1m', '\u001b[22m'], ['\u001b[7m', '\u001b[27m'], ['\u001b[38;5;208m', '\u001b[39m'], ['\u001b[4m', '\u001b[24m']];
const PIECES = ['step-001', 'ok', ' ', '  ', '│', '─', '┌', '┐', '✔', '✖', '›', '·', '✋', '⚡', '日本語', '😀', 'é', 'e\u0301', 'x'.repeat(30), 'failed', '#1', '90ms', '\t', '~'];

function text(r: () => number, lines: number): string {
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    let s = '';
    const n = 1 + Math.floor(r() * 6);
    for (let i = 0; i < n; i++) {
      const p = PIECES[Math.floor(r() * PIECES.length)];
      if (r() < 0.3) {
        const [on, off] = SGR[Math.floor(r() * SGR.length)];
        s += r() < 0.8 ? `${on}${p}${off}` : `${on}${p}`; // sometimes left open, as styled text nests
      } else s += p;
    }
    out.push(s);
  }
  return out.join('\n');
}

const TRANSFORMERS: ((line: string, index: number) => string)[] = [
  (line) => `\u001b[31m${line}\u001b[39m`,
  (line, index) => (index % 2 ? `\u001b[2m${line}\u001b[22m` : line),
];

function ops(r: () => number, width: number, height: number): Op[] {
  const out: Op[] = [];
  let depth = 0;
  const n = 5 + Math.floor(r() * 25);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.12) {
      const x1 = Math.floor(r() * width) - 2;
      const y1 = Math.floor(r() * height) - 2;
      const clip: Clip = r() < 0.8 ? { x1, x2: x1 + Math.floor(r() * width) } : {};
      if (r() < 0.7) Object.assign(clip, { y1, y2: y1 + Math.floor(r() * height) });
      out.push({ type: 'clip', clip });
      depth++;
    } else if (k < 0.2 && depth > 0) {
      out.push({ type: 'unclip' });
      depth--;
    } else {
      const transformers = r() < 0.25 ? [TRANSFORMERS[Math.floor(r() * TRANSFORMERS.length)]] : [];
      out.push({ type: 'write', x: Math.floor(r() * (width + 4)) - 3, y: Math.floor(r() * (height + 3)) - 2, text: text(r, 1 + Math.floor(r() * 4)), transformers });
    }
  }
  return out;
}

function frameOf(o: InstanceType<typeof InkOutput>, get: typeof inkOriginalGet): string {
  return get.call(o).output;
}

function outputWith(width: number, height: number, operations: Op[]): InstanceType<typeof InkOutput> {
  const o = new InkOutput({ width, height });
  (o as unknown as { operations: Op[] }).operations = operations;
  return o;
}

describe('the frame builder', () => {
  it('is the one Ink uses once the player is loaded', () => {
    expect(InkOutput.prototype.get).toBe(fastGet);
  });

  it("builds the same frames as Ink's Output.get over 300 generated sequences of changing frames", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = prng(seed);
      const width = 5 + Math.floor(r() * 60);
      const height = 2 + Math.floor(r() * 12);
      let operations = ops(r, width, height);
      for (let f = 0; f < 6; f++) {
        const o = outputWith(width, height, operations);
        const want = frameOf(o, inkOriginalGet);
        const got = frameOf(o, fastGet);
        if (got !== want) expect({ seed, frame: f, got }).toEqual({ seed, frame: f, got: want });
        // The next frame: most operations kept (cached lines and rows reused), some replaced.
        const next = ops(r, width, height);
        operations = operations.map((op, i) => (r() < 0.2 && next[i] ? next[i] : op));
      }
    }
  });

  it('builds the same frame for a full 200x60 screen of bordered panes, then after one row changed', () => {
    const row = (y: number, sel: number): string => `│${y === sel ? '›' : ' '} step-${String(y).padStart(3, '0')}${' '.repeat(60)}\u001b[32m✔ 30/30\u001b[39m│`;
    for (const sel of [3, 4]) {
      const operations: Op[] = [{ type: 'clip', clip: { x1: 0, x2: 80, y1: 0, y2: 59 } }];
      for (let y = 0; y < 59; y++) operations.push({ type: 'write', x: 0, y, text: row(y, sel), transformers: [] });
      operations.push({ type: 'unclip' }, { type: 'write', x: 82, y: 0, text: Array.from({ length: 59 }, (_, i) => `f${i} stream line ${'0'.repeat(100)}`).join('\n'), transformers: [] });
      const o = outputWith(200, 60, operations);
      expect(frameOf(o, fastGet)).toBe(frameOf(o, inkOriginalGet));
    }
  });
});
