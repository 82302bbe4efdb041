// ssh config login and host-key directives applied end to end, each beside real OpenSSH (`ssh -F`)
// given the same config: IdentityAgent (a socket path, `${ENV}`, `SSH_AUTH_SOCK`, `none`),
// IdentitiesOnly (agent keys that match no configured identity are not offered), HostKeyAlias
// (known_hosts lookup and recording under the alias) and a per-host ConnectTimeout. Real ssh-agents
// started by the test (ssh-agent -a SOCKET), real loopback sshd hosts, inventories read by loadInventory.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, ConnectionError, HostKeyError } from '../../src/engine/errors.js';
import { loadInventory } from '../../src/engine/inventory/inventory.js';
import type { Transport } from '../../src/engine/transport/types.js';
import type { Host } from '../../src/engine/types.js';
import { listenSilentTcp, startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { collector, fixtureTransport } from './support.js';

const run = promisify(execFile);

/** An ssh-agent on its own socket in dir, holding the given keys in that order. */
function startAgent(dir: string, name: string, keys: readonly string[]): { socket: string; pid: number } {
  const socket = join(dir, `${name}.sock`);
  const out = execFileSync('ssh-agent', ['-s', '-a', socket], { encoding: 'utf8' });
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
  for (const k of keys) execFileSync('ssh-add', ['-q', k], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
  return { socket, pid };
}

function newKey(file: string, passphrase = ''): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', file, '-f', file], { stdio: 'ignore' });
  return file;
}

/** Real OpenSSH with the same config: exit status of `ssh -F cfg HOST true` (BatchMode, no agent unless given). */
async function opensshExit(cfg: string, host: string, agentSocket?: string): Promise<{ code: number; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, SSH_AUTH_SOCK: agentSocket ?? '' };
  try {
    await run('ssh', ['-F', cfg, '-o', 'BatchMode=yes', '-o', 'GlobalKnownHostsFile=/dev/null', host, 'true'], { env, timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stderr: err.stderr ?? '' };
  }
}

describe('ssh config login and host-key directives, as OpenSSH applies them', () => {
  let f: SshFixture;
  let dir: string;
  let right: string; // the fixture's authorised key, unencrypted
  let rightLocked: string; // the same key, passphrase-protected, with its .pub beside it
  const wrong: string[] = [];
  const agents: { socket: string; pid: number }[] = [];
  let rightAgent: string; // holds the authorised key only
  let crowdedAgent: string; // six wrong keys first, then the authorised key
  let wrongAgent: string; // six wrong keys only
  const transports: Transport[] = [];

  beforeAll(async () => {
    f = await startSshHosts(3, { namePrefix: 'ag' });
    dir = mkdtempSync(join(tmpdir(), 'rb-agent-'));
    right = join(dir, 'right');
    copyFileSync(f.privateKeyFile, right);
    copyFileSync(`${f.privateKeyFile}.pub`, `${right}.pub`);
    chmodSync(right, 0o600);
    rightLocked = join(dir, 'right-locked');
    copyFileSync(right, rightLocked);
    chmodSync(rightLocked, 0o600);
    execFileSync('ssh-keygen', ['-q', '-p', '-N', 'secret phrase', '-P', '', '-f', rightLocked], { stdio: 'ignore' });
    copyFileSync(`${right}.pub`, `${rightLocked}.pub`);
    for (let i = 0; i < 6; i++) wrong.push(newKey(join(dir, `wrong${i}`)));
    agents.push(startAgent(dir, 'right', [right]));
    agents.push(startAgent(dir, 'crowded', [...wrong, right]));
    agents.push(startAgent(dir, 'wrong', wrong));
    [rightAgent, crowdedAgent, wrongAgent] = agents.map((a) => a.socket);
  });
  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
    for (const a of agents) {
      try {
        process.kill(a.pid);
      } catch {
        // already gone
      }
    }
    await f?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A transport whose default agent is `agent` (as $SSH_AUTH_SOCK would be), no default key files. */
  function transport(agent = ''): Transport {
    const t = fixtureTransport(f, { agent });
    transports.push(t);
    return t;
  }

  /** Write the ssh config, and an inventory of `names` read with it; returns the hosts and the config path. */
  async function hostsWith(config: string, names: readonly string[]): Promise<{ hosts: readonly Host[]; cfg: string }> {
    const tag = Math.random().toString(36).slice(2);
    const cfg = join(dir, `config-${tag}`);
    writeFileSync(cfg, config);
    const inv = join(dir, `inv-${tag}.ini`);
    writeFileSync(inv, `[all]\n${names.join('\n')}\n`);
    const loaded = await loadInventory(inv, { sshConfigFile: cfg });
    return { hosts: loaded.hosts, cfg };
  }

  /** `Host NAME` block reaching fixture host i as rbtest, known_hosts the fixture's. */
  function block(name: string, i: number, extra: string): string {
    const h = f.hosts[i];
    return `Host ${name}\n  HostName ${h.address}\n  Port ${h.port}\n  User ${f.user}\n  UserKnownHostsFile ${f.knownHostsFile}\n  StrictHostKeyChecking yes\n${extra}`;
  }

  async function whoami(t: Transport, host: Host): Promise<string> {
    const out = collector();
    const r = await t.exec(host, 'whoami', { onData: out.onData });
    expect(r.exitCode).toBe(0);
    return out.text().trim();
  }

  describe('IdentityAgent', () => {
    it('logs in with the key held by the agent at the IdentityAgent socket path, the default agent having none', async () => {
      const { hosts, cfg } = await hostsWith(block('a1', 0, `  IdentityAgent ${rightAgent}\n`), ['a1']);
      expect(hosts[0].identityAgent).toBe(rightAgent);
      expect(await whoami(transport(''), hosts[0])).toBe(f.user);
      expect((await opensshExit(cfg, 'a1')).code).toBe(0);
    });

    it('expands ${ENV} in IdentityAgent when the inventory is read', async () => {
      process.env.RB_TEST_AGENT_DIR = dir;
      try {
        const { hosts, cfg } = await hostsWith(block('a2', 0, '  IdentityAgent ${RB_TEST_AGENT_DIR}/right.sock\n'), ['a2']);
        expect(hosts[0].identityAgent).toBe(rightAgent);
        expect(await whoami(transport(''), hosts[0])).toBe(f.user);
        expect((await opensshExit(cfg, 'a2')).code).toBe(0);
      } finally {
        delete process.env.RB_TEST_AGENT_DIR;
      }
    });

    it('with IdentityAgent SSH_AUTH_SOCK reads the socket from the environment when connecting', async () => {
      const saved = process.env.SSH_AUTH_SOCK;
      process.env.SSH_AUTH_SOCK = rightAgent;
      try {
        const { hosts, cfg } = await hostsWith(block('a3', 1, '  IdentityAgent SSH_AUTH_SOCK\n'), ['a3']);
        expect(hosts[0].identityAgent).toBe('SSH_AUTH_SOCK');
        expect(await whoami(transport(''), hosts[0])).toBe(f.user);
        expect((await opensshExit(cfg, 'a3', rightAgent)).code).toBe(0);
      } finally {
        if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
        else process.env.SSH_AUTH_SOCK = saved;
      }
    });

    it('with IdentityAgent none never asks the agent, so a login that only the agent could make is refused, as by ssh', async () => {
      const { hosts, cfg } = await hostsWith(block('a4', 1, '  IdentityAgent none\n'), ['a4']);
      await expect(transport(rightAgent).exec(hosts[0], 'true')).rejects.toBeInstanceOf(AuthError);
      expect((await opensshExit(cfg, 'a4', rightAgent)).code).toBe(255);
      // The same host without the directive logs in through that agent, for both.
      const plain = await hostsWith(block('a4', 1, ''), ['a4']);
      expect(await whoami(transport(rightAgent), plain.hosts[0])).toBe(f.user);
      expect((await opensshExit(plain.cfg, 'a4', rightAgent)).code).toBe(0);
    });
  });

  describe('IdentitiesOnly', () => {
    it('offers only the IdentityFile: six wrong agent keys, tried first otherwise, no longer exhaust MaxAuthTries', async () => {
      const extra = `  IdentityFile ${right}\n  IdentityAgent ${wrongAgent}\n`;
      const only = await hostsWith(block('o1', 2, `${extra}  IdentitiesOnly yes\n`), ['o1']);
      expect(only.hosts[0].identitiesOnly).toBe(true);
      expect(await whoami(transport(''), only.hosts[0])).toBe(f.user);
      expect((await opensshExit(only.cfg, 'o1')).code).toBe(0);
      // Without IdentitiesOnly the agent's keys come before the key file, and sshd gives up on both clients.
      const all = await hostsWith(block('o2', 2, extra), ['o2']);
      await expect(transport('').exec(all.hosts[0], 'true')).rejects.toBeInstanceOf(Error);
      const ssh = await opensshExit(all.cfg, 'o2');
      expect(ssh.code).toBe(255);
      expect(ssh.stderr).toMatch(/Too many authentication failures/);
    });

    it('offers the agent key matching a passphrase-protected IdentityFile (by its .pub) before the six others', async () => {
      for (const only of ['', '  IdentitiesOnly yes\n']) {
        const { hosts, cfg } = await hostsWith(block('o5', 2, `  IdentityFile ${rightLocked}\n  IdentityAgent ${crowdedAgent}\n${only}`), ['o5']);
        expect(await whoami(transport(''), hosts[0])).toBe(f.user);
        expect((await opensshExit(cfg, 'o5')).code).toBe(0);
      }
    });

    it('does not offer the agent key that would work when it matches no configured identity file', async () => {
      const extra = `  IdentityFile ${wrong[0]}\n  IdentityAgent ${rightAgent}\n`;
      const only = await hostsWith(block('o3', 2, `${extra}  IdentitiesOnly yes\n`), ['o3']);
      await expect(transport('').exec(only.hosts[0], 'true')).rejects.toBeInstanceOf(AuthError);
      expect((await opensshExit(only.cfg, 'o3')).code).toBe(255);
      const all = await hostsWith(block('o4', 2, extra), ['o4']);
      expect(await whoami(transport(''), all.hosts[0])).toBe(f.user);
      expect((await opensshExit(all.cfg, 'o4')).code).toBe(0);
    });
  });

  describe('HostKeyAlias', () => {
    it('verifies two hosts against known_hosts lines recorded under their shared alias, not their addresses', async () => {
      const kh = join(dir, 'known_hosts_alias');
      writeFileSync(kh, `web-cluster ${f.hosts[0].hostKeyLine}\nweb-cluster ${f.hosts[1].hostKeyLine}\n`);
      const cfg = [0, 1].map((i) => `Host w${i + 1}\n  HostName ${f.hosts[i].address}\n  Port ${f.hosts[i].port}\n  HostKeyAlias web-cluster\n`).join('') +
        `Host w3\n  HostName ${f.hosts[2].address}\n  Port ${f.hosts[2].port}\nHost *\n  User ${f.user}\n  IdentityFile ${right}\n  UserKnownHostsFile ${kh}\n  StrictHostKeyChecking yes\n`;
      const { hosts, cfg: file } = await hostsWith(cfg, ['w1', 'w2', 'w3']);
      expect(hosts.map((h) => h.hostKeyAlias)).toEqual(['web-cluster', 'web-cluster', undefined]);
      const t = transport('');
      expect(await whoami(t, hosts[0])).toBe(f.user);
      expect(await whoami(t, hosts[1])).toBe(f.user);
      // w3 has no alias: its address is looked up, and nothing is recorded under it.
      await expect(t.exec(hosts[2], 'true')).rejects.toBeInstanceOf(HostKeyError);
      expect([(await opensshExit(file, 'w1')).code, (await opensshExit(file, 'w2')).code, (await opensshExit(file, 'w3')).code]).toEqual([0, 0, 255]);
    });

    it('records a new key under the alias (accept-new), as ssh does', async () => {
      const kh = join(dir, 'known_hosts_new');
      writeFileSync(kh, '');
      const { hosts } = await hostsWith(
        `Host n1\n  HostName ${f.hosts[0].address}\n  Port ${f.hosts[0].port}\n  HostKeyAlias db-primary\n  User ${f.user}\n  IdentityFile ${right}\n  UserKnownHostsFile ${kh}\n  StrictHostKeyChecking accept-new\n`,
        ['n1'],
      );
      expect(await whoami(transport(''), hosts[0])).toBe(f.user);
      expect(readFileSync(kh, 'utf8')).toBe(`db-primary ${f.hosts[0].hostKeyLine}\n`);
    });
  });

  describe('ConnectTimeout', () => {
    it("gives up on a host that accepts TCP but never speaks SSH after the host's ConnectTimeout, not the transport's", async () => {
      const silent = await listenSilentTcp();
      try {
        const { hosts, cfg } = await hostsWith(
          `Host mute\n  HostName ${silent.address}\n  Port ${silent.port}\n  User ${f.user}\n  IdentityFile ${right}\n  ConnectTimeout 1\n  UserKnownHostsFile ${f.knownHostsFile}\n`,
          ['mute'],
        );
        expect(hosts[0].connectTimeoutMs).toBe(1000);
        const t = fixtureTransport(f, { agent: '', connectTimeoutMs: 120_000 });
        transports.push(t);
        const failure = await t.exec(hosts[0], 'true').then(() => undefined, (e: unknown) => e);
        expect(failure).toBeInstanceOf(ConnectionError);
        expect((failure as Error).message).toMatch(/no SSH handshake from .* within 1s \(ConnectTimeout\)/);
        const ssh = await opensshExit(cfg, 'mute');
        expect(ssh.code).toBe(255);
        expect(ssh.stderr).toMatch(/timed out during banner exchange/);
      } finally {
        await silent.close();
      }
    }, 60_000);
  });
});
