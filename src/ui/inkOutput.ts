// Ink's frame builder, made proportional to what changed. Ink 6 turns every frame into a grid of
// styled cells (Output.get in ink/build/output.js): it allocates one object per cell of the screen,
// tokenizes every line of text again (its caches live for one frame), and converts every row of
// cells back to a string. At 200x60 that was 33-40 ms of CPU per frame on this machine for any
// change at all, most of a key's cost (docs/tui.md). This replaces Output's `get` with one that
// builds the same string from the same operations, keeping across frames:
//  - each line's styled characters (two generations: what the last frame used stays cached);
//  - each row's string, reused when the row holds the very same cells as the last time (cells
//    come from the cache above, so an unchanged row has identical cell objects);
// and without allocating a cell per blank. ASCII text without escapes skips the tokenizer.
// The result is the original's, byte for byte: test/ui/inkOutput.test.ts compares the two on
// generated frames (styles, wide characters, clipping). Ink 7+ needs Node 22; this is for Ink 6.8.
import Output from '../../node_modules/ink/build/output.js';
import sliceAnsi from 'slice-ansi';
import stringWidth from './stringWidth.js';
import { styledCharsFromTokens, styledCharsToString, tokenize, type StyledChar } from '@alcalzone/ansi-tokenize';

type Cell = StyledChar;
type Transformer = (line: string, index: number) => string;
type Operation =
  | { readonly type: 'write'; readonly x: number; readonly y: number; readonly text: string; readonly transformers: readonly Transformer[] }
  | { readonly type: 'clip'; readonly clip: { x1?: number; x2?: number; y1?: number; y2?: number } }
  | { readonly type: 'unclip' };

const NO_STYLES: StyledChar['styles'] = [];
const BLANK: Cell = { type: 'char', value: ' ', fullWidth: false, styles: NO_STYLES };

/** A cache that keeps what the last two frames used: bounded by the screen, not by the session. */
class TwoGenerations<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  get(key: string, make: (key: string) => V): V {
    let v = this.current.get(key);
    if (v !== undefined) return v;
    v = this.previous.get(key);
    if (v === undefined) v = make(key);
    this.current.set(key, v);
    return v;
  }
  /** A frame is done: what it did not use is dropped at the end of the next one. */
  age(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

const styledLines = new TwoGenerations<readonly Cell[]>();
const widths = new TwoGenerations<number>();
const sliced = new TwoGenerations<string>();

/** Printable ASCII with no escape: one cell per character, no tokenizer needed. */
function isPlainAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function styledCharsOf(line: string): readonly Cell[] {
  if (isPlainAscii(line)) {
    const out: Cell[] = new Array(line.length);
    for (let i = 0; i < line.length; i++) out[i] = { type: 'char', value: line[i], fullWidth: false, styles: NO_STYLES };
    return out;
  }
  return styledCharsFromTokens(tokenize(line));
}

function widthOf(text: string): number {
  if (text.length === 1) {
    const c = text.charCodeAt(0);
    if (c >= 0x20 && c <= 0x7e) return 1;
  } else if (isPlainAscii(text)) return text.length;
  return widths.get(text, stringWidth);
}

function widestLine(text: string): number {
  if (!text.includes('\n')) return widthOf(text);
  let w = 0;
  for (const line of text.split('\n')) w = Math.max(w, widthOf(line));
  return w;
}

/** The string of a row of cells, as Ink writes it (styles opened and closed, trailing blanks cut). */
function rowString(cells: readonly (Cell | undefined)[]): string {
  let plain = true;
  let holes = false;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c === undefined) holes = true;
    else if (c.styles.length > 0) plain = false;
  }
  const present = holes ? cells.filter((c): c is Cell => c !== undefined) : (cells as Cell[]);
  if (!plain) return styledCharsToString(present).trimEnd();
  let s = '';
  for (const c of present) s += c.value;
  return s.trimEnd();
}

