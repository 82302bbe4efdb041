// Operators' existing SSH setup is honoured: ~/.ssh/config aliases and the ssh-agent.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';

let fx: SshFixture;
let agent: ChildProcess | undefined;
let agentSock: string;

beforeAll(async () => {
  fx = await startSshHosts(2);
  const dir = sharedTempDir('rb-agent-');
  agentSock = join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    agent!.stdout!.on('data', () => resolve());
    agent!.once('error', reject);
  });
  const add = spawnSync('ssh-add', [fx.privateKeyFile], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, encoding: 'utf8' });
  expect(add.status, add.stderr).toBe(0);
});
afterAll(async () => {
  agent?.kill('SIGTERM');
  await fx?.stop();
});

const book = (dir: string) => writeFile(dir, 'book.md', `# Hi\n\n\`\`\`bash {id=hi hosts=all}\ntouch ${dir}/{{ host.name }}.ok\n\`\`\`\n`);

describe('honouring the operator\'s SSH setup', () => {
  it('resolves inventory names through ~/.ssh/config Host aliases (HostName, Port, User, IdentityFile)', async () => {
    const dir = sharedTempDir();
    const cfg = writeFile(
      dir,
      'ssh_config',
      fx.hosts.map((h, i) => `Host node${i + 1}\n  HostName ${h.address}\n  Port ${h.port}\n  User ${fx.user}\n  IdentityFile ${fx.privateKeyFile}\n`).join('\n'),
    );
    const inv = writeFile(dir, 'inv.yaml', 'all:\n  hosts:\n    node1:\n    node2:\n');
    const r = await runCli(['run', book(dir), '-i', inv, '--ssh-config', cfg, '--known-hosts', fx.knownHostsFile, '--state', join(dir, 's.jsonl')], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(join(dir, 'node1.ok')) && existsSync(join(dir, 'node2.ok'))).toBe(true);
  });

  it('logs in with a key held by the ssh-agent when the inventory names no key file', async () => {
    const dir = sharedTempDir();
    const h = fx.hosts[0];
    const inv = writeFile(dir, 'inv.yaml', `all:\n  hosts:\n    viaagent:\n      ansible_host: ${h.address}\n      ansible_port: ${h.port}\n      ansible_user: ${fx.user}\n`);
    const r = await runCli(['run', book(dir), '-i', inv, '--no-ssh-config', '--known-hosts', fx.knownHostsFile, '--state', join(dir, 's.jsonl')], {
      cwd: dir,
      env: { SSH_AUTH_SOCK: agentSock, HOME: dir },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(join(dir, 'viaagent.ok'))).toBe(true);
  });
});
