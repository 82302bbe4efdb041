// Quitting the player while a step runs (q then y, Ctrl-C twice, SIGTERM) aborts the step, kills the remote process tree and records
// the outcome (issue 9, item 7). The built CLI in a real terminal (tmux) against a loopback sshd.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';
import { useSshLab } from '../helpers/sshLab.js';
import { playCommand, useTmux } from '../helpers/tmux.js';

const term = useTmux('rb9-quit');
const lab = useSshLab(1);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setTimeout(r, 100)); // poll interval, not synchronisation
  }
}

/** Play a one-step runbook whose step leaves a long `sleep` on the host and says its pid. */
async function startLongStep(session: string) {
  const dir = sharedTempDir();
  const inv = writeFile(dir, 'inventory.yaml', lab.fx.inventoryYaml());
  const book = writeFile(dir, 'book.md', `# Long\n\n${fence('id=long hosts=h1', `sleep 300 &\necho $! > ${dir}/pid\nwait`)}`);
  const state = join(dir, 'state.jsonl');
  await term.start(session, playCommand(dir, [BIN, 'play', book, '-i', inv, ...lab.ssh, '--state', state]));
  await term.waitScreen(session, (s) => s.includes('long'), 'the player');
  await term.keys(session, 'Enter');
  await until(() => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').endsWith('\n'), 'the remote sleep to start');
  const remotePid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  expect(alive(remotePid)).toBe(true);
  const status = async () => JSON.parse((await runCli(['status', book, '-i', inv, '--state', state, '--json'], { cwd: dir })).stdout).steps[0].hosts.h1;
  return { dir, state, remotePid, status };
}

describe('quitting the player while a step runs', () => {
  it('q then y: the remote process tree is killed and the host recorded failed (aborted), not running', async () => {
    const t = await startLongStep('q');
    await term.keys('q', 'q');
    await term.waitScreen('q', (s) => /quit/i.test(s), 'the quit dialog');
    await term.keys('q', 'y');
    const screen = await term.waitScreen('q', (s) => /EXIT=\d+/.test(s), 'the player to exit', 30_000);
    expect(screen).not.toMatch(/after close\(\)/);
    await until(() => !alive(t.remotePid), 'the remote sleep to be killed');
    expect(await t.status()).toMatchObject({ status: 'failed', message: 'aborted by operator' });
  });

  it('Ctrl-C twice: the remote process tree is killed and the host recorded failed (aborted), not running', async () => {
    const t = await startLongStep('ctrlc');
    // Both presses in one send-keys: the second arrives while the step is still being aborted.
    await term.keys('ctrlc', 'C-c', 'C-c');
    const screen = await term.waitScreen('ctrlc', (s) => /EXIT=\d+/.test(s), 'the player to exit', 30_000);
    expect(screen).not.toMatch(/after close\(\)/);
    await until(() => !alive(t.remotePid), 'the remote sleep to be killed');
    expect(await t.status()).toMatchObject({ status: 'failed', message: 'aborted by operator' });
    expect(existsSync(`${t.state}.lock`)).toBe(false);
  });

  it('SIGTERM: the same, and the lock is released', async () => {
    const t = await startLongStep('term');
    const lock = JSON.parse(readFileSync(`${t.state}.lock`, 'utf8')) as { pid: number };
    process.kill(lock.pid, 'SIGTERM');
    const screen = await term.waitScreen('term', (s) => /EXIT=\d+/.test(s), 'the player to exit', 30_000);
    expect(screen).not.toMatch(/after close\(\)/);
    await until(() => !alive(t.remotePid), 'the remote sleep to be killed');
    expect(await t.status()).toMatchObject({ status: 'failed', message: 'aborted by operator' });
    expect(existsSync(`${t.state}.lock`)).toBe(false);
  });
});
