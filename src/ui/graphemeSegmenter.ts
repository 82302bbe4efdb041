// A grapheme segmenter that starts ICU's only for text that needs it. The packages that draw the
// player's frames (Ink's tokenizer of styled lines, slice-ansi under cli-truncate, wrap-ansi's and
// our string-width) each make an Intl.Segmenter when they are loaded; making the first one starts
// ICU's break iterators (~17-23 ms on this machine), on every start of the player, for frames
// whose text has no grapheme of more than one code point. scripts/bundle.mjs gives those packages
// lazyGraphemeSegmenter() instead: the same segments, taken code point by code point when nothing
// in the text can join a neighbour, and from a real Intl.Segmenter (made when first needed) when
// something can.

/**
 * Code points that join a neighbour into one grapheme (or may), control characters aside: marks,
 * format characters (ZWJ, variation selectors...), surrogates, regional indicators, emoji
 * modifiers, Hangul jamo, and the letters Unicode lists as Prepend, Extend or SpacingMark (Thai/Lao
 * AM, halfwidth sound marks, Kirat Rai vowels...). Any other code point is a grapheme of its own
 * wherever it stands (test/ui/textColumns.test.ts checks every code point against Intl.Segmenter).
 */
const JOINING = String.raw`\p{M}\p{Cf}\p{Cs}\p{Regional_Indicator}\p{Emoji_Modifier}\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\u0e33\u0eb3\uff9e\uff9f\u{0d4e}\u{110bd}\u{110cd}\u{111c2}\u{111c3}\u{1193f}\u{11941}\u{11a3a}\u{11a84}-\u{11a89}\u{113d1}\u{11d46}\u{11f02}\u{16d63}\u{16d67}-\u{16d6a}`;

/** What may join a neighbour, control characters included (the panes measure them apart). */
export const GRAPHEME_JOINERS = new RegExp(`[${JOINING}\\p{Cc}]`, 'u');

/**
 * What may join a neighbour in text that holds control characters: a control character is a
 * grapheme of its own, except CR followed by LF (one grapheme), which is looked for apart.
 */
const JOINERS_BESIDE_CONTROLS = new RegExp(`[${JOINING}]`, 'u');

/** True when every grapheme of `text` is one code point (no segmenter is needed to find them). */
export function graphemesAreCodePoints(text: string): boolean {
  return !JOINERS_BESIDE_CONTROLS.test(text) && !text.includes('\r\n');
}

/** What Intl.Segmenter's segment() gives, as the packages use it. */
export interface GraphemeSegments extends Iterable<Intl.SegmentData> {
  containing(codeUnitIndex?: number): Intl.SegmentData | undefined;
}

/** The segments of text whose graphemes are its code points. */
class CodePointSegments implements GraphemeSegments {
  constructor(private readonly input: string) {}

  *[Symbol.iterator](): Iterator<Intl.SegmentData> {
    const { input } = this;
    let index = 0;
    for (const segment of input) {
      yield { segment, index, input };
      index += segment.length;
    }
  }

  containing(codeUnitIndex = 0): Intl.SegmentData | undefined {
    const { input } = this;
    // As Intl.Segmenter: the index is made an integer (NaN is 0), and out of range is undefined.
    const i = Math.trunc(Number(codeUnitIndex)) || 0;
    if (i < 0 || i >= input.length) return undefined;
    // A low surrogate after a high one is the second half of the code point that starts before it.
    const low = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
    const high = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
    const start = i > 0 && low(input.charCodeAt(i)) && high(input.charCodeAt(i - 1)) ? i - 1 : i;
    const first = input.codePointAt(start)!;
    return { segment: String.fromCodePoint(first), index: start, input };
  }
}

/** A stand-in for `new Intl.Segmenter(undefined, { granularity: 'grapheme' })`: its segment() only. */
export function lazyGraphemeSegmenter(): { segment(input: string): GraphemeSegments } {
  let real: Intl.Segmenter | undefined;
  return {
    segment(input: string): GraphemeSegments {
      const text = String(input);
      if (graphemesAreCodePoints(text)) return new CodePointSegments(text);
      real ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
      return real.segment(text);
    },
  };
}
