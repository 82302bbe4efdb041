import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { badInputAsync, md } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-parser-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

describe('loadRunbook: a single file', () => {
  it('loads a .md file with its absolute path', async () => {
    write('book.md', md('# Hello', '```bash', 'echo hi', '```'));
    const rb = await loadRunbook(join(dir, 'book.md'));
    expect(rb.path).toBe(join(dir, 'book.md'));
    expect(rb.steps.map((s) => s.id)).toEqual(['hello']);
  });
  it('a missing path is bad input', async () => {
    const e = await badInputAsync(() => loadRunbook(join(dir, 'nope.md')));
    expect(e.message).toMatch(/not found/);
    expect(e.file).toBe(join(dir, 'nope.md'));
  });
  it('a file that is not .md is bad input', async () => {
    write('book.txt', '# x');
    await badInputAsync(() => loadRunbook(join(dir, 'book.txt')));
  });
  it('bad input inside the file names the file and line', async () => {
    write('book.md', md('# A', '```bash {bogus}', 'x', '```'));
    const e = await badInputAsync(() => loadRunbook(join(dir, 'book.md')));
    expect([e.file, e.line]).toEqual([join(dir, 'book.md'), 2]);
  });
  it('shows files under the working directory relative to it', async () => {
    const e = await badInputAsync(() => loadRunbook('test/parser/__missing__.md'));
    expect(e.file).toBe(join('test', 'parser', '__missing__.md'));
  });
});

describe('loadRunbook: a directory', () => {
  it('plays its .md files in name order as one runbook', async () => {
    write('10-last.md', md('# Last', '```bash', 'c', '```'));
    write('00-first.md', md('# First', '```bash', 'a', '```'));
    write('01-middle.md', md('# Middle', '```bash', 'b', '```'));
    const rb = await loadRunbook(dir);
    expect(rb.sources.map((s) => s.file)).toEqual(['00-first.md', '01-middle.md', '10-last.md'].map((n) => join(dir, n)));
    expect(rb.steps.map((s) => s.body)).toEqual(['a\n', 'b\n', 'c\n']);
  });
  it('excludes README.md in any case and non-.md files', async () => {
    write('Readme.MD', md('# Landing', '```bash', 'no', '```'));
    write('notes.txt', 'x');
    write('01-a.md', md('# A', '```bash', 'yes', '```'));
    const rb = await loadRunbook(dir);
    expect(rb.steps.map((s) => s.body)).toEqual(['yes\n']);
  });
  it('does not recurse into subdirectories', async () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', '00.md'), md('```bash', 'nested', '```'));
    write('01-a.md', md('# A'));
    expect((await loadRunbook(dir)).sources).toHaveLength(1);
  });
  it('a directory without runbook files is bad input', async () => {
    write('README.md', '# only a landing page');
    const e = await badInputAsync(() => loadRunbook(dir));
    expect(e.message).toMatch(/no runbook \.md files/);
  });
  it('section and step indexes run across files', async () => {
    write('00-a.md', md('# A', '# B', '```bash', 'x', '```'));
    write('01-c.md', md('# C', '```bash', 'y', '```'));
    const rb = await loadRunbook(dir);
    expect(rb.sections.map((s) => s.title)).toEqual(['A', 'B', 'C']);
    expect(rb.steps.map((s) => s.sectionIndex)).toEqual([1, 2]);
    expect(rb.sections[2].stepIds).toEqual(['c']);
  });
  it('derived ids stay unique across files', async () => {
    write('00-a.md', md('# Install', '```bash', 'x', '```'));
    write('01-b.md', md('# Install', '```bash', 'y', '```'));
    expect((await loadRunbook(dir)).steps.map((s) => s.id)).toEqual(['install', 'install-2']);
  });
  it('a duplicate explicit id across files names both files', async () => {
    write('00-a.md', md('```bash {id=same}', 'x', '```'));
    write('01-b.md', md('', '```bash {id=same}', 'y', '```'));
    const e = await badInputAsync(() => loadRunbook(dir));
    expect([e.file, e.line]).toEqual([join(dir, '01-b.md'), 2]);
    expect(e.message).toContain(`${join(dir, '00-a.md')}:1`);
  });
  it('later files override earlier vars and secret vars accumulate', async () => {
    write('00-a.md', md('---', 'vars:', '  a: 1', '  b: 1', '  t: {value: x, secret: true}', '---'));
    write('01-b.md', md('---', 'vars:', '  b: 2', '---'));
    const rb = await loadRunbook(dir);
    expect(rb.vars).toEqual({ a: 1, b: 2, t: 'x' });
    expect(rb.secretVars).toEqual(['t']);
  });
  it('each file front matter hosts applies to its own steps only', async () => {
    write('00-a.md', md('---', 'hosts: web', '---', '```bash', 'x', '```'));
    write('01-b.md', md('```bash', 'y', '```'));
    expect((await loadRunbook(dir)).steps.map((s) => s.hosts)).toEqual(['web', 'all']);
  });
  it('takes the title from the first file, else the directory name', async () => {
    write('00-a.md', md('## no h1 here'));
    write('01-b.md', md('---', 'title: Later', '---'));
    const rb = await loadRunbook(dir);
    expect(rb.title).toBe(dir.split('/').pop());
  });
  it('takes the first inventory found, resolved against its own file', async () => {
    mkdirSync(join(dir, 'inv'));
    write('00-a.md', md('# A'));
    write('01-b.md', md('---', 'inventory: inv/hosts.ini', '---'));
    expect((await loadRunbook(dir)).inventory).toBe(join(dir, 'inv', 'hosts.ini'));
  });
});
