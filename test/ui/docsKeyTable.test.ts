// The key tables in the docs are generated from the keymap (scripts/gen-docs.mjs): they must never drift.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyTableMarkdown } from '../../src/ui/keymap.js';

const ROOT = join(import.meta.dirname, '..', '..');
const START = '<!-- keys:start -->\n';
const END = '<!-- keys:end -->';

function tableIn(file: string): string | undefined {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  return a < 0 || b < a ? undefined : text.slice(a + START.length, b);
}

const FIX = 'run `npm run build && node scripts/gen-docs.mjs`';

describe('generated key tables', () => {
  it(`docs/tui.md holds exactly keyTableMarkdown() between its markers (${FIX})`, () => {
    expect(tableIn('docs/tui.md')).toBe(keyTableMarkdown());
  });

  it(`README.md, once it has the markers, holds exactly keyTableMarkdown() between them (${FIX})`, () => {
    const table = existsSync(join(ROOT, 'README.md')) ? tableIn('README.md') : undefined;
    expect(table ?? keyTableMarkdown()).toBe(keyTableMarkdown());
  });

  it('lists every command of the keymap once', () => {
    const table = keyTableMarkdown();
    for (const id of ['step.run', 'play.toggle', 'step.retry', 'step.skip', 'host.markDone', 'step.abort', 'hosts.pick', 'confirm.skip']) {
      expect(table.split('\n').filter((l) => l.endsWith(`| \`${id}\` |`))).toHaveLength(1);
    }
  });
});
