// Variables from --var-file FILE (YAML, 0600) and RUNBOOK_VAR_<name> environment variables, besides
// --var: precedence (saved < env < file < --var), the 0600 check, secret marking, and no child
// process inheriting RUNBOOK_VAR_*. Through the built CLI, steps on the local machine.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';

const BOOK = ['---', 'vars:', '  a: front', '  b: front', '  c: front', '---', '# Vars', '', fence('id=show', 'echo "a={{ a }} b={{ b }} c={{ c }}"\nenv | grep -c ^RUNBOOK_VAR_ || true')].join('\n');

function setup(book = BOOK) {
  const dir = sharedTempDir('rb-varsrc-');
  const rb = writeFile(dir, 'book.md', book);
  const varFile = (name: string, text: string, mode = 0o600): string => {
    const f = writeFile(dir, name, text);
    chmodSync(f, mode);
    return f;
  };
  const log = (): string => {
    const d = join(dir, '.runbook', 'logs', 'book', 'show');
    return readdirSync(d).map((f) => readFileSync(join(d, f), 'utf8')).join('');
  };
  return { dir, rb, varFile, log };
}

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? filesUnder(join(d, n)) : [join(d, n)]));
}

describe('--var-file and RUNBOOK_VAR_*', () => {
  it('later wins: front matter < RUNBOOK_VAR_* < --var-file (in order) < --var', async () => {
    const t = setup();
    const f1 = t.varFile('one.yaml', 'a: file1\nb: file1\nc: file1\n');
    const f2 = t.varFile('two.yaml', 'b: file2\nc: file2\n');
    const env = { RUNBOOK_VAR_a: 'env', RUNBOOK_VAR_b: 'env', RUNBOOK_VAR_c: 'env' };
    const r = await runCli(['run', t.rb, '--var-file', f1, '--var-file', f2, '--var', 'c=cli'], { cwd: t.dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(t.log()).toContain('a=file1 b=file2 c=cli');
    // A fresh state: with the first run's state, its --var c=cli would be reused (session memory).
    const only = await runCli(['run', t.rb, '--force', '--state', join(t.dir, '.runbook', 'fresh.state.jsonl')], { cwd: t.dir, env: { RUNBOOK_VAR_a: 'env' } });
    expect(only.code, only.stderr).toBe(0);
    expect(t.log()).toContain('a=env b=front c=front');
  });

  it('a step never inherits RUNBOOK_VAR_* in its environment', async () => {
    const t = setup();
    const r = await runCli(['run', t.rb], { cwd: t.dir, env: { RUNBOOK_VAR_a: 'env-value-x' } });
    expect(r.code, r.stderr).toBe(0);
    expect(t.log()).toMatch(/a=env-value-x b=front c=front\n0\n/);
  });

  it('a --var-file that group or others may read is refused with exit 2 before anything is written', async () => {
    const t = setup();
    const f = t.varFile('open.yaml', 'a: x\n', 0o644);
    const r = await runCli(['run', t.rb, '--var-file', f], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--var-file is readable or writable by others (mode 0644)');
    expect(r.stderr).toContain(`chmod 600 ${f}`);
    expect(existsSync(join(t.dir, '.runbook'))).toBe(false);
  });

  it('a malformed --var-file names its file and line (exit 2); a missing one is bad input too', async () => {
    const t = setup();
    const f = t.varFile('bad.yaml', 'a: ok\nb: [1, 2]\n');
    const r = await runCli(['run', t.rb, '--var-file', f], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:2:`);
    const missing = await runCli(['run', t.rb, '--var-file', join(t.dir, 'nope.yaml')], { cwd: t.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--var-file not found');
  });

  it('RUNBOOK_VAR_ with a name that is not a variable name is refused with exit 2', async () => {
    const t = setup();
    const r = await runCli(['plan', t.rb], { cwd: t.dir, env: { 'RUNBOOK_VAR_1x': 'v' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('RUNBOOK_VAR_1x');
  });

  it('secrets from a var file (by name, or marked {value, secret: true}) and from the environment are masked everywhere', async () => {
    const book = ['# Secret sources', '', fence('id=show', 'echo "pw={{ db_password }} admin={{ admin }} tok={{ api_token }}"'), fence('id=fail verify="test {{ admin }} = x"', 'true')].join('\n');
    const t = setup(book);
    const f = t.varFile('s.yaml', 'db_password: FilePw-77aQ\nadmin: {value: Marked-19zX, secret: true}\n');
    const env = { RUNBOOK_VAR_api_token: 'EnvTok-52kP' };
    const outs = [
      await runCli(['run', t.rb, '--var-file', f], { cwd: t.dir, env }),
      await runCli(['run', t.rb, '--var-file', f, '--json', '--force'], { cwd: t.dir, env }),
      await runCli(['plan', t.rb, '--var-file', f], { cwd: t.dir, env }),
      await runCli(['status', t.rb, '--json', '--var-file', f], { cwd: t.dir, env }),
    ];
    expect(outs[0].code, outs[0].stderr).toBe(1); // the verify fails
    expect(t.log()).toContain('pw=******** admin=******** tok=********');
    for (const secret of ['FilePw-77aQ', 'Marked-19zX', 'EnvTok-52kP']) {
      for (const o of outs) expect(o.stdout + o.stderr).not.toContain(secret);
      for (const file of filesUnder(join(t.dir, '.runbook'))) expect(readFileSync(file, 'utf8'), file).not.toContain(secret);
    }
  });

  it('a --var-file accepts secret-looking names (unlike the vars file the player saves)', async () => {
    const t = setup();
    const f = t.varFile('ok.yaml', 'join_token: abcd-efgh\n');
    const r = await runCli(['plan', t.rb, '--var-file', f], { cwd: t.dir });
    expect(r.code, r.stderr).toBe(0);
  });
});
