// `runbook hosts` and the connections section of `runbook plan`, through the real CLI.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';

const CORPUS = join(import.meta.dirname, '..', 'inventory', 'corpus');
const dir = sharedTempDir('rb8-hosts-');
const book = writeFile(dir, 'site.md', '# Site\n\n```bash {id=init hosts=kube_control_plane[0]}\necho init on {{ host.name }}\n```\n');

describe('runbook hosts', () => {
  it('lists groups in Ansible order and how each host is reached', async () => {
    const r = await runCli(['hosts', book, '-i', join(CORPUS, 'kubespray-ini', 'inventory.ini'), '--no-ssh-config']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kube_control_plane: node3, node1, node2');
    expect(r.stdout).toMatch(/^node5 {2}ssh ubuntu@10\.3\.0\.15:22, key: ssh-agent/m);
    expect(r.stdout).toMatch(/^node6 {2}ssh core@10\.3\.0\.16:2222/m);
  });

  it('says how each host is reached with its ssh config (agent, HostKeyAlias), and names each directive it does not apply once', async () => {
    const cfg = writeFile(dir, 'ssh_config_warn', [
      'Match exec "test -e /nonexistent"', '  User never',
      'Host w*', '  LocalForward 8080 localhost:80', '  ControlMaster auto', '  ControlPath ~/.ssh/cm-%C', '  IdentityAgent none', '  IdentityFile ~/.ssh/w_key',
      'Host w1', '  HostKeyAlias web-cluster', '  AddressFamily inet',
      'Host *', '  ServerAliveInterval 30', '  IdentitiesOnly yes', '',
    ].join('\n'));
    const inv = writeFile(dir, 'warn.ini', '[web]\nw1\nw2\nw3\nw4\n[db]\nd1\n');
    const r = await runCli(['hosts', book, '-i', inv, '--ssh-config', cfg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^w1 {2}ssh \S+@w1:22, key: ~\/\.ssh\/w_key \(from IdentityFile in .*\), known_hosts: .* \(HostKeyAlias web-cluster\)/m);
    expect(r.stdout).toMatch(/^d1 {2}ssh \S+@d1:22, key: ssh-agent \(only keys matching the key files\), then ~\/\.ssh\/id_ed25519/m);
    const warnings = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.includes('ssh config directives runbook does not apply'));
    expect(warnings).toHaveLength(1);
    for (const d of ['LocalForward (w1, w2, w3 and 1 more)', 'ControlMaster', 'ControlPath', 'AddressFamily (w1)', 'Match exec']) {
      expect(warnings[0].split(d).length - 1).toBe(1);
    }
    expect(warnings[0]).not.toMatch(/ServerAliveInterval|IdentityAgent|IdentitiesOnly|HostKeyAlias/);
  });

  it('prints the ansible-inventory --list JSON with --json, secrets masked', async () => {
    const r = await runCli(['hosts', book, '-i', join(CORPUS, 'k3s-ansible', 'inventory.yml'), '--no-ssh-config', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { k3s_cluster: { children: string[] }; _meta: { hostvars: Record<string, Record<string, unknown>> }; _runbook: { groups: Record<string, string[]> } };
    expect(j.k3s_cluster.children).toEqual(['server', 'agent']);
    expect(j._meta.hostvars['192.16.35.11'].token).toBe('********');
    expect(j._runbook.groups.server).toEqual(['192.16.35.11', '192.16.35.12', '192.16.35.13']);
  });

  it('lists an inventory without a runbook (runbook hosts -i INV --json) as ansible-inventory -i INV --list does', async () => {
    const inv = join(CORPUS, 'kubespray-ini', 'inventory.ini');
    const r = await runCli(['hosts', '-i', inv, '--no-ssh-config', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ours = JSON.parse(r.stdout) as Record<string, unknown>;
    delete ours._runbook;
    const theirs = await promisify(execFile)('ansible-inventory', ['-i', inv, '--list'], { env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False' }, maxBuffer: 1 << 24 });
    expect(ours).toEqual(JSON.parse(theirs.stdout));
  });

  it('without a runbook, refuses to guess an inventory: exit 2 saying to give -i', async () => {
    const r = await runCli(['hosts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`runbook hosts` needs a runbook or an inventory');
    expect(r.stderr).toContain('runbook hosts -i INVENTORY');
  });

  it('exits 2 naming file and line for a malformed INI inventory, and writes no state', async () => {
    const inv = writeFile(dir, 'bad.ini', '[web]\nw1\n[web servers]\n');
    const r = await runCli(['hosts', book, '-i', inv], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${inv}:3: invalid section`);
    expect(() => statSync(join(dir, '.runbook'))).toThrow();
  });

  it('exits 2 for a dynamic inventory plugin, with the conversion recipe', async () => {
    const inv = writeFile(dir, 'aws_ec2.yml', 'plugin: amazon.aws.aws_ec2\n');
    const r = await runCli(['run', book, '-i', inv, '--no-ssh-config'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${inv}:1: \`plugin: amazon.aws.aws_ec2\` is a dynamic inventory`);
    expect(r.stderr).toContain('--list -y > inventory.yaml');
  });

  it('merges several -i in order', async () => {
    const r = await runCli(['hosts', book, '-i', join(CORPUS, 'multi', 'a', 'hosts.yml'), '-i', join(CORPUS, 'multi', 'b', 'hosts.ini'), '--no-ssh-config', '--json']);
    expect(JSON.parse(r.stdout).masters.hosts).toEqual(['m1', 'm2', 'm0']);
  });
});

describe('runbook plan', () => {
  it('says once per targeted host how it will connect', async () => {
    mkdirSync(join(dir, 'p'), { recursive: true });
    const r = await runCli(['plan', book, '-i', join(CORPUS, 'kubespray-ini', 'inventory.ini'), '--no-ssh-config'], { cwd: join(dir, 'p') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/## connections\nnode3 {2}ssh core@10\.3\.0\.13:22, key: .*, known_hosts: /);
    expect(r.stdout).toContain('echo init on node3');
    expect(readFileSync(book, 'utf8')).toContain('kube_control_plane[0]');
  });
});
