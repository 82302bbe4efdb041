import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { hasPromptLines } from '../../src/engine/parser/prompts.js';
import { badInput, md } from './helpers.js';

const parse = (text: string) => parseRunbookText(text, 'fences.md');

describe('fenced code blocks', () => {
  it('a bash, sh or shell fence is a shell step', () => {
    const rb = parse(md('```bash', 'a', '```', '```sh', 'b', '```', '```shell', 'c', '```'));
    expect(rb.steps.map((s) => [s.kind, s.lang, s.body])).toEqual([
      ['shell', 'bash', 'a\n'],
      ['shell', 'sh', 'b\n'],
      ['shell', 'shell', 'c\n'],
    ]);
  });
  it('other languages and bare fences are display-only', () => {
    expect(parse(md('```python', 'print(1)', '```', '```', 'plain', '```', '```console', '$ ls', '```')).steps).toEqual([]);
  });
  it('a tilde fence works like a backtick fence', () => {
    expect(parse(md('~~~bash', 'echo hi', '~~~')).steps[0].body).toBe('echo hi\n');
  });
  it('a fence closes only with the same character', () => {
    const rb = parse(md('~~~bash', '```', 'echo hi', '~~~'));
    expect(rb.steps[0].body).toBe('```\necho hi\n');
  });
  it('a longer closing fence closes, a shorter one does not', () => {
    const rb = parse(md('````bash', '```', 'echo inner', '`````'));
    expect(rb.steps[0].body).toBe('```\necho inner\n');
  });
  it('a 4-backtick fence can show a nested 3-backtick bash block without it becoming a step', () => {
    const rb = parse(md('````markdown', '```bash', 'rm -rf /', '```', '````', '```bash', 'echo real', '```'));
    expect(rb.steps.map((s) => s.body)).toEqual(['echo real\n']);
  });
  it('an indented fence (up to 3 spaces) is a step and loses that indentation from its body', () => {
    const rb = parse(md('   ```bash', '   echo a', '     echo b', ' echo c', '   ```'));
    expect(rb.steps[0].body).toBe('echo a\n  echo b\necho c\n');
  });
  it('a fence indented 4 spaces is indented code, not a step', () => {
    expect(parse(md('text', '', '    ```bash', '    echo no', '    ```')).steps).toEqual([]);
  });
  it('a fence inside an HTML comment is not a step', () => {
    expect(parse(md('<!--', '```bash', 'echo commented', '```', '-->')).steps).toEqual([]);
  });
  it('a backtick line with backticks in its info string is not a fence', () => {
    expect(parse(md('``` a`b', 'text')).steps).toEqual([]);
  });
  it('an empty block has an empty body', () => {
    expect(parse(md('```bash', '```')).steps[0].body).toBe('');
  });
  it('keeps the opening fence line and body lines at loc.line + k', () => {
    const text = md('# T', '', 'text', '```bash', 'first', 'second', '```');
    const step = parse(text).steps[0];
    expect(step.loc).toEqual({ file: 'fences.md', line: 4 });
    const fileLines = text.split('\n');
    step.body.trimEnd().split('\n').forEach((bodyLine, k) => expect(fileLines[step.loc.line + (k + 1) - 1]).toBe(bodyLine));
  });
  it('normalises CRLF line endings', () => {
    expect(parse('```bash\r\necho hi\r\n```\r\n').steps[0].body).toBe('echo hi\n');
  });
  it('an unterminated fence is bad input at its opening line', () => {
    const e = badInput(() => parse(md('# T', '', '```bash', 'echo never closed')));
    expect(e.line).toBe(3);
    expect(e.file).toBe('fences.md');
    expect(e.message).toMatch(/never closed/);
  });
  it('a shorter closing fence leaves the block unterminated', () => {
    expect(badInput(() => parse(md('````bash', 'x', '```'))).line).toBe(1);
  });
  it('a file= block is a file step whatever its language', () => {
    const rb = parse(md('```ini {file=/etc/a.ini}', 'a=1', '```', '```bash {file=/usr/local/bin/x mode=0755}', 'echo x', '```'));
    expect(rb.steps.map((s) => [s.kind, s.attrs.file])).toEqual([
      ['file', '/etc/a.ini'],
      ['file', '/usr/local/bin/x'],
    ]);
  });
  it('norun makes any block display-only', () => {
    expect(parse(md('```bash {norun}', 'x', '```', '```ini {file=/a norun}', 'y', '```')).steps).toEqual([]);
  });
  it('attributes on a display-only language are rejected', () => {
    const e = badInput(() => parse(md('', '```zsh {sudo}', 'x', '```')));
    expect(e.line).toBe(2);
    expect(e.hint).toMatch(/only sh, bash and shell/);
  });
  it('a bad attribute reports the opening fence line', () => {
    const e = badInput(() => parse(md('# A', '', '', '```bash {timeout=forever}', 'x', '```')));
    expect(e.located).toMatch(/^fences\.md:4: bad timeout/);
  });
  it('effective hosts default to all, then front matter hosts, then the attribute', () => {
    expect(parse(md('```bash', 'x', '```')).steps[0].hosts).toBe('all');
    const rb = parse(md('---', 'hosts: web', '---', '```bash', 'x', '```', '```bash {hosts=db}', 'y', '```'));
    expect(rb.steps.map((s) => s.hosts)).toEqual(['web', 'db']);
  });
});

