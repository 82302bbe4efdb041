// The steps × hosts grid of `runbook status`, laid out for a terminal width: when the host columns
// do not fit, they are split into blocks of whole columns, each block repeating the step column and
// saying which hosts it shows (as R or `column` print a wide matrix), so 30 hosts read at 80 columns.
// Texts are measured with columns(): call loadColumns() with them first.
import { columns } from './columns.js';
import { stdoutTerminal } from './stdout.js';

export interface GridRow {
  /** The step id (cut to the step column's width). */
  readonly id: string;
  /** The cell text per host name; a host the step does not target is absent. */
  readonly cells: Readonly<Record<string, string>>;
}

/** The width status lays out for: the terminal's when it is one, else $COLUMNS, else unbounded. */
export function outputWidth(stream: { readonly isTTY?: boolean; readonly columns?: number } = stdoutTerminal(), env: NodeJS.ProcessEnv = process.env): number {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const c = Number(env.COLUMNS);
  return Number.isInteger(c) && c > 0 ? c : Infinity;
}

const GAP = '  ';

/** `s` padded with spaces to `w` terminal columns (✋ and ⚡ take two). */
const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - columns(s)));

/** The grid's lines at `width` columns (Infinity: one block whatever its width). */
export function statusGrid(hosts: readonly string[], rows: readonly GridRow[], width: number): string[] {
  const longestId = Math.max(4, ...rows.map((r) => r.id.length));
  // The step column takes at most 40 columns, and at most 40% of a bounded width (min 12).
  const idWidth = Math.min(40, longestId, Number.isFinite(width) ? Math.max(12, Math.floor(width * 0.4)) : 40);
  const colWidth = (h: string): number => Math.max(columns(h), 2);
  const blocks: string[][] = [];
  let block: string[] = [];
  let used = idWidth;
  for (const h of hosts) {
    const w = GAP.length + colWidth(h);
    if (block.length > 0 && used + w > width) {
      blocks.push(block);
      block = [];
      used = idWidth;
    }
    block.push(h);
    used += w;
  }
  if (block.length > 0 || blocks.length === 0) blocks.push(block);

  const out: string[] = [];
  let first = 0;
  for (const [i, b] of blocks.entries()) {
    if (blocks.length > 1) {
      if (i > 0) out.push('');
      out.push(`hosts ${first + 1}–${first + b.length} of ${hosts.length}`);
    }
    out.push(`${pad('step', idWidth)}${b.map((h) => GAP + pad(h, colWidth(h))).join('')}`.trimEnd());
    for (const r of rows) {
      const cells = b.map((h) => GAP + pad(r.cells[h] ?? '', colWidth(h))).join('');
      out.push(`${pad(r.id.slice(0, idWidth), idWidth)}${cells}`.trimEnd());
    }
    first += b.length;
  }
  return out;
}

/** `parts` joined by two spaces, broken into lines of at most `width` columns between parts. */
export function fitParts(parts: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const p of parts) {
    if (line && columns(line) + GAP.length + columns(p) > width) {
      lines.push(line);
      line = p;
    } else line = line ? line + GAP + p : p;
  }
  if (line) lines.push(line);
  return lines;
}
