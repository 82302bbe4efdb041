// `sudo -n` never prompts: an operator without passwordless sudo gets a failure with sudo's
// message at once, not a hang waiting for a password nobody can type; over SSH the remote sudo
// runs with -n too.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';

const NO_SUDO_USER = 'rbnosudo';

function ensureUserWithoutSudo(): void {
  for (let attempt = 0; ; attempt++) {
    try {
      execFileSync('id', ['-u', NO_SUDO_USER], { stdio: 'ignore' });
      return;
    } catch {
      try {
        execFileSync('useradd', ['-M', '-s', '/bin/bash', NO_SUDO_USER], { stdio: 'ignore' });
        return;
      } catch (e) {
        if (attempt >= 50) throw e; // created concurrently, or /etc/passwd locked: try again
      }
    }
  }
}

let fx: SshFixture;
beforeAll(async () => {
  ensureUserWithoutSudo();
  fx = await startSshHosts(1, { namePrefix: 'u' });
});
afterAll(async () => {
  await fx?.stop();
});

describe('sudo never prompts', () => {
  it('fails a sudo step at once for a user without passwordless sudo (local transport), exit 1', async () => {
    const dir = sharedTempDir();
    const rb = writeFile(dir, 'sudo.md', '# Sudo\n\n```bash {id=root sudo}\nid -u\n```\n');
    const child = spawn('runuser', ['-u', NO_SUDO_USER, '--', process.execPath, BIN, 'run', rb, '--state', join(dir, 'state.jsonl')], {
      cwd: dir,
      env: { PATH: process.env.PATH, NO_COLOR: '1', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    clearTimeout(timer);
    expect(code, out).toBe(1);
    expect(out).toMatch(/local\s+failed.*(password is required|sudo)/);
  });

  it.each(['shell', 'exec'])('runs remote sudo as `sudo -n` over SSH (runbook_session: %s)', async (mode) => {
    const dir = sharedTempDir();
    const inv = writeFile(dir, 'inv.yaml', fx.inventoryYaml() + `  vars:\n    runbook_session: ${mode}\n`);
    // the step's ancestors up to sshd: in exec mode its body runs in a subshell of the step's wrapper
    // (which keeps the per-attempt marker), whose parent is sudo; in shell mode it runs in the step's
    // own subshell of the root session shell that sudo runs (that shell keeps the marker's end)
    const rb = writeFile(dir, 'sudo.md', `# Sudo\n\n\`\`\`bash {id=who sudo}\nid -u > ${dir}/uid; p=$BASHPID; while [ "$p" -gt 1 ]; do ps -o args= -p $p; p=$(ps -o ppid= -p $p | tr -d ' '); done > ${dir}/ancestors\n\`\`\`\n`);
    const r = await runCli(['run', rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(dir, 'state.jsonl')], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(dir, 'uid'), 'utf8').trim()).toBe('0');
    const ancestors = readFileSync(join(dir, 'ancestors'), 'utf8');
    expect(ancestors).toMatch(/^bash -s\nbash -s\nsudo -n bash -s\n/);
  });
});
