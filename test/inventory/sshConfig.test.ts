import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { BadInputError } from '../../src/engine/errors.js';
import { loadInventory } from '../../src/engine/inventory/inventory.js';
import { loadSshConfig, parseJumpSpecs } from '../../src/engine/inventory/sshConfig.js';

const SSH_CONFIG = `Host web1 w1
  HostName 10.0.0.1
  User deploy
  Port 2222
  IdentityFile ~/.ssh/web_key
  IdentityFile ~/.ssh/other_key

Host inner
  HostName 10.0.9.9
  ProxyJump bastion,admin@hop2:2200

Host bastion
  HostName bastion.example.com
  User jumper
  Port 2022
  IdentityFile /keys/bastion

Host hop2
  HostName 192.168.5.5

Host deep
  ProxyJump outer-jump

Host outer-jump
  HostName 172.16.0.1
  ProxyJump bastion

Host *
  User fallback
`;

function setup(inventory: string, sshConfig = SSH_CONFIG): { inv: string; cfg: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sshcfg-'));
  const inv = path.join(dir, 'hosts.yml');
  const cfg = path.join(dir, 'ssh_config');
  writeFileSync(inv, inventory);
  writeFileSync(cfg, sshConfig);
  return { inv, cfg };
}

async function load(inventory: string, sshConfig?: string) {
  const { inv, cfg } = setup(inventory, sshConfig);
  const i = await loadInventory(inv, { sshConfigFile: cfg });
  return (name: string) => i.hosts.find((h) => h.name === name)!;
}

