// A two-hop ProxyJump chain where each hop can only be reached with its own ssh config block, as
// `ssh -J` resolves it: the first jump host's key is known only under its HostKeyAlias in its own
// UserKnownHostsFile, the second takes a key of another lab (its second IdentityFile, the first
// missing) and its own known_hosts under IdentitiesOnly, and the target yet other settings. Real
// loopback sshd hosts, the inventory read by loadInventory, and OpenSSH given the same config.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostKeyError } from '../../src/engine/errors.js';
import { loadInventory } from '../../src/engine/inventory/inventory.js';
import type { Transport } from '../../src/engine/transport/types.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { collector, fixtureTransport } from './support.js';

const run = promisify(execFile);

describe('a ProxyJump chain whose hops each need their own ssh config', () => {
  let a: SshFixture; // first jump host and target (key A)
  let b: SshFixture; // second jump host (key B)
  let dir: string;
  let cfg: string;
  let ssh: Transport;

  beforeAll(async () => {
    [a, b] = await Promise.all([startSshHosts(2, { namePrefix: 'ja' }), startSshHosts(1, { namePrefix: 'jb' })]);
    dir = mkdtempSync(join(tmpdir(), 'rb-jump-'));
    const [jump1, target] = a.hosts;
    const [jump2] = b.hosts;
    const jump1Known = join(dir, 'known_jump1');
    writeFileSync(jump1Known, `first-jump ${jump1.hostKeyLine}\n`);
    cfg = join(dir, 'ssh_config');
    writeFileSync(
      cfg,
      [
        'Host jump1',
        `  HostName ${jump1.address}`,
        `  Port ${jump1.port}`,
        `  IdentityFile ${a.privateKeyFile}`,
        '  HostKeyAlias first-jump',
        `  UserKnownHostsFile ${jump1Known}`,
        'Host jump2',
        `  HostName ${jump2.address}`,
        `  Port ${jump2.port}`,
        `  IdentityFile ${join(dir, 'missing_key')}`,
        `  IdentityFile ${b.privateKeyFile}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${b.knownHostsFile}`,
        'Host target',
        `  HostName ${target.address}`,
        `  Port ${target.port}`,
        '  ProxyJump jump1,jump2',
        `  IdentityFile ${a.privateKeyFile}`,
        `  UserKnownHostsFile ${a.knownHostsFile}`,
        // Every hop logs in as the lab user only through this block: the local user is refused.
        'Host *',
        `  User ${a.user}`,
        '  StrictHostKeyChecking yes',
        '  ConnectTimeout 20',
        '',
      ].join('\n'),
    );
    // The transport's own known_hosts is empty: every hop must be verified with its own file.
    writeFileSync(join(dir, 'empty_known_hosts'), '');
    ssh = fixtureTransport(a, { hostKeys: { knownHostsFile: join(dir, 'empty_known_hosts'), acceptNew: false } });
  });
  afterAll(async () => {
    await ssh?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function targetHost() {
    const inv = join(dir, 'hosts.ini');
    writeFileSync(inv, '[k8s]\ntarget\n');
    return (await loadInventory(inv, { sshConfigFile: cfg })).hosts[0];
  }

  it('resolves every hop with its own HostName, Port, User, identity files, known_hosts, HostKeyAlias and IdentitiesOnly', async () => {
    const h = await targetHost();
    expect(h.jump).toEqual([
      {
        name: 'jump1', address: a.hosts[0].address, port: a.hosts[0].port, user: a.user, privateKeyFile: a.privateKeyFile,
        knownHostsFile: join(dir, 'known_jump1'), strictHostKeyChecking: 'yes', hostKeyAlias: 'first-jump', connectTimeoutMs: 20_000,
      },
      {
        name: 'jump2', address: b.hosts[0].address, port: b.hosts[0].port, user: a.user, privateKeyFile: b.privateKeyFile,
        identityFiles: [join(dir, 'missing_key')], knownHostsFile: b.knownHostsFile, strictHostKeyChecking: 'yes', identitiesOnly: true, connectTimeoutMs: 20_000,
      },
    ]);
  });

  it('runs a step on the target through both hops, each logged into with its own key', async () => {
    const h = await targetHost();
    const out = collector();
    const r = await ssh.exec(h, 'echo "$(whoami) on $SSH_CONNECTION"', { onData: out.onData });
    expect(r.exitCode).toBe(0);
    expect(out.text()).toContain(`${a.user} on `);
    expect(out.text()).toContain(`${a.hosts[1].address} ${a.hosts[1].port}`);
    expect(a.log(0)).toMatch(/Accepted publickey for rbtest/);
    expect(b.log(0)).toMatch(/Accepted publickey for rbtest/);
    // OpenSSH given the same config reaches the target the same way.
    const { stdout } = await run('ssh', ['-F', cfg, '-o', 'BatchMode=yes', 'target', 'whoami'], { env: { ...process.env, SSH_AUTH_SOCK: '' }, timeout: 60_000 });
    expect(stdout.trim()).toBe(a.user);
  });

  it("refuses the chain when a hop's host key is not where its own config says (no fallback to another file)", async () => {
    writeFileSync(join(dir, 'known_jump1'), `${a.knownHostsLine(0)}\n`); // recorded under the address, not the alias
    try {
      const h = await targetHost();
      const fresh = fixtureTransport(a, { hostKeys: { knownHostsFile: a.knownHostsFile, acceptNew: false } });
      try {
        await expect(fresh.exec(h, 'true')).rejects.toBeInstanceOf(HostKeyError);
      } finally {
        await fresh.close();
      }
      await expect(run('ssh', ['-F', cfg, '-o', 'BatchMode=yes', 'target', 'true'], { env: { ...process.env, SSH_AUTH_SOCK: '' }, timeout: 60_000 })).rejects.toMatchObject({ code: 255 });
    } finally {
      writeFileSync(join(dir, 'known_jump1'), `first-jump ${a.hosts[0].hostKeyLine}\n`);
    }
  });
});
