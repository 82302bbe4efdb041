// Bad input through the built CLI: exit 2, a `file:line:` message, no stack trace, and the state
// file byte for byte untouched; a corrupted state file is set aside by `runbook reset`, never
// overwritten silently.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';

const GOOD = '# Good\n\n```bash {id=one}\necho one\n```\n';
const STACK = /\n\s+at /;

/** A work dir with a runbook and an existing valid state file (made by a real run). */
async function workDir(runbook = GOOD) {
  const dir = sharedTempDir();
  const rb = writeFile(dir, 'book.md', GOOD);
  const state = join(dir, 'state.jsonl');
  const first = await runCli(['run', rb, '--state', state], { cwd: dir });
  expect(first.code, first.stderr).toBe(0);
  writeFileSync(rb, runbook);
  return { dir, rb, state, before: readFileSync(state) };
}

const CASES: { name: string; runbook?: string; inventory?: string; where: RegExp; cmds?: readonly ('run' | 'plan' | 'status')[] }[] = [
  { name: 'an unknown step attribute', runbook: '# T\n\n```bash {id=one sudoo}\necho\n```\n', where: /book\.md:3: / },
  { name: 'a duplicate step id', runbook: '# T\n\n```bash {id=one}\necho\n```\n\n```bash {id=one}\necho\n```\n', where: /book\.md:7: / },
  { name: 'a wrong type in front matter', runbook: '---\nvars: [1, 2]\n---\n# T\n\n```bash {id=one}\necho\n```\n', where: /book\.md:2: / },
  { name: 'binary garbage in front matter', runbook: '---\n\u0000\u0001\uFFFD: [\u0007\n---\n# T\n', where: /book\.md:\d+: / },
  { name: 'front matter nested 50,000 levels deep', runbook: `---\ntitle: ${'{'.repeat(50_000)}\n---\n# T\n`, where: /book\.md:2: / },
  { name: 'a host pattern that matches nothing', runbook: '# T\n\n```bash {id=one hosts=nowhere}\necho\n```\n', inventory: 'all:\n  hosts:\n    h1: {ansible_connection: local}\n', where: /book\.md:3: /, cmds: ['run', 'plan'] /* status only reads the state */ },
  { name: 'an inventory with a wrong type', inventory: 'all:\n  hosts:\n    h1:\n      ansible_port: [22]\n', where: /inv\.yaml:4: / },
  { name: 'an inventory range of a hundred million hosts', inventory: 'all:\n  hosts:\n    web[1:100000000]:\n', where: /inv\.yaml:3: / },
];

describe('bad input through the CLI', () => {
  for (const c of CASES) {
    it(`exits 2 with file:line and no stack trace, state untouched: ${c.name}`, async () => {
      const w = await workDir(c.runbook ?? GOOD);
      const inv = c.inventory ? ['-i', writeFile(w.dir, 'inv.yaml', c.inventory)] : [];
      for (const cmd of c.cmds ?? (['run', 'plan', 'status'] as const)) {
        const r = await runCli([cmd, w.rb, '--state', w.state, ...inv], { cwd: w.dir });
        expect(r.code, `${cmd}: ${r.stdout}${r.stderr}`).toBe(2);
        // plan lists every step and reports per-step problems on stdout; the others on stderr
        expect(cmd === 'plan' ? r.stdout + r.stderr : r.stderr, cmd).toMatch(c.where);
        expect(r.stdout + r.stderr, cmd).not.toMatch(STACK);
      }
      expect(Buffer.compare(readFileSync(w.state), w.before)).toBe(0);
    });
  }

  it('refuses a corrupted state file with exit 2, file:line and the way forward, leaving it untouched', async () => {
    const w = await workDir();
    const corrupt = Buffer.concat([w.before, Buffer.from('{"t":"rec","step":"one"\n{"t":"reset"}\n')]);
    writeFileSync(w.state, corrupt);
    for (const cmd of ['run', 'status'] as const) {
      const r = await runCli([cmd, w.rb, '--state', w.state], { cwd: w.dir });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/state\.jsonl:\d+: /);
      expect(r.stderr).toMatch(/runbook reset/);
      expect(r.stderr).not.toMatch(STACK);
    }
    expect(Buffer.compare(readFileSync(w.state), corrupt)).toBe(0);
  });

  it('refuses a state file of another runbook or a newer schema version, leaving it untouched', async () => {
    const w = await workDir();
    for (const header of [
      JSON.stringify({ schema: 'runbook-state', version: 1, runbook: '/elsewhere/other.md', createdAt: 'x' }),
      JSON.stringify({ schema: 'runbook-state', version: 99, runbook: w.rb, createdAt: 'x' }),
    ]) {
      const bytes = Buffer.from(`${header}\n`);
      writeFileSync(w.state, bytes);
      const r = await runCli(['run', w.rb, '--state', w.state], { cwd: w.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/state\.jsonl:1: /);
      expect(r.stderr).not.toMatch(STACK);
      expect(Buffer.compare(readFileSync(w.state), bytes)).toBe(0);
    }
  });

  it('runbook reset sets a corrupted state file aside (kept byte for byte) and the next run starts afresh', async () => {
    const w = await workDir();
    const corrupt = Buffer.from('this is not a state file\n\u0000\u0001\n');
    writeFileSync(w.state, corrupt);
    const r = await runCli(['reset', w.rb, '--state', w.state], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kept aside as .*state\.jsonl\.corrupt-/);
    const aside = readdirSync(w.dir).filter((f) => f.startsWith('state.jsonl.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(Buffer.compare(readFileSync(join(w.dir, aside[0])), corrupt)).toBe(0);
    expect(existsSync(w.state)).toBe(false);
    expect((await runCli(['run', w.rb, '--state', w.state], { cwd: w.dir })).code).toBe(0);
  });
});
