// The built CLI's player in a real terminal (tmux): what its start-up loads, and that the Markdown
// pane still highlights code with the smaller highlighter the bundle carries (scripts/bundle.mjs).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, sharedTempDir, writeFile } from '../helpers/cli.js';
import { createTmux, playCommand } from '../helpers/tmux.js';

const HOOK = resolve(import.meta.dirname, '..', 'helpers', 'recordLoads.mjs');
const term = createTmux('rb-playstartup');
afterAll(async () => {
  await term.kill();
});

const BOOK = [
  '# Highlighting',
  '',
  'Settings file:',
  '',
  '```yaml',
  'answer: 42',
  '```',
  '',
  'A grammar:',
  '',
  '```abnf',
  'rule = "a" / "b"',
  '```',
  '',
  '```bash {id=hello}',
  'echo hello',
  '```',
  '',
].join('\n');

describe('runbook play start-up in a real terminal', () => {
  it('draws its first frame without loading undici: yoga decodes its WebAssembly itself instead of asking fetch', async () => {
    const dir = sharedTempDir();
    const book = writeFile(dir, 'book.md', BOOK);
    const record = join(dir, 'loads.txt');
    const command = playCommand(dir, ['--import', HOOK, BIN, 'play', book, '--state', join(dir, 'state.jsonl')]);
    await term.start('loads', `export RUNBOOK_TEST_LOADS='${record}'; ${command}`, { cols: 100, rows: 30 });
    await term.waitScreen('loads', (s) => /steps 0\/1.*\[paused\]/.test(s), 'the first frame and its checks');
    await term.keys('loads', 'q');
    expect(await term.waitScreen('loads', (s) => s.includes('EXIT='), 'play to exit')).toContain('EXIT=3');
    const builtins = readFileSync(record, 'utf8').split('\n').filter((l) => l.startsWith('builtin:'));
    expect(builtins).toContain('builtin:fs'); // the record holds Node's modules
    expect(builtins.filter((b) => b.includes('undici'))).toEqual([]);
  });

  it('highlights a yaml fence in the document pane, and shows a fence in a language it does not highlight as written and without a word about it, with CI=true in the environment', async () => {
    const dir = sharedTempDir();
    const book = writeFile(dir, 'book.md', BOOK);
    // Colours on: the tmux helper sets NO_COLOR for every other test. CI=true as CI services set
    // it: the highlighter, loaded after the first frame, took it as "no colours" (CI failed so).
    await term.start('colour', `unset NO_COLOR; export CI=true; ${playCommand(dir, [BIN, 'play', book, '--state', join(dir, 'state.jsonl')])}`, { cols: 100, rows: 30 });
    // The section shows as written (fences and all) until the Markdown libraries are loaded.
    await term.waitScreen('colour', (s) => s.includes('rule = "a" / "b"') && s.includes('answer: 42') && !s.includes('```'), 'the document pane rendered');
    const lines = (await term.screen('colour', true)).split('\n');
    // highlight.js says nothing on the screen about the language it does not have (it printed a line there, shifting the screen)
    expect(lines.join('\n')).not.toContain('Could not find the language');
    const sgr = String.raw`\x1b\[[0-9;]*m`;
    // answer: and 42 each in a colour of their own
    const yaml = lines.find((l) => l.includes('answer:'))!;
    const m = new RegExp(`(${sgr})answer:(?:${sgr})* (${sgr})42`).exec(yaml);
    expect(m, yaml).not.toBeNull();
    expect(m![1]).not.toBe(m![2]);
    // the whole rule in one colour, nothing inside it
    expect(lines.find((l) => l.includes('rule ='))).toMatch(new RegExp(`${sgr}rule = "a" / "b"${sgr}`));
    await term.keys('colour', 'q');
    expect(await term.waitScreen('colour', (s) => s.includes('EXIT='), 'play to exit')).toContain('EXIT=3');
  });
});
