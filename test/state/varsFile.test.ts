import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadInputError } from '../../src/engine/errors.js';
import { resolveStatePaths } from '../../src/engine/state/paths.js';
import { loadSavedVars, saveVar } from '../../src/engine/state/varsFile.js';

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rb-vars-'));
  dir = d;
  return d;
}

async function badInput(p: Promise<unknown>): Promise<BadInputError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(BadInputError);
  return e as BadInputError;
}

describe('vars file', () => {
  it('lives next to the state file as <runbook name>.vars.yaml', () => {
    expect(resolveStatePaths('books/site.md', { cwd: '/srv/ops' }).varsFile).toBe('/srv/ops/books/.runbook/site.vars.yaml');
    expect(resolveStatePaths('site.md', { cwd: '/w', stateFile: 'st/prod.jsonl' }).varsFile).toBe('/w/st/site.vars.yaml');
  });

  it('a missing file loads as no variables', async () => {
    expect(await loadSavedVars(join(tmp(), 'none.vars.yaml'))).toEqual({});
  });

  it('saving creates the file 0600 in a 0700 directory and it loads back', async () => {
    const file = join(tmp(), '.runbook', 'site.vars.yaml');
    await saveVar(file, 'region', 'eu-west-1');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    expect(await loadSavedVars(file)).toEqual({ region: 'eu-west-1' });
  });

  it('saving merges with the names already there, keeps the operator’s comments and replaces the same name', async () => {
    const file = join(tmp(), 'site.vars.yaml');
    writeFileSync(file, '# mine\nregion: eu\nport: 8080\n');
    await saveVar(file, 'region', 'us');
    await saveVar(file, 'motd', 'two\nlines: "quoted"');
    expect(await loadSavedVars(file)).toEqual({ region: 'us', port: '8080', motd: 'two\nlines: "quoted"' });
    expect(readFileSync(file, 'utf8')).toContain('# mine');
  });

  it('concurrent saves to one file all land', async () => {
    const file = join(tmp(), 'site.vars.yaml');
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => saveVar(file, n, `v-${n}`)));
    expect(await loadSavedVars(file)).toEqual({ a: 'v-a', b: 'v-b', c: 'v-c', d: 'v-d' });
  });

  it('values that look like numbers or booleans stay text', async () => {
    const file = join(tmp(), 'site.vars.yaml');
    await saveVar(file, 'port', '0080');
    await saveVar(file, 'flag', 'yes');
    expect(await loadSavedVars(file)).toEqual({ port: '0080', flag: 'yes' });
  });

  it('a secret-looking name is refused and nothing is written', async () => {
    const file = join(tmp(), 'site.vars.yaml');
    for (const name of ['api_token', 'db_password', 'ssh_key']) {
      const e = await badInput(saveVar(file, name, 'hunter22'));
      expect(e.message).toContain('secrets are kept in memory only');
    }
    expect(() => statSync(file)).toThrow();
  });

  it('a malformed file is a bad-input error with its file and line, and saving leaves it untouched', async () => {
    const file = join(tmp(), 'site.vars.yaml');
    const text = 'region: eu\nport: [1,\n';
    writeFileSync(file, text);
    const e = await badInput(loadSavedVars(file));
    expect(e.file).toBe(file);
    expect(e.line).toBeGreaterThanOrEqual(2);
    await badInput(saveVar(file, 'x', 'y'));
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a nested value, a bad name or a secret name in the file is refused at its line', async () => {
    const file = join(tmp(), 'site.vars.yaml');
    for (const [text, line] of [['a: 1\nb:\n  c: 2\n', 2], ['a: 1\n"not a name": 2\n', 2], ['a: 1\nb: 2\nadmin_password: x\n', 3], ['a:\n', 1]] as const) {
      writeFileSync(file, text);
      const e = await badInput(loadSavedVars(file));
      expect({ text, line: e.line }).toEqual({ text, line });
    }
  });

  it('a file that is not a mapping is refused', async () => {
    const file = join(tmp(), 'site.vars.yaml');
    writeFileSync(file, '- a\n- b\n');
    expect((await badInput(loadSavedVars(file))).message).toContain('mapping');
    const sub = join(file, '..', 'd.vars.yaml');
    mkdirSync(sub);
    await badInput(loadSavedVars(sub));
  });
});
