// `runbook skip` and `runbook mark-done`: the player's s, S and m, headlessly, recorded with who,
// when and why (issue 9, item 14). Built CLI against real OpenSSH servers on loopback.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fence } from '../helpers/markdown.js';
import { useSshLab } from '../helpers/sshLab.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';

const lab = useSshLab(2);

function setup() {
  const dir = sharedTempDir();
  const rb = writeFile(dir, 'book.md', `# Manual\n\n${fence('id=a hosts=all', `touch ${dir}/{{ host.name }}.a`)}\n${fence('id=b hosts=all', `touch ${dir}/{{ host.name }}.b`)}`);
  const state = join(dir, 'state.jsonl');
  const cli = (...args: string[]) => runCli([...args.slice(0, 1), rb, '-i', lab.inv, '--state', state, ...args.slice(1)], { cwd: dir });
  const run = () => cli('run', ...lab.ssh);
  const status = async () => JSON.parse((await cli('status', '--json')).stdout);
  return { dir, rb, state, cli, run, status };
}

describe('runbook skip', () => {
  it('records the step skipped on every targeted host with who, when and why, and run passes it', async () => {
    const t = setup();
    const before = Date.now();
    const r = await t.cli('skip', '--step', 'a', '--reason', 'done by the vendor');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/h1\s+skipped \(by \S+@\S+: done by the vendor\)/);
    const st = await t.status();
    for (const h of ['h1', 'h2']) {
      const c = st.steps[0].hosts[h];
      expect(c).toMatchObject({ status: 'skipped', reason: 'done by the vendor' });
      expect(c.by).toMatch(/^\S+@\S+$/);
      expect(Date.parse(c.endedAt)).toBeGreaterThanOrEqual(before - 1000);
    }
    expect((await t.run()).code).toBe(0);
    expect(existsSync(join(t.dir, 'h1.a'))).toBe(false);
    expect(existsSync(join(t.dir, 'h1.b'))).toBe(true);
  });

  it('narrows to one host with --host and leaves the other pending', async () => {
    const t = setup();
    expect((await t.cli('skip', '--step', 'a', '--host', 'h2', '--reason', 'not needed')).code).toBe(0);
    const st = await t.status();
    expect(st.steps[0].hosts.h2.status).toBe('skipped');
    expect(st.steps[0].hosts.h1.status).toBe('pending');
  });

  it('refuses without --reason, and a mistyped step or host, with exit 2 and nothing recorded', async () => {
    const t = setup();
    const noReason = await t.cli('skip', '--step', 'a');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason/);
    const typo = await t.cli('skip', '--step', 'aa', '--reason', 'x');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/did you mean `a`\?/);
    const host = await t.cli('mark-done', '--step', 'a', '--host', 'h9', '--reason', 'x');
    expect(host.code).toBe(2);
    expect(host.stderr).toMatch(/--host h9: no such host/);
    expect(existsSync(t.state) ? readFileSync(t.state, 'utf8') : '').not.toMatch(/"t":"rec"/);
  });
});

describe('runbook mark-done', () => {
  it('records done-manual on a failed host, which run then passes', async () => {
    const t = setup();
    writeFile(t.dir, 'book.md', `# Manual\n\n${fence('id=a hosts=all', 'test {{ host.name }} != h2')}\n${fence('id=b hosts=all', `touch ${t.dir}/{{ host.name }}.b`)}`);
    expect((await t.run()).code).toBe(1);
    const r = await t.cli('mark-done', '--step', 'a', '--host', 'h2', '--reason', 'fixed by hand, ticket OPS-12');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const c = (await t.status()).steps[0].hosts.h2;
    expect(c).toMatchObject({ status: 'done-manual', reason: 'fixed by hand, ticket OPS-12', attempts: 1 });
    expect(c.message).toMatch(/^marked done by \S+@\S+: fixed by hand, ticket OPS-12$/);
    expect((await t.run()).code).toBe(0);
    expect(existsSync(join(t.dir, 'h2.b'))).toBe(true);
  });

  it('leaves a host where the step is already ok as it is', async () => {
    const t = setup();
    expect((await t.run()).code).toBe(0);
    const r = await t.cli('mark-done', '--step', 'a', '--reason', 'x');
    expect(r.stdout).toMatch(/h1\s+already ok: left as it is/);
    expect((await t.status()).steps[0].hosts.h1.status).toBe('ok');
  });
});
