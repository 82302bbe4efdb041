// What `runbook run` prints while and after it runs (issue 9, items 9, 12, 13, 16): the last output
// LINE as a host's summary, logs with a header and a footer, log paths usable as printed, live
// output with --follow, a heartbeat for long steps, edited steps named. Built CLI, real sshd.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fence } from '../helpers/markdown.js';
import { useSshLab } from '../helpers/sshLab.js';
import { runCli, sharedTempDir, startCli, writeFile } from '../helpers/cli.js';

const lab = useSshLab(2);

function setup(markdown: string) {
  const dir = sharedTempDir();
  const rb = writeFile(dir, 'book.md', markdown.replaceAll('$DIR', dir));
  const state = join(dir, 'st', 'state.jsonl');
  const args = (...extra: string[]) => ['run', rb, '-i', lab.inv, ...lab.ssh, '--state', state, ...extra];
  return { dir, rb, state, args, run: (...extra: string[]) => runCli(args(...extra), { cwd: dir }) };
}

describe('a failed host\'s one-line summary', () => {
  it('is the last line of its output, not the last chunk', async () => {
    const t = setup(`# Disk\n\n${fence('id=disk hosts=h1', "printf 'ERROR: disk /dev/sdb'\nsleep 0.3\nprintf ' is full\\n'\nexit 1")}`);
    const r = await t.run();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/h1\s+failed.*exit 1 {2}\| ERROR: disk \/dev\/sdb is full {2}\(log: /);
  });
});

describe('step logs', () => {
  it('open with the step, host, attempt, start time and masked command, and end with exit code, signal and duration', async () => {
    const t = setup(`# Log\n\n${fence('id=logged hosts=h1', 'echo "pw={{ db_password }}"\nexit 3')}`);
    const r = await t.run('--var', 'db_password=hunter2-very-secret');
    expect(r.code).toBe(1);
    const rel = /\(log: ([^)]+)\)/.exec(r.stdout)![1];
    const log = readFileSync(resolve(t.dir, rel), 'utf8');
    const h1 = lab.fx.hosts[0];
    expect(log).toMatch(new RegExp(`^### runbook: step logged on host h1 \\(rbtest@${h1.address.replaceAll('.', '\\.')}:${h1.port}\\), attempt 1\\n### runbook: started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\n### runbook: command:\\n`));
    expect(log).toContain('echo "pw=********"\nexit 3\n### runbook: output:\npw=********\n');
    expect(log).toMatch(/### runbook: ended \S+Z: failed, exit code 3, signal none, duration \d+(\.\d+)?m?s\n$/);
    expect(log).not.toContain('hunter2');
  });

  it('are printed with a path usable from the current directory', async () => {
    const t = setup(`# Path\n\n${fence('id=p hosts=h1', 'false')}`);
    const elsewhere = sharedTempDir();
    const r = await runCli(t.args(), { cwd: elsewhere });
    const printed = /\(log: ([^)]+)\)/.exec(r.stdout)![1];
    expect(existsSync(resolve(elsewhere, printed))).toBe(true);
  });
});

describe('live output', () => {
  it('--follow prints each host\'s lines as they arrive, prefixed and masked', async () => {
    const t = setup(`# Follow\n\n${fence('id=talk hosts=all', 'echo "hello from {{ host.name }}"\necho "pw={{ db_password }}"\nprintf "no newline"')}`);
    const r = await t.run('--follow', '--var', 'db_password=hunter2-very-secret');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of ['h1', 'h2']) {
      expect(r.stdout).toContain(`${h} | hello from ${h}\n`);
      expect(r.stdout).toContain(`${h} | pw=********\n`);
      expect(r.stdout).toContain(`${h} | no newline\n`);
    }
    expect(r.stdout).not.toContain('hunter2');
  });

  it('says which hosts a long step is still running on, without --follow', async () => {
    const t = setup(`# Slow\n\n${fence('id=slow hosts=all', 'while [ ! -e $DIR/go ]; do sleep 0.1; done')}`);
    const p = startCli(t.args('--heartbeat', '1s'), { cwd: t.dir });
    await p.waitFor(/… slow still running on h1, h2 \(\d/);
    writeFileSync(join(t.dir, 'go'), '');
    const r = await p.done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe('an edited step', () => {
  it('is named when the run starts and in its final summary', async () => {
    const t = setup(`# Edit\n\n${fence('id=a hosts=all', 'true')}`);
    expect((await t.run()).code).toBe(0);
    writeFile(t.dir, 'book.md', `# Edit\n\n${fence('id=a hosts=all', 'true # edited')}`);
    const r = await t.run();
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^! changed since it ran: `a` \(h1, h2\)/);
    expect(lines.at(-2)).toMatch(/^changed since it ran: `a` \(h1, h2\)/);
  });
});
