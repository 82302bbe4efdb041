// A host that cannot be reached did not fail the step: it is `unreachable`, with its own exit code
// (issue 9, item 10). Built CLI against real OpenSSH servers on loopback.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/engine/errors.js';
import { fence } from '../helpers/markdown.js';
import { useSshLab } from '../helpers/sshLab.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { TEST_USER, unusedAddress } from '../helpers/sshd.js';

const lab = useSshLab(2);

/** The fixture's inventory plus one extra host entry (YAML lines under `hosts:`). */
function inventoryWith(dir: string, extra: string): string {
  return writeFile(dir, 'inventory.yaml', lab.fx.inventoryYaml() + extra);
}

function hostEntry(name: string, address: string, port: number, key: string): string {
  return `    ${name}:\n      ansible_host: ${address}\n      ansible_port: ${port}\n      ansible_user: ${TEST_USER}\n      ansible_ssh_private_key_file: ${key}\n`;
}

async function run(dir: string, inv: string, markdown: string, ...extra: string[]) {
  const rb = writeFile(dir, 'book.md', markdown.replaceAll('$DIR', dir));
  const state = join(dir, 'state.jsonl');
  const r = await runCli(['run', rb, '-i', inv, ...lab.ssh, '--state', state, ...extra], { cwd: dir });
  const status = async () => JSON.parse((await runCli(['status', rb, '-i', inv, '--state', state, '--json'], { cwd: dir })).stdout);
  const text = async () => (await runCli(['status', rb, '-i', inv, '--state', state], { cwd: dir })).stdout;
  return { ...r, status, text };
}

const touchAll = fence('id=touch hosts=all', 'touch $DIR/{{ host.name }}.ok');

describe('unreachable hosts', () => {
  it('records a refused connection as unreachable (not an attempt), exits 5, and the reachable hosts finish', async () => {
    const dir = sharedTempDir();
    const dead = await unusedAddress();
    const inv = inventoryWith(dir, hostEntry('dead', dead.address, dead.port, lab.fx.privateKeyFile));
    const r = await run(dir, inv, `# Reach\n\n${touchAll}`);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.UNREACHABLE);
    expect(r.stdout).toMatch(/dead\s+unreachable.*connection refused/);
    expect(r.stdout).toMatch(/stopped: step `touch` could not run everywhere \(dead unreachable\)/);
    for (const h of ['h1', 'h2']) expect(existsSync(join(dir, `${h}.ok`))).toBe(true);
    const st = await r.status();
    expect(st.steps[0].hosts.dead).toMatchObject({ status: 'unreachable', attempts: 0 });
    expect(st.steps[0].hosts.dead.message).toMatch(/connection refused/);
    expect(await r.text()).toMatch(/⊘ unreachable/);
  });

  it('records an unknown host key as unreachable', async () => {
    const dir = sharedTempDir();
    const rb = writeFile(dir, 'book.md', `# Keys\n\n${fence('id=k hosts=h1', 'true')}`);
    const inv = writeFile(dir, 'inventory.yaml', lab.fx.inventoryYaml());
    const known = writeFile(dir, 'known_hosts', '');
    const r = await runCli(['run', rb, '-i', inv, '--known-hosts', known, '--no-ssh-config', '--state', join(dir, 's.jsonl')], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.UNREACHABLE);
    expect(r.stdout).toMatch(/h1\s+unreachable.*unknown host key/);
  });

  it('records refused authentication as unreachable', async () => {
    const dir = sharedTempDir();
    const wrongKey = join(dir, 'wrong_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    const h2 = lab.fx.hosts[1];
    const inv = writeFile(dir, 'inventory.yaml', `all:\n  hosts:\n${hostEntry('h2', h2.address, h2.port, wrongKey)}`);
    const r = await run(dir, inv, `# Auth\n\n${touchAll}`);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.UNREACHABLE);
    expect(r.stdout).toMatch(/h2\s+unreachable.*permission denied/i);
    expect((await r.status()).steps[0].hosts.h2.status).toBe('unreachable');
  });

  it('exits 1, not 5, when a reachable host failed too', async () => {
    const dir = sharedTempDir();
    const dead = await unusedAddress();
    const inv = inventoryWith(dir, hostEntry('dead', dead.address, dead.port, lab.fx.privateKeyFile));
    const r = await run(dir, inv, `# Both\n\n${fence('id=f hosts=all', 'test {{ host.name }} != h1')}`);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.STEP_FAILED);
    expect(r.stdout).toMatch(/h1 failed; dead unreachable|dead unreachable; h1 failed/);
  });

  it('refuses a missing private key file before connecting: exit 2 naming the inventory file and line', async () => {
    const dir = sharedTempDir();
    const missing = join(dir, 'no_such_key');
    const inv = inventoryWith(dir, hostEntry('nokey', lab.fx.hosts[0].address, lab.fx.hosts[0].port, missing));
    const line = lab.fx.inventoryYaml().split('\n').length - 1 + 5; // the fifth line of the extra entry
    const r = await run(dir, inv, `# Key\n\n${touchAll}`);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.BAD_INPUT);
    expect(r.stderr).toContain(`${inv}:${line}: private key file ${missing} of host \`nokey\` does not exist`);
    expect(existsSync(join(dir, 'h1.ok'))).toBe(false);
    expect(existsSync(join(dir, 'state.jsonl'))).toBe(false);
  });

  /** An inventory of host `cfg` that takes its key from the ssh config only, and that config. */
  function viaSshConfig(dir: string, identityLines: readonly string[]) {
    const h = lab.fx.hosts[0];
    const inv = writeFile(dir, 'inventory.yaml', `all:\n  hosts:\n    cfg:\n      ansible_host: ${h.address}\n      ansible_port: ${h.port}\n      ansible_user: ${TEST_USER}\n`);
    const config = writeFile(dir, 'ssh_config', ['# test config', 'Host *', ...identityLines.map((l) => `  IdentityFile ${l}`), ''].join('\n'));
    const rb = writeFile(dir, 'book.md', `# Key\n\n${touchAll.replaceAll('$DIR', dir)}`);
    const state = join(dir, 'state.jsonl');
    return { config, run: () => runCli(['run', rb, '-i', inv, '--known-hosts', lab.fx.knownHostsFile, '--ssh-config', config, '--state', state], { cwd: dir }), state };
  }

  it('refuses an ssh config IdentityFile that does not exist (no other identity, no agent) before connecting: exit 2 naming the ssh config file and line', async () => {
    const dir = sharedTempDir();
    const missing = join(dir, 'no_such_key');
    const t = viaSshConfig(dir, [missing]);
    const r = await t.run();
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.BAD_INPUT);
    expect(r.stderr).toContain(`${t.config}:3: no usable SSH identity for host \`cfg\`: the ssh config's IdentityFile file ${missing} does not exist`);
    expect(existsSync(join(dir, 'cfg.ok'))).toBe(false);
    expect(existsSync(t.state)).toBe(false);
  });

  it('skips a missing ssh config IdentityFile when a later one exists, as ssh does, and runs', async () => {
    const dir = sharedTempDir();
    const t = viaSshConfig(dir, [join(dir, 'no_such_key'), lab.fx.privateKeyFile]);
    const r = await t.run();
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.OK);
    expect(existsSync(join(dir, 'cfg.ok'))).toBe(true);
  });
});
