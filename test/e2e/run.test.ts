// `runbook run` end to end: the built CLI, ssh2, and real OpenSSH servers on loopback.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, startCli, writeFile } from '../helpers/cli.js';
import { startSshHosts, unusedAddress, type SshFixture } from '../helpers/sshd.js';
import { fence } from '../helpers/markdown.js';

let fx: SshFixture;
let inv: string;

beforeAll(async () => {
  fx = await startSshHosts(3);
  const dir = sharedTempDir();
  inv = writeFile(dir, 'inventory.yaml', fx.inventoryYaml({ masters: ['h1', 'h2'], workers: ['h3'] }));
});
afterAll(async () => {
  await fx?.stop();
});

/** A fresh work directory with a runbook; returns helpers bound to it. */
function setup(markdown: string) {
  const dir = sharedTempDir();
  const rb = writeFile(dir, 'book.md', markdown.replaceAll('$DIR', dir));
  const state = join(dir, 'state.jsonl');
  const base = ['--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', state];
  return {
    dir,
    rb,
    state,
    run: (...extra: string[]) => runCli(['run', rb, '-i', inv, ...base, ...extra], { cwd: dir }),
    start: (...extra: string[]) => startCli(['run', rb, '-i', inv, ...base, ...extra], { cwd: dir }),
    status: async () => JSON.parse((await runCli(['status', rb, '-i', inv, '--state', state, '--json'], { cwd: dir })).stdout),
  };
}


