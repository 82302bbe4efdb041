// lazyGraphemeSegmenter() stands in for the Intl.Segmenter that Ink's tokenizer, slice-ansi,
// wrap-ansi's and our string-width make when loaded (scripts/bundle.mjs): the same segments and the
// same containing(), with ICU's segmenter made only for text where a grapheme can be more than one
// code point.
import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { graphemesAreCodePoints, lazyGraphemeSegmenter } from '../../src/ui/graphemeSegmenter.js';

const icu = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const segmentsOf = (segments: Iterable<Intl.SegmentData>): [string, number][] => Array.from(segments, (s) => [s.segment, s.index]);

/** Text of every kind the panes draw: ASCII, symbols, CJK, emoji and their sequences, marks, flags, jamo, controls and escape codes. */
const PIECES = ['a', ' ', '~', '·', '›', '▾', '…', '─', '│', '✔', '⚡', '日本', '한', 'é', 'e\u0301', '😀', '👍🏽', '👨‍👩‍👧', '❤️', '1️⃣', '🇫🇷', '\u1100\u1161', '\u0d4e\u0d15', '\u200b', 'ｱ', 'ﾞ', '\u00ad', '\t', '\r', '\n', '\r\n', '\u0007', '\u007f', '\u001b[1m', '\u001b[36m', '\u001b[39m\u001b[22m', '\u001b]8;;http://x\u0007', '\u009b0m', '\u001b'];

describe('lazyGraphemeSegmenter', () => {
  it('gives the segments and indexes Intl.Segmenter gives, for any mix of text', () => {
    const segmenter = lazyGraphemeSegmenter();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }), (parts) => {
        const s = parts.join('');
        expect(segmentsOf(segmenter.segment(s))).toEqual(segmentsOf(icu.segment(s)));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds the segment containing each index as Intl.Segmenter does, out of range included', () => {
    const segmenter = lazyGraphemeSegmenter();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }), (parts) => {
        const s = parts.join('');
        const ours = segmenter.segment(s);
        const theirs = icu.segment(s);
        for (let i = -2; i <= s.length + 1; i++) {
          const a = ours.containing(i);
          const b = theirs.containing(i);
          expect(a && [a.segment, a.index, a.input]).toEqual(b && [b.segment, b.index, b.input]);
        }
        expect(ours.containing()?.index).toBe(theirs.containing()?.index);
      }),
      { numRuns: 1500 },
    );
  });

  it('every control character is a grapheme of its own, except CR followed by LF', () => {
    const apart: string[] = [];
    for (let cp = 0; cp <= 0x9f; cp++) {
      if (cp > 0x1f && cp < 0x7f) continue;
      const c = String.fromCodePoint(cp);
      const s = `a${c}${c}a`;
      expect(graphemesAreCodePoints(s), `U+${cp.toString(16)}`).toBe(true);
      if (segmentsOf(icu.segment(s)).length !== 4) apart.push(cp.toString(16));
    }
    expect(apart).toEqual([]);
    expect(graphemesAreCodePoints('a\r\nb')).toBe(false);
    expect(segmentsOf(icu.segment('a\r\nb'))).toEqual([['a', 0], ['\r\n', 1], ['b', 3]]);
    expect(segmentsOf(lazyGraphemeSegmenter().segment('a\r\nb'))).toEqual([['a', 0], ['\r\n', 1], ['b', 3]]);
  });

  it('makes no Intl.Segmenter for styled text whose graphemes are one code point each, and one, once, for text where they are not', () => {
    const Real = Intl.Segmenter;
    let made = 0;
    const intl = Intl as { Segmenter: typeof Real };
    intl.Segmenter = class extends Real {
      constructor(...args: ConstructorParameters<typeof Real>) {
        super(...args);
        made++;
      }
    };
    onTestFinished(() => {
      intl.Segmenter = Real;
    });
    const segmenter = lazyGraphemeSegmenter();
    for (const s of ['\u001b[1mbuild\u001b[22m ✔ 日本 😀 ─│', 'plain', '\u001b]8;;http://x\u0007link\u001b]8;;\u0007']) expect(segmentsOf(segmenter.segment(s)).length).toBe([...s].length);
    expect(made).toBe(0);
    expect(segmentsOf(segmenter.segment('cafe\u0301 👍🏽'))).toEqual([['c', 0], ['a', 1], ['f', 2], ['e\u0301', 3], [' ', 5], ['👍🏽', 6]]);
    segmenter.segment('🇫🇷');
    expect(made).toBe(1);
  });
});
