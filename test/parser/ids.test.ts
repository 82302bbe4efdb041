import { describe, it, expect } from 'vitest';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { assignStepIds } from '../../src/engine/parser/ids.js';
import { slugify } from '../../src/engine/parser/slug.js';
import { badInput, md } from './helpers.js';

const ids = (text: string, file = 'book.md') => parseRunbookText(text, file).steps.map((s) => s.id);
const loc = (line: number, file = 'a.md') => ({ file, line });

describe('slugify', () => {
  it('lowercases and joins words with hyphens', () => {
    expect(slugify('Disable Swap on the Nodes')).toBe('disable-swap-on-the-nodes');
  });
  it('drops punctuation and folds diacritics', () => {
    expect(slugify('  Überprüfen: (etcd) v3.5!  ')).toBe('uberprufen-etcd-v3-5');
  });
  it('returns empty for text with no letters or digits', () => {
    expect(slugify('🚀 !!')).toBe('');
  });
});

describe('step ids', () => {
  it('an explicit id is used as is', () => {
    expect(ids(md('# Heading', '```bash {id=my-step}', 'x', '```'))).toEqual(['my-step']);
  });
  it('a default id is the slug of the nearest heading', () => {
    expect(ids(md('# Install', '## Disable Swap', '```bash', 'x', '```'))).toEqual(['disable-swap']);
  });
  it('more steps under the same slug get -2, -3 suffixes', () => {
    expect(ids(md('# Install', '```bash', 'a', '```', '```bash', 'b', '```', '```bash', 'c', '```'))).toEqual(['install', 'install-2', 'install-3']);
  });
  it('steps before any heading derive their id from the file basename', () => {
    expect(ids(md('```bash', 'a', '```', '```bash', 'b', '```'), '01-Prepare Host.md')).toEqual(['01-prepare-host', '01-prepare-host-2']);
  });
  it('a heading without letters or digits falls back to the file basename', () => {
    expect(ids(md('# 🚀', '```bash', 'a', '```'), 'deploy.md')).toEqual(['deploy']);
  });
  it('derived ids avoid explicit ids used later in the runbook', () => {
    expect(ids(md('# Setup', '```bash', 'a', '```', '```bash', 'b', '```', '# Other', '```bash {id=setup-2}', 'c', '```'))).toEqual(['setup', 'setup-3', 'setup-2']);
  });
  it('derived ids avoid other derived ids that happen to look suffixed', () => {
    expect(ids(md('# Step 2', '```bash', 'a', '```', '# Step', '```bash', 'b', '```', '```bash', 'c', '```'))).toEqual(['step-2', 'step', 'step-3']);
  });
  it('a duplicate explicit id is bad input naming both locations', () => {
    const e = badInput(() => ids(md('```bash {id=x}', 'a', '```', '', '```bash {id=x}', 'b', '```')));
    expect(e.line).toBe(5);
    expect(e.message).toContain('book.md:1');
  });
  it('explicit ids on norun blocks do not count', () => {
    expect(ids(md('```bash {id=x norun}', 'a', '```', '```bash {id=x}', 'b', '```'))).toEqual(['x']);
  });
});

describe('assignStepIds across files', () => {
  it('continues suffixes across files', () => {
    expect(assignStepIds([{ idBase: 'install', loc: loc(1, 'a.md') }, { idBase: 'install', loc: loc(1, 'b.md') }])).toEqual(['install', 'install-2']);
  });
  it('reports a duplicate explicit id in another file with both files', () => {
    const e = badInput(() => assignStepIds([{ explicitId: 'x', idBase: 'a', loc: loc(3, 'a.md') }, { explicitId: 'x', idBase: 'b', loc: loc(9, 'b.md') }]));
    expect(e.file).toBe('b.md');
    expect(e.line).toBe(9);
    expect(e.message).toContain('a.md:3');
  });
});