describe('sections', () => {
  it('ATX headings start sections with their depth and title', () => {
    const rb = parse(md('# One', 'a', '## Two ##', 'b', '###### Six'));
    expect(rb.sections.map((s) => [s.depth, s.title, s.slug])).toEqual([
      [1, 'One', 'one'],
      [2, 'Two', 'two'],
      [6, 'Six', 'six'],
    ]);
  });
  it('a # inside a fence is not a heading', () => {
    const rb = parse(md('# Real', '```bash', '# comment', 'echo', '```'));
    expect(rb.sections.map((s) => s.title)).toEqual(['Real']);
  });
  it('#hashtag without a space is not a heading', () => {
    expect(parse(md('# Real', '#hashtag')).sections).toHaveLength(1);
  });
  it('content before the first heading is a depth-0 section titled by the runbook', () => {
    const rb = parse(md('---', 'title: Upgrade', '---', 'Read this first.', '', '# Step one'));
    expect(rb.sections[0]).toMatchObject({ depth: 0, title: 'Upgrade', markdown: 'Read this first.', loc: { line: 4 } });
  });
  it('the depth-0 section starts at its first non-blank line', () => {
    expect(parse(md('---', '---', '', '', 'Intro', '# A')).sections[0].loc.line).toBe(5);
  });
  it('blank lines before the first heading make no section', () => {
    expect(parse(md('', '', '# Only')).sections.map((s) => s.depth)).toEqual([1]);
  });
  it('section markdown runs from the heading to before the next heading', () => {
    const rb = parse(md('# A', 'text a', '', '```bash', 'x', '```', '', '# B', 'text b'));
    expect(rb.sections[0].markdown).toBe('# A\ntext a\n\n```bash\nx\n```');
    expect(rb.sections[1].markdown).toBe('# B\ntext b');
  });
  it('sections list their step ids and steps point back to their section', () => {
    const rb = parse(md('# A', '```bash', 'x', '```', '# B', '```bash', 'y', '```', '```bash', 'z', '```'));
    expect(rb.sections.map((s) => s.stepIds)).toEqual([['a'], ['b', 'b-2']]);
    expect(rb.steps.map((s) => s.sectionIndex)).toEqual([0, 1, 1]);
  });
  it('step titles come from the nearest heading with inline code marks removed', () => {
    expect(parse(md('## Disable `swap`', '```bash', 'swapoff -a', '```')).steps[0].title).toBe('Disable swap');
  });
});

describe('runbook title', () => {
  it('is the front matter title first', () => {
    expect(parse(md('---', 'title: FM', '---', '# Heading')).title).toBe('FM');
  });
  it('else the first H1', () => {
    expect(parse(md('## Sub', '# Heading')).title).toBe('Heading');
  });
  it('else the file basename', () => {
    expect(parse(md('## Sub')).title).toBe('fences');
  });
});

describe('body round trip', () => {
  // (A body with a `$ ` line is guessed to be a transcript, whose output lines do not run: interop.test.ts.)
  it('any body without a closing fence line or a `$ ` prompt line comes back exactly, one newline per line', () => {
    const line = fc.string({ unit: 'grapheme-ascii' }).filter((l) => !/^ {0,3}`{3,}\s*$/.test(l));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const text = ['# T', '```bash', ...lines, '```', ''].join('\n');
        const body = lines.map((l) => l + '\n').join('');
        fc.pre(!hasPromptLines(body));
        expect(parse(text).steps[0].body).toBe(body);
      }),
    );
  });
});
