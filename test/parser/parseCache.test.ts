// The parse cache's key and file (src/engine/parser/parseCache.ts); the built CLI's use of it is
// specified in test/cli/parseCache.test.ts.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCacheKey, readParseCache, writeParseCache, type RunbookFileText } from '../../src/engine/parser/parseCache.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { sharedTempDir } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';

const files: RunbookFileText[] = [{ abs: '/ops/site.md', display: 'site.md', text: `# Site\n\n${fence('id=one', 'echo one')}` }];

function cacheDir(): string {
  const dir = join(sharedTempDir('rb-parse-cache-unit-'), '.runbook');
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

describe('parse cache key', () => {
  it('changes with the build of the tool, the runbook path, a file path as shown, and a single byte of a file', () => {
    const key = parseCacheKey('build-a', '/ops/site.md', files);
    expect(parseCacheKey('build-a', '/ops/site.md', files)).toBe(key);
    expect(parseCacheKey('build-b', '/ops/site.md', files)).not.toBe(key);
    expect(parseCacheKey('build-a', '/ops2/site.md', files)).not.toBe(key);
    expect(parseCacheKey('build-a', '/ops/site.md', [{ ...files[0], display: '../ops/site.md' }])).not.toBe(key);
    expect(parseCacheKey('build-a', '/ops/site.md', [{ ...files[0], text: files[0].text.replace('one', 'onf') }])).not.toBe(key);
  });
});

describe('parse cache file', () => {
  it('gives back the model kept under a key, and nothing under another key', () => {
    const file = join(cacheDir(), 'site.parse-cache.json');
    const runbook = parseRunbookText(files[0].text, files[0].abs);
    expect(writeParseCache(file, 'k1', runbook)).toBe(true);
    expect(readParseCache(file, 'k1')).toEqual(runbook);
    expect(readParseCache(file, 'k2')).toBeUndefined();
  });

  it('keeps nothing for a model JSON would change (a NaN variable)', () => {
    const dir = cacheDir();
    const runbook = parseRunbookText(`---\nvars:\n  ratio: .nan\n---\n# Site\n\n${fence('id=one', 'echo {{ ratio }}')}`, '/ops/site.md');
    expect(Number.isNaN(runbook.vars.ratio)).toBe(true);
    expect(writeParseCache(join(dir, 'site.parse-cache.json'), 'k1', runbook)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('makes no directory: without .runbook/ nothing is written', () => {
    const dir = sharedTempDir('rb-parse-cache-unit-');
    expect(writeParseCache(join(dir, '.runbook', 'site.parse-cache.json'), 'k1', parseRunbookText(files[0].text, files[0].abs))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