describe('runbook run over ssh', () => {
  it('fans a step out to every targeted host and records ok for each', async () => {
    const t = setup(`# Fan out\n\n${fence('id=touch hosts=all', 'touch $DIR/{{ host.name }}.touched')}`);
    const r = await t.run();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of ['h1', 'h2', 'h3']) expect(existsSync(join(t.dir, `${h}.touched`))).toBe(true);
    const st = await t.status();
    expect(Object.values(st.steps[0].hosts).map((c: any) => c.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('targets groups and index patterns from the inventory', async () => {
    const t = setup(`# Groups\n\n${fence('id=first hosts=masters[0]', 'touch $DIR/{{ host.name }}.first')}\n${fence('id=rest hosts="masters[1:],workers"', 'touch $DIR/{{ host.name }}.rest')}`);
    expect((await t.run()).code).toBe(0);
    expect(existsSync(join(t.dir, 'h1.first'))).toBe(true);
    expect(existsSync(join(t.dir, 'h2.first'))).toBe(false);
    expect(existsSync(join(t.dir, 'h2.rest')) && existsSync(join(t.dir, 'h3.rest'))).toBe(true);
    expect(existsSync(join(t.dir, 'h1.rest'))).toBe(false);
  });

  it('makes a value captured on one host usable by a later step on another host', async () => {
    const t = setup(`# Capture\n\n${fence('id=make hosts=h1 capture=join_cmd', 'echo "kubeadm join 10.0.0.1:6443 --token abc.def"')}\n${fence('id=use hosts=h3', 'echo "{{ join_cmd }}" > $DIR/got')}`);
    const r = await t.run();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(t.dir, 'got'), 'utf8')).toBe('kubeadm join 10.0.0.1:6443 --token abc.def\n');
  });

  it('records done-already where the unless guard passes and runs the body elsewhere', async () => {
    const t = setup(`# Guard\n\n${fence('id=g hosts=masters unless="test -f $DIR/{{ host.name }}.done"', 'touch $DIR/{{ host.name }}.ran')}`);
    writeFileSync(join(t.dir, 'h1.done'), '');
    expect((await t.run()).code).toBe(0);
    const st = await t.status();
    expect(st.steps[0].hosts.h1.status).toBe('done-already');
    expect(st.steps[0].hosts.h2.status).toBe('ok');
    expect(existsSync(join(t.dir, 'h1.ran'))).toBe(false);
  });

  it('fails a host whose verify command fails, and exits 1', async () => {
    const t = setup(`# Verify\n\n${fence('id=v hosts=h1 verify="test -f $DIR/never"', 'true')}`);
    const r = await t.run();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/verify failed/);
    expect((await t.status()).steps[0].hosts.h1.status).toBe('failed');
  });

  it('writes a file= block byte for byte with its mode, expanding nothing the shell would', async () => {
    const content = 'check=$(netstat -lnt | grep 6443)\nhome=$HOME `id`\nvip={{ vip }}\n';
    const t = setup(`---\nvars:\n  vip: 10.0.0.100\n---\n# File\n\n${fence(`id=cfg hosts=h2 file=$DIR/out.conf mode=0600`, content.trimEnd(), 'ini')}`);
    const r = await t.run();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(t.dir, 'out.conf'), 'utf8')).toBe(content.replace('{{ vip }}', '10.0.0.100'));
    expect(statSync(join(t.dir, 'out.conf')).mode & 0o777).toBe(0o600);
  });

  it('kills a step that exceeds its timeout and marks the host failed', async () => {
    const t = setup(`# Timeout\n\n${fence('id=slow hosts=h1 timeout=1s', 'sleep 60')}`);
    const r = await t.run();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/timed out after 1s/);
  });

  it('fails an unreachable host with a connection message while the others finish', async () => {
    const dead = await unusedAddress();
    const dir = sharedTempDir();
    const inv2 = writeFile(dir, 'inv.yaml', fx.inventoryYaml() + `    dead:\n      ansible_host: ${dead.address}\n      ansible_port: ${dead.port}\n      ansible_user: rbtest\n      ansible_ssh_private_key_file: ${fx.privateKeyFile}\n`);
    const rb = writeFile(dir, 'book.md', `# Reach\n\n${fence('id=r hosts=all', `touch ${dir}/{{ host.name }}.ok`)}`);
    const r = await runCli(['run', rb, '-i', inv2, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(dir, 's.jsonl')], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/dead\s+unreachable.*(refused|connect)/i);
    for (const h of ['h1', 'h2', 'h3']) expect(existsSync(join(dir, `${h}.ok`))).toBe(true);
  });

  it('stops at a confirm step with exit 3 unless --yes is given', async () => {
    const t = setup(`# Danger\n\n${fence('id=wipe hosts=h1 confirm="wipes etcd data"', 'touch $DIR/wiped')}`);
    const r = await t.run();
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/wipes etcd data/);
    expect(existsSync(join(t.dir, 'wiped'))).toBe(false);
    expect((await t.run('--yes')).code).toBe(0);
    expect(existsSync(join(t.dir, 'wiped'))).toBe(true);
  });

  it('does not run a step again once it is done, unless forced', async () => {
    const t = setup(`# Once\n\n${fence('id=count hosts=h1', 'echo x >> $DIR/count')}`);
    await t.run();
    await t.run();
    expect(readFileSync(join(t.dir, 'count'), 'utf8')).toBe('x\n');
    await t.run('--force');
    expect(readFileSync(join(t.dir, 'count'), 'utf8')).toBe('x\nx\n');
  });

  it('runs sudo steps as root on the host', async () => {
    const t = setup(`# Sudo\n\n${fence('id=root hosts=h1 sudo capture=uid', 'id -u')}\n${fence('id=show hosts=h1', 'echo {{ uid }} > $DIR/uid')}`);
    expect((await t.run()).code).toBe(0);
    expect(readFileSync(join(t.dir, 'uid'), 'utf8')).toBe('0\n');
  });
});

describe('host keys', () => {
  it('refuses an unknown host key, printing its fingerprint', async () => {
    const dir = sharedTempDir();
    const kh = writeFile(dir, 'known_hosts', '');
    const rb = writeFile(dir, 'book.md', `# K\n\n${fence('id=k hosts=h1', 'true')}`);
    const r = await runCli(['run', rb, '-i', inv, '--known-hosts', kh, '--no-ssh-config', '--state', join(dir, 's.jsonl')], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stdout).toContain(fx.hosts[0].fingerprint);
  });

  it('accepts and records an unknown key with --accept-new', async () => {
    const dir = sharedTempDir();
    const kh = writeFile(dir, 'known_hosts', '');
    const rb = writeFile(dir, 'book.md', `# K\n\n${fence('id=k hosts=h1', 'true')}`);
    const r = await runCli(['run', rb, '-i', inv, '--known-hosts', kh, '--no-ssh-config', '--accept-new', '--state', join(dir, 's.jsonl')], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(kh, 'utf8')).toContain(fx.hosts[0].hostKeyLine.split(' ')[1]);
  });

  it('refuses a changed host key even with --accept-new', async () => {
    const dir = sharedTempDir();
    const kh = writeFile(dir, 'known_hosts', fx.knownHostsLine(2) + '\n');
    await fx.regenerateHostKey(2);
    const rb = writeFile(dir, 'book.md', `# K\n\n${fence('id=k hosts=h3', 'touch ' + dir + '/ran')}`);
    const r = await runCli(['run', rb, '-i', inv, '--known-hosts', kh, '--no-ssh-config', '--accept-new', '--state', join(dir, 's.jsonl')], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/changed/i);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    fx.writeKnownHosts(fx.hosts.map((_, i) => fx.knownHostsLine(i)));
  });
});

