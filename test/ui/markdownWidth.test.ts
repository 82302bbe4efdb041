// The document pane's Markdown: rendered at the width it has now, lists and tables readable.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMarkdown, renderMarkdown, tableText } from '../../src/ui/markdown.js';

beforeAll(() => loadMarkdown());

const MD = [
  '## Install the packages',
  '',
  'Some prose that is long enough to wrap around at forty columns for sure, and then some more words follow it.',
  '',
  '* a bullet with `inline code` and a [link](https://example.com/x)',
  '* **bold** item',
  '',
  '| host | role |',
  '|---|---|',
  '| m1.example.internal | control plane node with etcd stacked on it |',
  '',
].join('\n');

describe('renderMarkdown', () => {
  it('wraps prose at the width asked for each time, not the width of the first call', () => {
    const narrow = renderMarkdown(MD, 40, true).split('\n');
    const wide = renderMarkdown(MD, 120, true).split('\n');
    expect(Math.max(...narrow.map((l) => l.length))).toBeLessThanOrEqual(40);
    expect(wide.some((l) => l.includes('Some prose that is long enough to wrap around at forty columns for sure'))).toBe(true);
  });

  it('renders list items: no raw backticks, link text with its address, no literal **', () => {
    const out = renderMarkdown(MD, 80, true);
    expect(out).toContain('inline code');
    expect(out).not.toContain('`inline code`');
    expect(out).not.toContain('[link](');
    expect(out).toContain('https://example.com/x');
    expect(out).not.toContain('**bold**');
  });

  it('shows headings without the literal #', () => {
    const out = renderMarkdown(MD, 80, true);
    expect(out).toContain('Install the packages');
    expect(out).not.toMatch(/^#+ /m);
  });

  it('fits tables in the width, wrapping cells instead of cutting them', () => {
    const out = renderMarkdown(MD, 40, true).split('\n');
    expect(Math.max(...out.map((l) => l.length))).toBeLessThanOrEqual(40);
    const joined = out.join(' ').replace(/\s+│?\s*/g, ' ');
    for (const w of ['control', 'plane', 'node', 'with', 'etcd', 'stacked']) expect(joined).toContain(w);
  });

  it('tableText keeps every cell character and the column rule', () => {
    const t = tableText(['a', 'b'], [['x'.repeat(30), 'y']], 20);
    expect(t.replace(/[^x]/g, '')).toHaveLength(30);
    expect(t).toContain('─┼─');
  });
});
