// The bundle gives Ink the player's widestLine (src/ui/widestLine.ts) in place of the widest-line
// package: it must measure exactly what the package measures, whatever the text, and still do so
// when the same text comes again (it is kept per string).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import stringWidth from 'string-width';
import { describe, expect, it, vi } from 'vitest';
import packageWidestLine from 'widest-line';
import widestLine from '../../src/ui/widestLine.js';
import { prng } from '../helpers/random.js';

// string-width as our modules import it, counted (the widest-line package keeps its own).
vi.mock('string-width', async (importOriginal) => {
  const real = await importOriginal<typeof import('string-width')>();
  return { default: vi.fn(real.default) };
});

const ROOT = resolve(import.meta.dirname, '..', '..');
// What the panes draw (box lines, status symbols), wide and joined graphemes, escape codes, tabs.
const PIECES = ['a', 'step-001', ' ', '│', '─', '›', '✖', '✔', '·', '⏸', '…', '日本', '한', 'é', 'e\u0301', '👍🏽', '👨‍👩‍👧', '🇫🇷', '\u001b[31m', '\u001b[0m', '\t', '\n', '\u200d', 'ｶﾞ'];

describe('widestLine as the bundle gives it to Ink', () => {
  it('measures 5000 generated texts as the widest-line package does, the first time and again', () => {
    const rnd = prng(14);
    const texts = Array.from({ length: 5000 }, () => Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => PIECES[Math.floor(rnd() * PIECES.length)]).join(''));
    for (const t of texts) expect(widestLine(t), JSON.stringify(t)).toBe(packageWidestLine(t));
    for (const t of texts) expect(widestLine(t), JSON.stringify(t)).toBe(packageWidestLine(t));
  });

  it('measures the panes\' rows styled with escape sequences without string-width (its segmenter and emoji patterns start on first use: ~85 ms of the first frame)', () => {
    const rows = ['\u001b[7m› preflight-os-kernel   \u001b[27m \u001b[90m· 0/5\u001b[39m', '\u001b[1m▾ Unique MAC addresses an…\u001b[22m \u001b[90m0/2\u001b[39m', '\u001b[7m› k8s-master90\u001b[27m pending     \u001b[90m #0      -  - \u001b[39m'];
    vi.mocked(stringWidth).mockClear();
    for (const r of rows) expect(widestLine(r), JSON.stringify(r)).toBe(packageWidestLine(r));
    expect(vi.mocked(stringWidth)).not.toHaveBeenCalled();
  });

  it('is what the built bundle holds in place of the package', () => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    const inputs = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
    expect(inputs).toContain('dist/ui/widestLine.js');
    expect(inputs.filter((i) => i.includes('node_modules/widest-line/'))).toEqual([]);
  });
});
