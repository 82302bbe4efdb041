// The state lock under faults: a lock left behind by a SIGKILLed player is stale (its pid is gone)
// and taken over; a lock held by a live player is refused with exit 4, naming the holder's pid.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, startCli, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { fence, pidAlive, waitForCli } from './support.js';

let fx: SshFixture;
let inv: string;

beforeAll(async () => {
  fx = await startSshHosts(1);
  inv = writeFile(sharedTempDir(), 'inv.yaml', fx.inventoryYaml());
});
afterAll(async () => {
  await fx?.stop();
});

/** A runbook whose first step blocks on h1 until `release` exists. */
function setup() {
  const dir = sharedTempDir('rb-fault-lock-');
  const body = `touch ${dir}/started\nfor i in $(seq 600); do [ -e ${dir}/release ] && break; sleep 0.1; done\necho x >> ${dir}/count`;
  const rb = writeFile(dir, 'book.md', `# Lock\n\n${fence('id=block hosts=h1', body)}\n${fence('id=after hosts=h1', `touch ${dir}/after`)}`);
  const state = join(dir, 's.jsonl');
  const args = ['run', rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', state];
  return { dir, state, lock: `${state}.lock`, args };
}

describe('state lock', () => {
  it('a lock left by a SIGKILLed player is detected as stale (its pid is gone) and taken over', async () => {
    const t = setup();
    const p = startCli(t.args, { cwd: t.dir });
    await waitForCli(p, () => existsSync(join(t.dir, 'started')), 'the first player to start its step');
    p.child.kill('SIGKILL');
    await p.done;
    const stale = JSON.parse(readFileSync(t.lock, 'utf8')) as { pid: number };
    expect(stale.pid).toBe(p.child.pid);
    expect(pidAlive(stale.pid)).toBe(false);

    writeFileSync(join(t.dir, 'release'), '');
    const r = await runCli([...t.args, '--retry-interrupted'], { cwd: t.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/interrupted in an earlier session: block@h1/);
    expect(existsSync(join(t.dir, 'after'))).toBe(true);
    expect(existsSync(t.lock)).toBe(false); // released at the end
  });

  it('a lock held by a live player is refused with exit 4, naming its pid, and nothing is run or written', async () => {
    const t = setup();
    const p = startCli(t.args, { cwd: t.dir });
    try {
      await waitForCli(p, () => existsSync(join(t.dir, 'started')), 'the first player to start its step');
      const stateBefore = readFileSync(t.state, 'utf8');
      const r = await runCli([...t.args, '--retry-interrupted', '--force'], { cwd: t.dir });
      expect(r.code, r.stdout + r.stderr).toBe(4);
      expect(r.stderr).toContain(`is in use by pid ${p.child.pid}`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(readFileSync(t.state, 'utf8')).toBe(stateBefore);
      expect(JSON.parse(readFileSync(t.lock, 'utf8')).pid).toBe(p.child.pid);
    } finally {
      writeFileSync(join(t.dir, 'release'), '');
    }
    const first = await p.done;
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(readFileSync(join(t.dir, 'count'), 'utf8')).toBe('x\n'); // the step ran once, by the first player
  });
});
