// Exit codes and counts are claims: each one says what really happened (issue 9, items 1, 2, 3, 11).
// The built CLI against real OpenSSH servers on loopback.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_MEANING } from '../../src/engine/errors.js';
import { fence } from '../helpers/markdown.js';
import { useSshLab } from '../helpers/sshLab.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';

const lab = useSshLab(3, { groups: { masters: ['h1', 'h2'], workers: ['h3'] } });

function setup(markdown: string) {
  const dir = sharedTempDir();
  const rb = writeFile(dir, 'book.md', markdown.replaceAll('$DIR', dir));
  const state = join(dir, 'state.jsonl');
  const ssh = lab.ssh;
  return {
    dir,
    rb,
    state,
    run: (...extra: string[]) => runCli(['run', rb, '-i', lab.inv, ...ssh, '--state', state, ...extra], { cwd: dir }),
    cli: (...args: string[]) => runCli(args, { cwd: dir }),
  };
}

describe('continue_on_error failures (item 1)', () => {
  it('ends the run with exit 1 and names the hosts where the tolerated step failed', async () => {
    const t = setup(`# Tolerant\n\n${fence('id=probe hosts=all continue_on_error', 'test {{ host.name }} != h2 || { echo "ERROR: disk /dev/sdb is full" >&2; exit 3; }')}\n${fence('id=after hosts=all', 'true')}`);
    const r = await t.run();
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.STEP_FAILED);
    expect(r.stdout).not.toMatch(/every step is complete/);
    expect(r.stdout).toMatch(/finished with failures.*`probe` \(h2 failed\)/);
    const st = JSON.parse((await t.cli('status', t.rb, '-i', lab.inv, '--state', t.state, '--json')).stdout);
    expect(st.steps[0].hosts.h2.status).toBe('failed');
    expect(st.steps[1].hosts.h2.status).toBe('ok');
  });
});

describe('continue_on_error failures before the run stops for another reason', () => {
  it('a stop before a confirm step still exits 1 and names the tolerated failure', async () => {
    const t = setup(`# Tolerant\n\n${fence('id=probe hosts=all continue_on_error', 'test {{ host.name }} != h3 || exit 3')}\n${fence('id=drain hosts=all confirm="drains the node"', 'true')}`);
    const r = await t.run();
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.STEP_FAILED);
    expect(r.stdout).toMatch(/stopped before step `drain`: it needs confirmation.*; earlier, continue_on_error let the run go on past `probe` \(h3 failed\)/);
  });

  it('a step that fails after a tolerated failure names both', async () => {
    const t = setup(`# Tolerant\n\n${fence('id=probe hosts=all continue_on_error', 'test {{ host.name }} != h3 || exit 3')}\n${fence('id=init hosts=masters', 'test {{ host.name }} != h1 || exit 4')}`);
    const r = await t.run();
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.STEP_FAILED);
    expect(r.stdout).toMatch(/stopped: step `init` failed \(h1 failed\).*; earlier, continue_on_error let the run go on past `probe` \(h3 failed\)/);
  });
});

describe('status without -i (item 2)', () => {
  it('counts only the hosts the state knows, with no invented local host, after a complete run', async () => {
    const steps = Array.from({ length: 9 }, (_, i) => fence(`id=s${i} hosts=all`, 'true')).join('\n');
    const t = setup(`# Nine\n\n${steps}`);
    expect((await t.run()).code).toBe(0);
    const text = await t.cli('status', t.rb, '--state', t.state);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^27\/27 host-steps done\./m);
    expect(text.stdout).not.toMatch(/\blocal\b/);
    const json = JSON.parse((await t.cli('status', t.rb, '--state', t.state, '--json')).stdout);
    expect(json.hosts).toEqual(['h1', 'h2', 'h3']);
    expect([json.done, json.total]).toEqual([27, 27]);
  });
});

describe('reset with a host that does not exist (item 3)', () => {
  it('is bad input (exit 2) with a suggestion, and forgets nothing', async () => {
    const t = setup(`# Reset\n\n${fence('id=a hosts=all', 'true')}`);
    expect((await t.run()).code).toBe(0);
    const r = await t.cli('reset', t.rb, '-i', lab.inv, '--state', t.state, '--host', 'hh2');
    expect(r.code).toBe(EXIT.BAD_INPUT);
    expect(r.stderr).toMatch(/--host hh2: no such host/);
    expect(r.stderr).toMatch(/did you mean `h2`\?/);
    const st = JSON.parse((await t.cli('status', t.rb, '-i', lab.inv, '--state', t.state, '--json')).stdout);
    expect(st.done).toBe(3);
  });

  it('says how many records it forgot for a real host', async () => {
    const t = setup(`# Reset\n\n${fence('id=a hosts=all', 'true')}\n${fence('id=b hosts=all', 'true')}`);
    expect((await t.run()).code).toBe(0);
    const r = await t.cli('reset', t.rb, '-i', lab.inv, '--state', t.state, '--host', 'h2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 records forgotten/);
  });
});

describe('a run that would run nothing (item 11)', () => {
  it('refuses an inventory without hosts with exit 2 instead of reporting success', async () => {
    const t = setup(`# Empty\n\n${fence('id=a hosts=all', 'touch $DIR/ran')}`);
    const empty = writeFile(t.dir, 'empty.yaml', 'all:\n  hosts: {}\n');
    const r = await t.cli('run', t.rb, '-i', empty, '--state', t.state);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.BAD_INPUT);
    expect(r.stderr).toMatch(/nothing to run: the inventory has no hosts/);
    expect(r.stdout).not.toMatch(/complete/);
  });

  it('refuses a run where no step targets any host of the session', async () => {
    const t = setup(`# Narrow\n\n${fence('id=a hosts=workers', 'touch $DIR/ran')}`);
    const r = await t.run('--hosts', 'masters');
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.BAD_INPUT);
    expect(r.stderr).toMatch(/nothing to run: no step targets any host .* within --hosts masters/);
  });
});

describe('the README exit-code table', () => {
  const readme = readFileSync(resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Exit codes'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| code |')));
  const rows = [...table.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => Number(m[1]));

  it('lists exactly the codes the code defines', () => {
    expect(rows).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });

  it('agrees with --help, which prints every code', async () => {
    const r = await runCli(['--help']);
    for (const [code, meaning] of Object.entries(EXIT_MEANING)) expect(r.stdout.replace(/\s+/g, ' ')).toContain(`${code} ${meaning}`);
  });
});