describe('crash and resume', () => {
  it('after kill -9 mid-step, resume settles only the interrupted step (the attempt the crash left running is waited for and adopted, not started twice) and runs nothing already done', async () => {
    const t = setup(
      `# Crash\n\n${fence('id=one hosts=all', 'echo one >> $DIR/{{ host.name }}.count')}\n${fence('id=two hosts=all', 'echo two-start >> $DIR/{{ host.name }}.count\nwhile [ ! -f $DIR/go ]; do sleep 0.1; done\necho two >> $DIR/{{ host.name }}.count')}\n${fence('id=three hosts=all', 'echo three >> $DIR/{{ host.name }}.count')}`,
    );
    const p = t.start();
    await p.waitFor(/▶ two/);
    // 'running' is durable before the command starts: wait until every host shows it on disk.
    await expect.poll(async () => Object.values((await t.status()).steps[1].hosts).map((c: any) => c.status), { timeout: 20_000 }).toEqual(['running', 'running', 'running']);
    p.child.kill('SIGKILL');
    await p.done;

    const st = await t.status();
    expect(st.steps[0].hosts.h1.status).toBe('ok');
    const stopped = await t.run();
    expect(stopped.code).toBe(3);
    expect(stopped.stdout).toMatch(/interrupted/);

    writeFileSync(join(t.dir, 'go'), '');
    const r = await t.run('--retry-interrupted');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of ['h1', 'h2', 'h3']) {
      const lines = readFileSync(join(t.dir, `${h}.count`), 'utf8').trim().split('\n');
      expect(lines).toEqual(['one', 'two-start', 'two', 'three']);
    }
  });

  it('refuses a second player on the same state file, naming the holder', async () => {
    const t = setup(`# Lock\n\n${fence('id=wait hosts=h1', 'while [ ! -f $DIR/go ]; do sleep 0.1; done')}`);
    const p = t.start();
    await p.waitFor(/▶ wait/);
    const second = await t.run();
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(new RegExp(`pid ${p.child.pid}`));
    writeFileSync(join(t.dir, 'go'), '');
    expect((await p.done).code).toBe(0);
  });
});

describe('bad input', () => {
  it('rejects an unknown option with exit 2 and no stack trace', async () => {
    const t = setup(`# X\n\n${fence('id=x hosts=h1', 'true')}`);
    const r = await t.run('--frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^runbook: error: unknown option '--frobnicate'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the file and line of a malformed attribute, exits 2, and leaves the state untouched', async () => {
    const t = setup(`# X\n\n${fence('id=x hosts=h1', 'true')}`);
    expect((await t.run()).code).toBe(0);
    const before = readFileSync(t.state);
    writeFileSync(t.rb, `# X\n\n${fence('id=x hosts=h1', 'true')}\n\n${fence('id=y timeout=soon', 'true')}`);
    const r = await t.run();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/book\.md:8: bad timeout `soon`/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(t.state).equals(before)).toBe(true);
  });

  it('names the missing runbook file with exit 2', async () => {
    const r = await runCli(['run', '/nonexistent/book.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/book\.md/);
  });

  it('names an undefined variable with its step and line, and runs nothing', async () => {
    const t = setup(`# X\n\n${fence('id=x hosts=h1', 'touch $DIR/ran\necho {{ nope }}')}`);
    const r = await t.run();
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/nope/);
    expect(r.stdout + r.stderr).toMatch(/book\.md:5/);
    expect(existsSync(join(t.dir, 'ran'))).toBe(false);
  });
});
