import { describe, it, expect } from 'vitest';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { badInput, md } from './helpers.js';

const fm = (...yamlLines: string[]) => parseRunbookText(md('---', ...yamlLines, '---', '# Body'), '/srv/books/fm.md');

describe('front matter: valid', () => {
  it('reads title, description and hosts', () => {
    const rb = fm('title: Upgrade', 'description: Rolling upgrade', 'hosts: masters');
    expect(rb.sources[0].frontMatter).toMatchObject({ title: 'Upgrade', description: 'Rolling upgrade', hosts: 'masters' });
    expect(rb.title).toBe('Upgrade');
    expect(rb.description).toBe('Rolling upgrade');
  });
  it('reads vars of any YAML type', () => {
    expect(fm('vars:', '  port: 8080', '  names: [a, b]', '  tls: {enabled: true}').vars).toEqual({ port: 8080, names: ['a', 'b'], tls: { enabled: true } });
  });
  it('a var written {value, secret: true} is secret and takes the value', () => {
    const rb = fm('vars:', '  token: {value: s3cr3t, secret: true}', '  plain: 1');
    expect(rb.vars).toEqual({ token: 's3cr3t', plain: 1 });
    expect(rb.secretVars).toEqual(['token']);
  });
  it('a var written {value, secret: false} is not secret', () => {
    const rb = fm('vars:', '  x: {value: 1, secret: false}');
    expect(rb.vars).toEqual({ x: 1 });
    expect(rb.secretVars).toEqual([]);
  });
  it('resolves inventory relative to the runbook file', () => {
    expect(fm('inventory: ../inv/hosts.yml').inventory).toBe(resolve('/srv/inv/hosts.yml'));
  });
  it('expands ~ in the inventory path', () => {
    expect(fm('inventory: ~/inv.yml').inventory).toBe(join(homedir(), 'inv.yml'));
  });
  it('empty front matter is allowed', () => {
    expect(fm().sources[0].frontMatter).toEqual({ vars: {}, secretVars: [] });
  });
  it('a file without front matter has empty vars', () => {
    const rb = parseRunbookText(md('# Only body'), 'x.md');
    expect([rb.vars, rb.secretVars, rb.inventory]).toEqual([{}, [], undefined]);
  });
  it('a --- later in the file is not front matter', () => {
    const rb = parseRunbookText(md('# Title', '---', 'title: nope', '---'), 'x.md');
    expect(rb.title).toBe('Title');
  });
});

describe('front matter: bad input', () => {
  it('malformed YAML reports the file line of the error', () => {
    const e = badInput(() => fm('title: ok', 'vars:', '  a: [1, 2', 'hosts: x'));
    expect(e.file).toBe('/srv/books/fm.md');
    expect(e.message).toMatch(/malformed front matter/);
    expect(e.line).toBe(5); // the line where YAML finds the flow sequence unterminated
  });
  it('a tab-indented line is reported at its file line', () => {
    const e = badInput(() => fm('title: ok', 'description: x', '\tbad: y'));
    expect(e.line).toBe(4);
    expect(e.message).not.toMatch(/at line/);
  });
  it('a duplicate key is malformed', () => {
    expect(badInput(() => fm('title: a', 'title: b')).line).toBe(3);
  });
  it('an unknown key is kept and ignored, with one warning at its line and a suggestion', () => {
    const rb = fm('title: a', 'host: web');
    expect(rb.sources[0].frontMatter.ignored).toEqual({ host: 'web' });
    expect(rb.warnings).toEqual([{ file: expect.stringMatching(/fm\.md$/), line: 3, message: 'front matter key `host` (did you mean `hosts`?) is not runbook\'s: kept and ignored' }]);
  });
  it('a wrong type is reported at the value line', () => {
    const e = badInput(() => fm('title: a', 'hosts:', '  - web', '  - db'));
    expect(e.message).toMatch(/hosts must be a string/);
    expect(e.line).toBe(4);
  });
  it('vars that are not a mapping are rejected', () => {
    const e = badInput(() => fm('vars: [a, b]'));
    expect(e.message).toMatch(/vars must be a mapping/);
    expect(e.line).toBe(2);
  });
  it('front matter that is not a mapping is rejected', () => {
    expect(badInput(() => fm('- a', '- b')).line).toBe(2);
  });
  it('an unclosed front matter block is reported at line 1', () => {
    const e = badInput(() => parseRunbookText(md('---', 'title: x', '# body'), 'x.md'));
    expect(e.line).toBe(1);
    expect(e.message).toMatch(/not closed/);
  });
  it('reserved variable names are rejected at their line', () => {
    const e = badInput(() => fm('vars:', '  a: 1', '  host: x'));
    expect(e.message).toMatch(/reserved/);
    expect(e.line).toBe(4);
  });
  it('variable names must be identifiers', () => {
    expect(badInput(() => fm('vars:', '  my-var: 1')).message).toMatch(/bad variable name/);
  });
  it('a non-boolean secret flag on a var is rejected', () => {
    const e = badInput(() => fm('vars:', '  t: {value: x, secret: maybe}'));
    expect(e.line).toBe(3);
  });
  it('an empty hosts value is rejected', () => {
    expect(badInput(() => fm('hosts: ""')).line).toBe(2);
  });
});

describe('front matter: YAML features', () => {
  it('aliases expand to the anchored value', () => {
    expect(fm('vars:', '  a: &x [1, 2]', '  b: *x').vars).toEqual({ a: [1, 2], b: [1, 2] });
  });
  it('an undefined alias is bad input, not a crash', () => {
    const e = badInput(() => fm('vars:', '  b: *nope'));
    expect(e.message).toMatch(/malformed front matter/);
  });
});
