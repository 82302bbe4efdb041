// Plain-text layout helpers shared by the panes and dialogs: wrapping that never drops a
// character (a command must be readable in full before it is confirmed) and one-line fitting.
import { stripVTControlCharacters } from 'node:util';
import { eastAsianWidth } from 'get-east-asian-width';
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import { GRAPHEME_JOINERS, lazyGraphemeSegmenter } from './graphemeSegmenter.js';

/** One display line with an optional style key understood by the component that draws it. */
export interface Line<S = object> {
  readonly text: string;
  readonly style?: S;
}

/** Control characters shown as spaces (a tab as two), escape sequences removed. */
export function flatten(s: string): string {
  return stripVTControlCharacters(s).replace(/\t/g, '  ').replace(/[\r\x00-\x08\x0b-\x1f\x7f]/g, ' ');
}

/**
 * Wrap one line to `width` columns (wide CJK characters count two). Nothing is cut: joining the
 * pieces (without the continuation indent) gives the line back, and no grapheme is split. Breaks
 * after a space when one is near the end, else mid-word. Continuation pieces start with `indent`.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const w = Math.max(4, width);
  const flat = flatten(text);
  if (columns(flat) <= w) return [flat];
  const out: string[] = [];
  const indentColumns = columns(indent);
  let rest = flat;
  let first = true;
  while (rest.length > 0) {
    const room = first ? w : Math.max(4, w - indentColumns);
    if (columns(rest) <= room) {
      out.push(first ? rest : indent + rest);
      break;
    }
    const fits = fittingLength(rest, room);
    let cut = rest.lastIndexOf(' ', fits - 1) + 1;
    if (cut === 0 || columns(rest.slice(0, cut)) < room * 0.6) cut = fits;
    out.push(first ? rest.slice(0, cut) : indent + rest.slice(0, cut));
    rest = rest.slice(cut);
    first = false;
  }
  return out;
}

const segmenter = lazyGraphemeSegmenter();

/** The graphemes of `s`: its code points when none joins a neighbour (no segmenter needed). */
function graphemes(s: string): Iterable<string> {
  if (!GRAPHEME_JOINERS.test(s)) return s;
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

/** Length of the longest start of `s` within `room` columns: whole graphemes, at least one. */
function fittingLength(s: string, room: number): number {
  let used = 0;
  let length = 0;
  for (const g of graphemes(s)) {
    used += columns(g);
    if (used > room && length > 0) break;
    length += g.length;
  }
  return length;
}

/** Wrap every line of `lines`, keeping each line's style on its pieces. */
export function wrapLines<S>(lines: readonly Line<S>[], width: number, indent = '  '): Line<S>[] {
  const out: Line<S>[] = [];
  for (const l of lines) {
    const lead = /^\s*/.exec(l.text)?.[0] ?? '';
    for (const piece of wrapText(l.text, width, lead + indent)) out.push({ text: piece, style: l.style });
  }
  return out;
}

/** Code points that join a neighbour into one grapheme, or may (src/ui/graphemeSegmenter.ts). */
export { GRAPHEME_JOINERS };
const charColumns = new Map<string, number>();

/** Code points that take no column: what string-width skips as non-printing. */
const ZERO_WIDTH = /[\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Mn}\p{Me}\p{Cs}]/u;
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;

/**
 * Columns of one code point outside GRAPHEME_JOINERS, as string-width counts it (equal for every
 * such code point: test/ui/textColumns.test.ts), without its Intl.Segmenter: making the first one
 * starts ICU's break iterators (~17 ms) and string-width's emoji patterns compile on first use, both
 * on the player's first frame, for text that has no grapheme of more than one code point.
 */
export function charColumnsOf(ch: string): number {
  if (ZERO_WIDTH.test(ch)) return 0;
  if (EMOJI_PRESENTATION.test(ch)) return 2;
  return eastAsianWidth(ch.codePointAt(0)!, { ambiguousAsWide: false });
}

/** Columns `s` takes on a terminal (wide CJK characters count two), as string-width counts them. */
export function columns(text: string): number {
  // Plain ASCII, the common case, is measured without the library.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  // Escape codes take no column: taken out first, as string-width does (with the same package), so
  // that styled text is measured by the paths below too.
  const s = text.includes('\u001B') || text.includes('\u009B') ? stripAnsi(text) : text;
  if (s !== text && /^[\x20-\x7e]*$/.test(s)) return s.length;
  // Text of graphemes that are one code point each (the panes' symbols, CJK, most emoji) is the sum
  // of its characters' widths, each measured once: string-width segments every string it is given,
  // and the panes measure thousands per frame (150 ms of the player's first frame).
  // (Escape codes are out already: string-width must not strip again what is left, e.g. a lone ESC.)
  if (GRAPHEME_JOINERS.test(s)) return stringWidth(s, { countAnsiEscapeCodes: true });
  let n = 0;
  for (const ch of s) {
    let w = charColumns.get(ch);
    if (w === undefined) {
      if (charColumns.size >= 10_000) charColumns.clear();
      charColumns.set(ch, (w = charColumnsOf(ch)));
    }
    n += w;
  }
  return n;
}

/** Exactly `n` columns: padded, or cut with an ellipsis (for one-line table cells only). */
export function fit(s: string, n: number): string {
  if (n <= 0) return '';
  const flat = flatten(s);
  const w = columns(flat);
  if (w <= n) return flat + ' '.repeat(n - w);
  let out = '';
  let used = 0;
  for (const ch of flat) {
    const cw = columns(ch);
    if (used + cw > n - 1) break;
    out += ch;
    used += cw;
  }
  return `${out}…${' '.repeat(Math.max(0, n - 1 - used))}`;
}

/** A list of names shortened to `max` characters: "a, b, c and 27 more". */
export function nameList(names: readonly string[], max: number): string {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const next = out ? `${out}, ${names[i]}` : names[i];
    const more = names.length - i - 1;
    if (next.length + (more > 0 ? ` and ${more} more`.length : 0) > max && out) return `${out} and ${names.length - i} more`;
    out = next;
  }
  return out;
}
