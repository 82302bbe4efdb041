// columns() measures text as string-width does, but each character of text made of one-code-point
// graphemes once (the panes measure thousands of strings per frame; string-width segments each).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import inkStringWidth from '../../src/ui/stringWidth.js';
import { charColumnsOf, columns, fit, GRAPHEME_JOINERS } from '../../src/ui/text.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

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

  it('counts every code point outside GRAPHEME_JOINERS as string-width does, without its segmenter', () => {
    // Every assigned code point, and every 7th unassigned one (string-width takes ~7 us per call).
    const unassigned = /\p{Cn}/u;
    const differ: string[] = [];
    let checked = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (GRAPHEME_JOINERS.test(ch) || (unassigned.test(ch) && cp % 7 !== 0)) continue;
      checked++;
      if (charColumnsOf(ch) !== stringWidth(ch)) differ.push(`U+${cp.toString(16)}: ${charColumnsOf(ch)} against ${stringWidth(ch)}`);
    }
    expect(checked).toBeGreaterThan(400_000);
    expect(differ).toEqual([]);
  });

  it('equals string-width for text mixing ASCII, symbols, CJK, emoji and their sequences, marks, flags, jamo and escape codes', () => {
    const pieces = ['a', ' ', '~', '·', '›', '▾', '…', '─', '│', '✔', '✖', '⚡', '✋', '日本', '한', 'é', 'e\u0301', '😀', '👍🏽', '👨‍👩‍👧', '❤️', '1️⃣', '🇫🇷', '\u1100\u1161', '\u0d4e\u0d15', '\u200b', 'ｱ', 'ﾞ', '\u00ad', '\u001b[1m', '\u001b[36m', '\u001b[39m\u001b[22m', '\u001b]8;;http://x\u0007', '\u009b0m', '\u001b'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (parts) => {
        const s = parts.join('');
        expect(columns(s)).toBe(stringWidth(s));
      }),
      { numRuns: 3000 },
    );
  });

  it("gives Ink's modules string-width's count, escape sequences and options included", () => {
    const pieces = ['a', ' ', '…', '─', '✔', '日本', 'e\u0301', '😀', '👨‍👩‍👧', '🇫🇷', '\u1100\u1161', '\u00ad', '\u00a7', '\x1b[31m', '\x1b[39m', '\x1b[1;4m', '\x1b]8;;http://x\x07', '\x1b]8;;\x07', '\u009b0m', '\u001b', '~', '\t', '\n'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), fc.constantFrom(undefined, {}, { ambiguousIsNarrow: false }, { countAnsiEscapeCodes: true }), (parts, options) => {
        const s = parts.join('');
        expect(inkStringWidth(s, options)).toBe(stringWidth(s, options));
      }),
      { numRuns: 3000 },
    );
  });

  it('fit pads or cuts wide text to exactly the columns asked for', () => {
    expect(fit('日本語のテキスト', 7)).toBe('日本語…');
    expect(columns(fit('日本語のテキスト', 7))).toBe(7);
    expect(fit('✔ ok', 6)).toBe('✔ ok  ');
  });

  it("is the string-width that Ink's output and cli-truncate get in the built bundle", () => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'meta.json'), 'utf8')) as { inputs: Record<string, { imports: { path: string; original?: string }[] }> };
    const resolvedFor = (file: string) => meta.inputs[file]?.imports.filter((i) => i.original === 'string-width').map((i) => i.path);
    expect(resolvedFor('node_modules/ink/build/output.js')).toEqual(['dist/ui/stringWidth.js']);
    expect(resolvedFor('node_modules/cli-truncate/index.js')).toEqual(['dist/ui/stringWidth.js']);
    // Ours keeps the package, which it calls for text with graphemes of more than one code point.
    expect(resolvedFor('dist/ui/text.js')).toEqual(['node_modules/string-width/index.js']);
  });
});