describe('~/.ssh/config', () => {
  it('applies HostName, User, Port and the first IdentityFile of the inventory name', async () => {
    const host = await load('all:\n  hosts:\n    web1:\n');
    expect(host('web1')).toMatchObject({ address: '10.0.0.1', user: 'deploy', port: 2222, privateKeyFile: path.join(os.homedir(), '.ssh/web_key') });
  });

  it('connects to the lowercased name, as ssh does with a HostName, an ansible_host or an inventory name', async () => {
    const host = await load('all:\n  hosts:\n    DB2:\n    api:\n      ansible_host: API.Example.COM\n    upper:\n', 'Host upper\n  HostName Upper.Example.com\n');
    expect([host('DB2').address, host('api').address, host('upper').address]).toEqual(['db2', 'api.example.com', 'upper.example.com']);
  });

  it('resolves a Host alias given as the inventory name', async () => {
    const host = await load('all:\n  hosts:\n    w1:\n');
    expect(host('w1')).toMatchObject({ address: '10.0.0.1', user: 'deploy' });
  });

  it('resolves a Host alias given as ansible_host', async () => {
    const host = await load('all:\n  hosts:\n    frontend:\n      ansible_host: w1\n');
    expect(host('frontend')).toMatchObject({ address: '10.0.0.1', port: 2222, user: 'deploy' });
  });

  it('lets inventory ansible_* values win over the ssh config', async () => {
    const host = await load('all:\n  hosts:\n    web1:\n      ansible_user: root\n      ansible_port: 22\n      ansible_ssh_private_key_file: /k/id\n');
    expect(host('web1')).toMatchObject({ address: '10.0.0.1', user: 'root', port: 22, privateKeyFile: '/k/id' });
  });

  it('applies Host * defaults to hosts with no section of their own', async () => {
    const host = await load('all:\n  hosts:\n    other:\n');
    expect(host('other')).toMatchObject({ address: 'other', user: 'fallback', port: 22 });
  });

  it('resolves a ProxyJump chain, each jump host through the config too', async () => {
    const host = await load('all:\n  hosts:\n    inner:\n');
    expect(host('inner').jump).toEqual([
      { name: 'bastion', address: 'bastion.example.com', port: 2022, user: 'jumper', privateKeyFile: '/keys/bastion' },
      { name: 'hop2', address: '192.168.5.5', port: 2200, user: 'admin' },
    ]);
  });

  it("reaches the first jump host through its own ProxyCommand, as ssh -J does", async () => {
    const host = await load('all:\n  hosts:\n    t:\n', 'Host t\n  ProxyJump j1\nHost j1\n  HostName 10.9.9.9\n  ProxyCommand nc -X connect -x proxy:3128 %h %p\n');
    expect(host('t').jump).toEqual([{ name: 'j1', address: '10.9.9.9', port: 22, proxyCommand: 'nc -X connect -x proxy:3128 %h %p' }]);
  });

  it('refuses a ProxyJump chain of more than 16 hops (exit 2), nested ProxyJump lines included', async () => {
    const cfg = Array.from({ length: 18 }, (_, i) => `Host j${i}\n  ProxyJump j${i + 1}\n`).join('');
    await expect(load('all:\n  hosts:\n    j0:\n', cfg)).rejects.toThrow(/more than 16 hops/);
  });

  it("prepends a jump host's own ProxyJump", async () => {
    const host = await load('all:\n  hosts:\n    deep:\n');
    expect(host('deep').jump?.map((j) => j.address)).toEqual(['bastion.example.com', '172.16.0.1']);
  });

  it('resolves a jump host named in ansible_ssh_common_args through the config', async () => {
    const host = await load("all:\n  hosts:\n    x:\n      ansible_ssh_common_args: '-J bastion'\n");
    expect(host('x').jump).toEqual([{ name: 'bastion', address: 'bastion.example.com', port: 2022, user: 'jumper', privateKeyFile: '/keys/bastion' }]);
  });

  it('reports a ProxyJump loop', async () => {
    const { inv, cfg } = setup('all:\n  hosts:\n    a:\n', 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n');
    await expect(loadInventory(inv, { sshConfigFile: cfg })).rejects.toBeInstanceOf(BadInputError);
  });

  it('reports a bad Port in the ssh config', async () => {
    const { inv, cfg } = setup('all:\n  hosts:\n    a:\n', 'Host a\n  Port http\n');
    await expect(loadInventory(inv, { sshConfigFile: cfg })).rejects.toThrow(/bad Port `http`/);
  });

  it('is not read when sshConfigFile is null', async () => {
    expect(await loadSshConfig(null)).toBeUndefined();
    const { inv } = setup('all:\n  hosts:\n    web1:\n');
    const i = await loadInventory(inv, { sshConfigFile: null });
    expect(i.hosts[0]).toMatchObject({ address: 'web1', port: 22 });
  });

  it('follows top-level Include directives with wildcards, in place', async () => {
    const { inv, cfg } = setup('all:\n  hosts:\n    inc1:\n    inc2:\n');
    const dir = path.join(path.dirname(cfg), 'conf.d');
    mkdirSync(dir);
    writeFileSync(path.join(dir, '10-one.conf'), 'Host inc1\n  HostName 10.7.0.1\n');
    writeFileSync(path.join(dir, 'ignored.txt'), 'Host inc2\n  HostName 10.7.0.99\n');
    writeFileSync(cfg, `Include ${dir}/*.conf\nHost inc2\n  HostName 10.7.0.2\nHost *\n  User everyone\n`);
    const i = await loadInventory(inv, { sshConfigFile: cfg });
    expect(i.hosts.map((h) => [h.address, h.user])).toEqual([
      ['10.7.0.1', 'everyone'],
      ['10.7.0.2', 'everyone'],
    ]);
  });

  it('applies an Include inside a Host block only to that block', async () => {
    const { inv, cfg } = setup('all:\n  hosts:\n    inc1:\n    inc2:\n');
    const inc = path.join(path.dirname(cfg), 'common.conf');
    writeFileSync(inc, '  User from-include\nHost inc1\n  HostName 10.7.0.1\n');
    writeFileSync(cfg, `Host inc2\n  Include ${inc}\n  HostName 10.7.0.2\n`);
    const i = await loadInventory(inv, { sshConfigFile: cfg });
    expect(i.hosts.map((h) => [h.address, h.user ?? null])).toEqual([
      ['inc1', null],
      ['10.7.0.2', 'from-include'],
    ]);
  });

  it('reports an explicitly named config file that does not exist', async () => {
    await expect(loadSshConfig('/nonexistent/ssh_config')).rejects.toBeInstanceOf(BadInputError);
  });
});

describe('parseJumpSpecs', () => {
  it('parses user@host:port forms, comma-separated', () => {
    expect(parseJumpSpecs('a, u@b:2200 ,ssh://c:2')).toEqual([
      { user: undefined, host: 'a', port: undefined },
      { user: 'u', host: 'b', port: 2200 },
      { user: undefined, host: 'c', port: 2 },
    ]);
  });

  it.each(['a:notaport', 'a:70000', '', 'u@'])('rejects %j', (spec) => {
    expect(() => parseJumpSpecs(spec)).toThrow(BadInputError);
  });
});
