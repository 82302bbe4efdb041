// Progress follows the runbook, not the current directory (issue 9, item 4). Built CLI, real sshd.
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fence } from '../helpers/markdown.js';
import { useSshLab } from '../helpers/sshLab.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';

const lab = useSshLab(2);

function setup() {
  const dir = sharedTempDir();
  mkdirSync(join(dir, 'ops'));
  mkdirSync(join(dir, 'elsewhere'));
  const rb = writeFile(join(dir, 'ops'), 'site.md', `# Once\n\n${fence('id=count hosts=all', `echo x >> ${dir}/{{ host.name }}.count`)}`);
  const run = (cwd: string, ...extra: string[]) => runCli(['run', rb, '-i', lab.inv, ...lab.ssh, ...extra], { cwd });
  return { dir, rb, run };
}

describe('the default state location', () => {
  it('is beside the runbook, so a run from another directory does not repeat done steps', async () => {
    const t = setup();
    expect((await t.run(join(t.dir, 'ops'))).code).toBe(0);
    expect(existsSync(join(t.dir, 'ops', '.runbook', 'site.state.jsonl'))).toBe(true);
    const again = await t.run(join(t.dir, 'elsewhere'));
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(readFileSync(join(t.dir, 'h1.count'), 'utf8')).toBe('x\n');
    expect(existsSync(join(t.dir, 'elsewhere', '.runbook'))).toBe(false);
  });

  it('refuses (exit 2, naming both paths) when the state an older version kept under the current directory exists', async () => {
    const t = setup();
    expect((await t.run(join(t.dir, 'ops'))).code).toBe(0);
    // What an older runbook run from `elsewhere` would have left: the state under that directory.
    renameSync(join(t.dir, 'ops', '.runbook'), join(t.dir, 'elsewhere', '.runbook'));
    const r = await t.run(join(t.dir, 'elsewhere'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(t.dir, 'elsewhere', '.runbook', 'site.state.jsonl'));
    expect(r.stderr).toContain(join(t.dir, 'ops', '.runbook', 'site.state.jsonl'));
    expect(readFileSync(join(t.dir, 'h1.count'), 'utf8')).toBe('x\n');
    const status = await runCli(['status', t.rb, '--state', join(t.dir, 'elsewhere', '.runbook', 'site.state.jsonl')], { cwd: t.dir });
    expect(status.stdout).toMatch(/2\/2 host-steps done/);
  });
});
