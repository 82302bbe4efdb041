// Text with wide (CJK) characters in the panes: wrapped by columns, never by string length, and cut
// by Ink (wrap="truncate") to at most the columns it has. The field notes the HA build comes from
// are Chinese; a runbook written in Chinese must read whole and keep the panes' borders in place.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import packageTruncate from 'cli-truncate';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import cliTruncate from '../../src/ui/cliTruncate.js';
import { columns, wrapText } from '../../src/ui/text.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PIECES = ['a', 'step', ' ', '  ', '-', '这一步', '检查', '（', '）', '。', 'Ｆｕｌｌ', 'ｶﾞ', '한글', 'é', 'e\u0301', '😀', '👨‍👩‍👧', '🇫🇷', '…', '─'];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((p) => p.join(''));

describe('wrapText with wide characters', () => {
  // (Continuation pieces get at least 4 columns after their indent: widths from indent + 4.)
  it('gives pieces of at most `width` columns that join back into the line', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 6, max: 50 }), (line, width) => {
        const pieces = wrapText(line, width, '  ');
        for (const p of pieces) expect(columns(p), JSON.stringify(p)).toBeLessThanOrEqual(width);
        expect(pieces.map((p, i) => (i === 0 ? p : p.slice(2))).join('')).toBe(line);
      }),
      { numRuns: 2000 },
    );
  });

  it('splits no grapheme between two pieces', () => {
    const family = '👨‍👩‍👧';
    const pieces = wrapText(`abc${family.repeat(6)}`, 6);
    for (const p of pieces.slice(1)) expect(p.startsWith('\u200d')).toBe(false);
    expect(pieces.join('')).toBe(`abc${family.repeat(6)}`);
  });

  it('wraps a Chinese paragraph at the pane width in columns, not in characters', () => {
    const line = '这一步检查节点的状态（中文说明，全角字符）。'.repeat(3);
    const pieces = wrapText(line, 46);
    expect(pieces.map(columns)).toEqual([46, 46, 40]);
  });
});

describe("Ink's truncation as the bundle gives it", () => {
  it('is never wider than the columns asked for', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 50 }), fc.constantFrom('end', 'start', 'middle') as fc.Arbitrary<'end' | 'start' | 'middle'>, (line, width, position) => {
        expect(stringWidth(cliTruncate(line, width, { position }))).toBeLessThanOrEqual(width);
      }),
      { numRuns: 3000 },
    );
  });

  it("is the package's result whenever that fits", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 50 }), (line, width) => {
        const theirs = packageTruncate(line, width);
        if (stringWidth(theirs) <= width) expect(cliTruncate(line, width)).toBe(theirs);
      }),
      { numRuns: 3000 },
    );
  });

  it('cuts before a wide character that would straddle the edge', () => {
    expect(stringWidth(packageTruncate('ab这一步', 4))).toBe(5); // the package's result, a column too wide
    expect(cliTruncate('ab这一步', 4)).toBe('ab…');
  });

  it("is what Ink's wrap-text gets in the built bundle", () => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'meta.json'), 'utf8')) as { inputs: Record<string, { imports: { path: string; original?: string }[] }> };
    expect(meta.inputs['node_modules/ink/build/wrap-text.js']?.imports.filter((i) => i.original === 'cli-truncate').map((i) => i.path)).toEqual(['dist/ui/cliTruncate.js']);
  });
});