/** The empty cell Ink puts after a wide character, one per character (so its row can be reused). */
const fillers = new WeakMap<Cell, Cell>();
function fillerOf(ch: Cell): Cell {
  let f = fillers.get(ch);
  if (!f) fillers.set(ch, (f = { type: 'char', value: '', fullWidth: false, styles: ch.styles }));
  return f;
}

/** Last rows built, by row index: a row made of the very same cells is the very same string. */
let lastRows: { readonly cells: readonly (Cell | undefined)[]; readonly text: string }[] = [];

function sameCells(a: readonly (Cell | undefined)[], b: readonly (Cell | undefined)[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Output.get, same result as Ink 6.8's (see the header). */
function get(this: Output): { output: string; height: number } {
  const { width, height } = this;
  const operations = (this as unknown as { operations: readonly Operation[] }).operations;
  const grid: (Cell | undefined)[][] = [];
  for (let y = 0; y < height; y++) grid.push(new Array<Cell>(width).fill(BLANK));
  const clips: { x1?: number; x2?: number; y1?: number; y2?: number }[] = [];
  for (const op of operations) {
    if (op.type === 'clip') {
      clips.push(op.clip);
      continue;
    }
    if (op.type === 'unclip') {
      clips.pop();
      continue;
    }
    const { text, transformers } = op;
    let { x, y } = op;
    let lines = text.split('\n');
    const clip = clips.at(-1);
    if (clip) {
      const clipH = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
      const clipV = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
      if (clipH) {
        const w = widestLine(text);
        if (x + w < clip.x1! || x > clip.x2!) continue;
      }
      if (clipV) {
        if (y + lines.length < clip.y1! || y > clip.y2!) continue;
      }
      if (clipH) {
        const x1 = clip.x1!;
        const x2 = clip.x2!;
        lines = lines.map((line) => {
          const from = x < x1 ? x1 - x : 0;
          const w = widthOf(line);
          const to = x + w > x2 ? x2 - x : w;
          return sliced.get(`${from}\u0000${to}\u0000${line}`, () => sliceAnsi(line, from, to));
        });
        if (x < x1) x = x1;
      }
      if (clipV) {
        const y1 = clip.y1!;
        const from = y < y1 ? y1 - y : 0;
        const to = y + lines.length > clip.y2! ? clip.y2! - y : lines.length;
        lines = lines.slice(from, to);
        if (y < y1) y = y1;
      }
    }
    let offsetY = 0;
    for (let index = 0; index < lines.length; index++) {
      const row = grid[y + offsetY];
      // As in Ink: a line outside the grid is dropped, and the lines after it land on that same row.
      if (!row) continue;
      let line = lines[index];
      for (const t of transformers) line = t(line, index);
      const chars = styledLines.get(line, styledCharsOf);
      let offsetX = x;
      for (const ch of chars) {
        row[offsetX] = ch;
        const w = Math.max(1, widthOf(ch.value));
        if (w > 1) {
          const filler = fillerOf(ch);
          for (let k = 1; k < w; k++) row[offsetX + k] = filler;
        }
        offsetX += w;
      }
      offsetY++;
    }
  }
  const rows: string[] = new Array(grid.length);
  const built: typeof lastRows = new Array(grid.length);
  for (let y = 0; y < grid.length; y++) {
    const cells = grid[y];
    const last = lastRows[y];
    const text = last && sameCells(last.cells, cells) ? last.text : rowString(cells);
    rows[y] = text;
    built[y] = { cells, text };
  }
  lastRows = built;
  styledLines.age();
  widths.age();
  sliced.age();
  return { output: rows.join('\n'), height: grid.length };
}

/** Ink's own Output.get, kept for the comparison test. */
export const inkOriginalGet = Output.prototype.get;

let installed = false;
/** Make every Ink instance of this process build its frames with the get above (idempotent). */
export function installFastOutput(): void {
  if (installed) return;
  installed = true;
  Output.prototype.get = get;
}

/** The get above, for the comparison test. */
export const fastGet = get;
export { Output as InkOutput };
