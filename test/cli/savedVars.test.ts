// Saved variables (`<state dir>/<runbook>.vars.yaml`, written by the player's "save for next
// time") through the built CLI: `runbook run` loads them just below --var; a malformed file is bad
// input with file:line; a whole `runbook reset` leaves the file alone.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A local runbook whose one step writes `region=<value>` to out.txt, with `vars` as the saved vars file. */
function setup(vars?: string): { dir: string; varsFile: string; out: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'rb-saved-vars-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'book.md'), `# Site\n\n\`\`\`bash {id=show}\necho "region={{ region }}" > ${join(dir, 'out.txt')}\n\`\`\`\n`);
  const varsFile = join(dir, '.runbook', 'book.vars.yaml');
  if (vars !== undefined) {
    mkdirSync(join(dir, '.runbook'), { mode: 0o700 });
    writeFileSync(varsFile, vars, { mode: 0o600 });
  }
  return { dir, varsFile, out: () => readFileSync(join(dir, 'out.txt'), 'utf8').trim() };
}

describe('saved variables in `runbook run`', () => {
  it('a saved value defines the variable the runbook needs', async () => {
    const t = setup('region: eu-west-1\n');
    const r = await runCli(['run', 'book.md'], { cwd: t.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(t.out()).toBe('region=eu-west-1');
  });

  it('--var on the command line wins over the saved value', async () => {
    const t = setup('region: eu-west-1\n');
    const r = await runCli(['run', 'book.md', '--var', 'region=us-east-2'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(t.out()).toBe('region=us-east-2');
  });

  it('without the file the variable is still undefined (exit 2)', async () => {
    const t = setup();
    const r = await runCli(['run', 'book.md'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('undefined variable `region`');
  });

  it('a malformed vars file is bad input naming the file and line, without a stack trace', async () => {
    const t = setup('region: eu-west-1\nzone: { a: 1 }\n');
    const r = await runCli(['run', 'book.md'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${t.varsFile}:2: malformed vars file`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a vars file that is not YAML is bad input with its file and a line', async () => {
    const t = setup('region: "eu-west-1\n');
    const r = await runCli(['run', 'book.md'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${t.varsFile.replace(/[.]/g, '\\.')}:\\d+: malformed vars file`));
  });

  it('a whole `runbook reset` leaves the saved values alone', async () => {
    const text = '# by hand\nregion: eu-west-1\n';
    const t = setup(text);
    expect((await runCli(['run', 'book.md'], { cwd: t.dir })).code).toBe(0);
    const r = await runCli(['reset', 'book.md'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(readFileSync(t.varsFile, 'utf8')).toBe(text);
  });
});
