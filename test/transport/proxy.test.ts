// ProxyCommand, ProxyJump and ansible_become end to end: inventories and ssh configs as operators
// write them, read by loadInventory, run through the ssh transport against real loopback sshd hosts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError } from '../../src/engine/errors.js';
import { loadInventory } from '../../src/engine/inventory/inventory.js';
import type { Transport } from '../../src/engine/transport/types.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { collector, fixtureTransport } from './support.js';

describe('reaching hosts through a ProxyCommand or a bastion', () => {
  let f: SshFixture;
  let ssh: Transport;
  let sshOpts: string;
  beforeAll(async () => {
    f = await startSshHosts(2, { namePrefix: 'px' });
    ssh = fixtureTransport(f);
    sshOpts = `-i ${f.privateKeyFile} -o UserKnownHostsFile=${f.knownHostsFile} -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -F /dev/null`;
  });
  afterAll(async () => {
    await ssh?.close();
    await f?.stop();
  });

  /** The INI inventory given, with the fixture's user and key for every host. */
  async function inventory(body: string, sshConfig?: string) {
    const inv = join(f.dir, `inv-${Math.random().toString(36).slice(2)}.ini`);
    writeFileSync(inv, `${body}\n[all:vars]\nansible_user=${f.user}\nansible_ssh_private_key_file=${f.privateKeyFile}\n`);
    let cfg: string | null = null;
    if (sshConfig !== undefined) {
      cfg = `${inv}.ssh_config`;
      writeFileSync(cfg, sshConfig);
    }
    return loadInventory(inv, { sshConfigFile: cfg });
  }

  async function whereFrom(host: Parameters<Transport['exec']>[0]): Promise<string> {
    const out = collector();
    const r = await ssh.exec(host, 'echo "$SSH_CONNECTION"', { onData: out.onData });
    expect(r.exitCode).toBe(0);
    return out.text();
  }

  it('runs ssh2 over `nc %h %p` given in ansible_ssh_common_args', async () => {
    const [h1] = f.hosts;
    const inv = await inventory(`[web]\nw1 ansible_host=${h1.address} ansible_port=${h1.port} ansible_ssh_common_args='-o ProxyCommand="nc %h %p"'`);
    expect(inv.hosts[0].proxyCommand).toBe('nc %h %p');
    expect(await whereFrom(inv.hosts[0])).toContain(`${h1.address} ${h1.port}`);
  });

  it('runs ssh2 over `ssh -W %h:%p bastion` from the ssh config, the target seeing the bastion as client', async () => {
    const [bastion, target] = f.hosts;
    const cfg = `Host target\n  HostName ${target.address}\n  Port ${target.port}\n  ProxyCommand ssh ${sshOpts} -p ${bastion.port} -W %h:%p ${f.user}@${bastion.address}\n`;
    const inv = await inventory('[db]\ntarget', cfg);
    expect(inv.hosts[0]).toMatchObject({ address: target.address, port: target.port });
    expect(await whereFrom(inv.hosts[0])).toContain(`${target.address} ${target.port}`);
  });

  it('runs through a ProxyJump bastion named in the ssh config', async () => {
    const [bastion, target] = f.hosts;
    const cfg = `Host bastion\n  HostName ${bastion.address}\n  Port ${bastion.port}\n  User ${f.user}\n  IdentityFile ${f.privateKeyFile}\nHost target\n  HostName ${target.address}\n  Port ${target.port}\n  ProxyJump bastion\n`;
    const inv = await inventory('[db]\ntarget', cfg);
    expect(inv.hosts[0].jump).toEqual([{ name: 'bastion', address: bastion.address, port: bastion.port, user: f.user, privateKeyFile: f.privateKeyFile }]);
    // The target sees the connection come from the loopback address the bastion used.
    expect(await whereFrom(inv.hosts[0])).toContain(`${target.address} ${target.port}`);
  });

  it('fails with a ConnectionError naming the ProxyCommand when it cannot reach the host', async () => {
    const inv = await inventory(`[web]\nw1 ansible_host=127.8.0.1 ansible_port=9 ansible_ssh_common_args='-o ProxyCommand="nc %h %p"'`);
    const p = ssh.exec(inv.hosts[0], 'true');
    await expect(p).rejects.toBeInstanceOf(ConnectionError);
  });

  it('runs every step on an ansible_become host through sudo as the become user', async () => {
    const [h1] = f.hosts;
    const inv = await inventory(`[db]\nd1 ansible_host=${h1.address} ansible_port=${h1.port} ansible_become=true ansible_become_user=nobody\nd2 ansible_host=${h1.address} ansible_port=${h1.port} ansible_become=yes`);
    for (const [i, who] of [[0, 'nobody'], [1, 'root']] as const) {
      const out = collector();
      const r = await ssh.exec(inv.hosts[i], 'whoami', { onData: out.onData });
      expect(r.exitCode).toBe(0);
      expect(out.text()).toBe(`${who}\n`);
    }
  });

  it('checks host keys against the UserKnownHostsFile of the ssh config, and StrictHostKeyChecking yes refuses an unknown key even with accept-new', async () => {
    const [h1] = f.hosts;
    const empty = join(f.dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const strict = fixtureTransport(f, { hostKeys: { knownHostsFile: empty, acceptNew: true } });
    try {
      const good = await inventory('[web]\nw1', `Host w1\n  HostName ${h1.address}\n  Port ${h1.port}\n  UserKnownHostsFile ${f.knownHostsFile}\n`);
      expect(good.hosts[0].knownHostsFile).toBe(f.knownHostsFile);
      expect((await strict.exec(good.hosts[0], 'true')).exitCode).toBe(0);
      const h2 = f.hosts[1]; // not connected yet by this transport
      const refused = await inventory('[web]\nw2', `Host w2\n  HostName ${h2.address}\n  Port ${h2.port}\n  StrictHostKeyChecking yes\n`);
      await expect(strict.exec(refused.hosts[0], 'true')).rejects.toThrow(/unknown host key/);
    } finally {
      await strict.close();
    }
  });
});
