// The string-width (8.x) that Ink's own modules call in the player's bundle (ink/build/output.js for
// every line of every frame, cli-truncate: scripts/bundle.mjs resolves their `string-width` here).
// The same count, through columns(): escape codes taken out first, then plain ASCII by its length,
// text whose graphemes are one code point each by its characters' widths (each measured once),
// anything else by string-width itself.
// string-width segments every string it is given with Intl.Segmenter and compiles its emoji
// patterns on its first non-ASCII text (~85 ms here), which fell on the player's first frame.
import realStringWidth from 'string-width';
import { columns } from './text.js';

interface Options {
  readonly ambiguousIsNarrow?: boolean;
  readonly countAnsiEscapeCodes?: boolean;
}

export default function stringWidth(input: string, options?: Options): number {
  if (typeof input !== 'string' || input.length === 0) return 0;
  if (options && (options.countAnsiEscapeCodes === true || options.ambiguousIsNarrow === false)) return realStringWidth(input, options);
  return columns(input);
}
