// columns() measures text as string-width does, but each character of text made of one-code-point
// graphemes once (the panes measure thousands of strings per frame; string-width segments each).
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { columns, fit, GRAPHEME_JOINERS } from '../../src/ui/text.js';

describe('columns', () => {
  // Unassigned and private-use code points (\p{Cn}, \p{Co}) are left out: to this runtime's segmenter,
  // which string-width uses too, they are "Other", a grapheme of their own.
  it('every assigned code point outside GRAPHEME_JOINERS is a grapheme of its own: after a letter, doubled, before a letter', () => {
    const segmenter = new Intl.Segmenter();
    const other = /[\p{Cn}\p{Co}]/u;
    const joined: string[] = [];
    let checked = 0;
    for (let cp = 0x20; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (GRAPHEME_JOINERS.test(ch) || other.test(ch)) continue;
      checked++;
      let n = 0;
      for (const _ of segmenter.segment(`a${ch}${ch}a`)) n++;
      if (n !== 4) joined.push(cp.toString(16));
    }
    expect(checked).toBeGreaterThan(150_000); // 156,676 on Node 20.20 (ICU 78.2, Unicode 17)
    expect(joined).toEqual([]);
  });

  it('equals string-width for text mixing ASCII, symbols, CJK, emoji and their sequences, marks, flags and jamo', () => {
    const pieces = ['a', ' ', '~', '·', '›', '▾', '…', '─', '│', '✔', '✖', '⚡', '✋', '日本', '한', 'é', 'e\u0301', '😀', '👍🏽', '👨‍👩‍👧', '❤️', '1️⃣', '🇫🇷', '\u1100\u1161', '\u0d4e\u0d15', '\u200b', 'ｱ', 'ﾞ', '\u00ad'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (parts) => {
        const s = parts.join('');
        expect(columns(s)).toBe(stringWidth(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('fit pads or cuts wide text to exactly the columns asked for', () => {
    expect(fit('日本語のテキスト', 7)).toBe('日本語…');
    expect(columns(fit('日本語のテキスト', 7))).toBe(7);
    expect(fit('✔ ok', 6)).toBe('✔ ok  ');
  });
});
