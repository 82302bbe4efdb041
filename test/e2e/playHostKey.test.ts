// The unknown-host-key dialog end to end: the real `bin/runbook play` in tmux against real sshd
// hosts whose keys are not in known_hosts. Accepting records the key; rejecting fails the host.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, sharedTempDir, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';

const exec = promisify(execFile);
const SOCKET = `rb-hostkey-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const tmux = (...args: string[]) => exec('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args]);

let fx: SshFixture;
let dir: string;

beforeAll(async () => {
  fx = await startSshHosts(2);
  dir = sharedTempDir();
}, 60_000);

afterAll(async () => {
  await tmux('kill-server').catch(() => undefined);
  await fx?.stop();
});

async function screen(name: string): Promise<string> {
  return (await tmux('capture-pane', '-p', '-t', name)).stdout;
}

async function waitScreen(name: string, cond: (s: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await screen(name);
    if (cond(last)) return last;
    await new Promise<void>((r) => setTimeout(r, 100)); // poll interval, not synchronisation
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
}

describe('unknown host keys in the player', () => {
  it('asks with the fingerprint; y records the key and runs, n refuses and fails the host', async () => {
    const inv = writeFile(dir, 'inventory.yaml', fx.inventoryYaml());
    const book = writeFile(dir, 'book.md', `# Keys\n\n\`\`\`bash {id=touch}\ntouch ${dir}/{{ host.name }}.ran\n\`\`\`\n`);
    const knownHosts = writeFile(dir, 'known_hosts', '');
    const args = [BIN, 'play', book, '-i', inv, '--known-hosts', knownHosts, '--no-ssh-config', '--forks', '1', '--state', join(dir, 'state.jsonl')];
    const cmd = `cd '${dir}' && '${process.execPath}' ${args.map((a) => `'${a}'`).join(' ')}; echo "EXIT=$?"; read _`;
    await tmux('new-session', '-d', '-s', 'keys', '-x', '120', '-y', '32', '-e', 'NO_COLOR=1', '-e', 'SSH_AUTH_SOCK=', 'sh', '-c', cmd);
    await waitScreen('keys', (s) => /› touch\s+· 0\/2/.test(s), 'the player');

    await tmux('send-keys', '-t', 'keys', 'Enter');
    let s = await waitScreen('keys', (x) => x.includes('Unknown host key for h1'), 'the host key dialog for h1');
    expect(s).toContain(fx.hosts[0].fingerprint);
    await tmux('send-keys', '-t', 'keys', 'y');

    s = await waitScreen('keys', (x) => x.includes('Unknown host key for h2'), 'the host key dialog for h2');
    expect(s).toContain(fx.hosts[1].fingerprint);
    await tmux('send-keys', '-t', 'keys', 'n');

    s = await waitScreen('keys', (x) => /touch\s+✖ 1\/2/.test(x), 'h1 done, h2 refused');
    expect(existsSync(join(dir, 'h1.ran'))).toBe(true);
    expect(existsSync(join(dir, 'h2.ran'))).toBe(false);
    const recorded = readFileSync(knownHosts, 'utf8');
    expect(recorded).toContain(fx.hosts[0].hostKeyLine.split(' ')[1]);
    expect(recorded).not.toContain(fx.hosts[1].hostKeyLine.split(' ')[1]);

    await tmux('send-keys', '-t', 'keys', 'q');
    s = await waitScreen('keys', (x) => x.includes('EXIT='), 'the player to exit');
    expect(s).toContain('EXIT=1');
  });
});
