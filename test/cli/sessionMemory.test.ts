// Sessions (issue 9 item 15): every invocation that changes the state records who ran it and with
// which options; the next command without -i/--var/--hosts/--known-hosts/--ssh-config reuses them
// and says so in one line; another inventory is refused unless --inventory-changed, and the hosts
// it no longer has are shown, never dropped. Built CLI, real loopback sshd hosts.
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as yamlStringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fence } from '../helpers/markdown.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';

let fx: SshFixture;
let inv: string;
/** The same hosts without h3. */
let invWithoutH3: string;

beforeAll(async () => {
  fx = await startSshHosts(3);
  const dir = sharedTempDir();
  inv = writeFile(dir, 'inventory.yaml', fx.inventoryYaml());
  const doc = parseYaml(fx.inventoryYaml()) as { all: { hosts: Record<string, unknown> } };
  delete doc.all.hosts.h3;
  invWithoutH3 = writeFile(dir, 'smaller.yaml', yamlStringify(doc));
});
afterAll(async () => {
  await fx?.stop();
});

const SECRET = 'hunter2-session-secret';

/** A runbook whose step appends `host region` to $DIR/out.txt on every host (the hosts share the directory). */
function setup() {
  const dir = sharedTempDir();
  const rb = writeFile(dir, 'book.md', `# Site\n\n${fence('id=where hosts=all', `echo "{{ host.name }} {{ region }} {{ db_password }}" >> ${dir}/out.txt`)}\n${fence('id=after hosts=all', 'true')}`);
  const state = join(dir, '.runbook', 'book.state.jsonl');
  const journal = (): Record<string, unknown>[] => readFileSync(state, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const out = (): string[] => readFileSync(join(dir, 'out.txt'), 'utf8').trim().split('\n');
  const cli = (...args: string[]) => runCli(args, { cwd: dir });
  /** The secret from the environment, as an operator gives it again (it is never remembered). */
  const withSecret = (...args: string[]) => runCli(args, { cwd: dir, env: { RUNBOOK_VAR_db_password: SECRET } });
  const first = (...extra: string[]) => cli('run', rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--var', 'region=eu-west-1', '--var', `db_password=${SECRET}`, '--hosts', 'h1,h2', ...extra);
  return { dir, rb, state, journal, out, cli, withSecret, first };
}

describe('session records', () => {
  it('run records who ran it, where, when, the command and its options; secret vars by name only', async () => {
    const t = setup();
    const r = await t.first();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const sessions = t.journal().filter((l) => l.t === 'session');
    expect(sessions).toEqual([
      {
        t: 'session',
        id: 's1',
        user: userInfo().username,
        hostname: hostname(),
        pid: expect.any(Number),
        startedAt: expect.any(String),
        command: 'run',
        inventory: [inv],
        vars: { region: 'eu-west-1' },
        secretVars: ['db_password'],
        hosts: 'h1,h2',
        knownHosts: fx.knownHostsFile,
        sshConfig: false,
      },
    ]);
    expect(t.journal().find((l) => l.t === 'session-end')).toMatchObject({ id: 's1', endedAt: expect.any(String), outcome: 'done: every step is complete on every targeted host (exit 0)' });
    expect(readFileSync(t.state, 'utf8')).not.toContain(SECRET);
  });

  it('every record a session makes carries its id, skips and marks included', async () => {
    const t = setup();
    expect((await t.first()).code).toBe(0);
    const skip = await t.cli('skip', t.rb, '--step', 'after', '--host', 'h3', '--reason', 'decommissioned');
    expect(skip.code, skip.stderr).toBe(0);
    const recs = t.journal().filter((l) => l.t === 'rec') as { host: string; rec: { status: string; session?: string } }[];
    expect(recs.filter((l) => l.rec.status !== 'skipped').every((l) => l.rec.session === 's1')).toBe(true);
    expect(recs.find((l) => l.rec.status === 'skipped')).toMatchObject({ host: 'h3', rec: { session: 's2' } });
    expect(t.journal().find((l) => l.t === 'session' && l.id === 's2')).toMatchObject({ command: 'skip' });
  });
});

describe('session memory', () => {
  it('run without options reuses the last session\'s and says so in one line', async () => {
    const t = setup();
    expect((await t.first()).code).toBe(0);
    writeFileSync(t.rb, readFileSync(t.rb, 'utf8') + `\n${fence('id=third hosts=all', `echo "third {{ host.name }} {{ region }}" >> ${t.dir}/out.txt`)}`);
    const r = await t.withSecret('run', t.rb);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^runbook: using inventory \S*inventory\.yaml, --var region=eu-west-1, --hosts h1,h2, --known-hosts \S+known_hosts, --no-ssh-config from the session of \d{4}-\d\d-\d\d \d\d:\d\dZ \(s1, run by \S+@\S+\); pass -i\/--var\/--hosts\/--known-hosts\/--ssh-config to change$/);
    // The same hosts (h1, h2, not h3), the remembered value.
    expect(t.out().filter((l) => l.startsWith('third')).sort()).toEqual(['third h1 eu-west-1', 'third h2 eu-west-1']);
  });

  it('a secret given last time is not reused: run says to give it again', async () => {
    const t = setup();
    expect((await t.first()).code).toBe(0);
    const r = await t.cli('run', t.rb, '--force', '--only', 'where');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('secret --var db_password is never kept: give it again');
    expect(r.stderr).toContain('undefined variable `db_password`');
  });

  it('an option given now wins over the remembered one, per option (here --var region)', async () => {
    const t = setup();
    expect((await t.first()).code).toBe(0);
    const r = await t.cli('run', t.rb, '--force', '--only', 'where', '--var', 'region=us-east-2', '--var', `db_password=${SECRET}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('using inventory');
    expect(r.stderr).not.toContain('--var region');
    expect(t.out().slice(-2).sort()).toEqual([`h1 us-east-2 ${SECRET}`, `h2 us-east-2 ${SECRET}`]);
  });

  it('status and plan without -i use the session\'s inventory: no invented local host, pending hosts shown', async () => {
    const t = setup();
    expect((await t.first()).code).toBe(0);
    const status = await t.cli('status', t.rb, '--json');
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout);
    expect(json.inventory).toBe(inv);
    expect(json.hosts).toEqual(['h1', 'h2', 'h3']);
    expect([json.done, json.total]).toEqual([4, 6]);
    expect(status.stderr).toMatch(/^runbook: using inventory .* from the session of /);
    const plan = await t.withSecret('plan', t.rb);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`(inventory ${inv})`);
    expect(plan.stdout).toContain('### h1  [✔ ok]');
    expect(plan.stdout).not.toContain('### h3'); // --hosts h1,h2 remembered
  });

  it('plan names the known_hosts file the session checks host keys against, remembered or given', async () => {
    const t = setup();
    expect((await t.first()).code).toBe(0);
    const plan = await t.withSecret('plan', t.rb);
    expect(plan.code, plan.stderr).toBe(0);
    const h1 = plan.stdout.split('\n').find((l) => l.startsWith('h1  ssh '));
    expect(h1).toContain(`known_hosts: ${fx.knownHostsFile}`);
    const other = writeFile(t.dir, 'other_known_hosts', '');
    const given = await t.withSecret('plan', t.rb, '--known-hosts', other);
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout.split('\n').find((l) => l.startsWith('h1  ssh '))).toContain(`known_hosts: ${other}`);
  });

  it('another inventory is refused (exit 2) naming both, and nothing is written', async () => {
    const t = setup();
    expect((await t.first()).code).toBe(0);
    const before = readFileSync(t.state, 'utf8');
    for (const cmd of [['run', t.rb], ['status', t.rb], ['mark-done', t.rb, '--step', 'after', '--reason', 'x']]) {
      const r = await t.cli(...cmd, '-i', invWithoutH3);
      expect(r.code, cmd[0]).toBe(2);
      expect(r.stderr).toContain(`-i ${invWithoutH3} is not the inventory this state was recorded with: ${inv}`);
      expect(r.stderr).toContain('--inventory-changed');
    }
    expect(readFileSync(t.state, 'utf8')).toBe(before);
  });

  it('--inventory-changed: hosts the new inventory lacks are named in the run summary and in status, never dropped', async () => {
    const t = setup();
    const r0 = await t.cli('run', t.rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--var', 'region=eu', '--var', `db_password=${SECRET}`);
    expect(r0.code, r0.stderr).toBe(0);
    writeFileSync(t.rb, readFileSync(t.rb, 'utf8') + `\n${fence('id=third hosts=all', 'true')}`);
    const r = await t.cli('run', t.rb, '-i', invWithoutH3, '--inventory-changed', '--var', `db_password=${SECRET}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const gone = `not in ${invWithoutH3} any more, kept in the state as recorded (not run, not dropped): h3`;
    expect(r.stdout).toContain(`! ${gone}`);
    expect(r.stdout.trim().split('\n').slice(-2)).toEqual([expect.stringContaining(gone), 'done: every step is complete on every targeted host']);
    expect(r.stdout).toMatch(/▶ third on h1, h2\n/);
    const status = await t.cli('status', t.rb);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`not in ${invWithoutH3} any more (shown as recorded): h3`);
    expect(status.stdout).toMatch(/^where\s+✔\s+✔\s+✔\s*$/m);
    const json = JSON.parse((await t.cli('status', t.rb, '--json')).stdout);
    expect(json.notInInventory).toEqual(['h3']);
    expect(json.steps[0].hosts.h3.status).toBe('ok');
    // The new inventory is the one remembered from now on.
    expect(t.journal().filter((l) => l.t === 'session').at(-1)).toMatchObject({ id: 's2', inventory: [invWithoutH3] });
  });
});
