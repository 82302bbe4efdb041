// Ink measures the widest line of every text node it draws (render-node-to-output.js, through the
// widest-line package) on every frame, with string-width, which segments any string that is not
// plain ASCII into graphemes: the panes' rows hold symbols and box lines, so a 200x60 frame spent
// several milliseconds there, for rows that had not changed since the last frame (bench:tui-fleet
// profile). The bundle resolves `widest-line` to this module (scripts/bundle.mjs): the same
// measure (the panes' columns(), escape sequences taken out first, as string-width does), kept per
// string, so an unchanged row is measured once.
import { columns } from './text.js';

/** Strings measured, bounded: a frame holds a few hundred text nodes. */
const MAX_KEPT = 4096;
const widths = new Map<string, number>();

/** The widest line of `text` in terminal columns, exactly as the widest-line package measures it. */
export default function widestLine(text: string): number {
  let w = widths.get(text);
  if (w === undefined) {
    w = 0;
    for (const line of text.split('\n')) w = Math.max(w, columns(line));
    if (widths.size >= MAX_KEPT) widths.clear();
    widths.set(text, w);
  }
  return w;
}
