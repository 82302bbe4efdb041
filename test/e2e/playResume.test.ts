// The resume banner after a crash, end to end: the built CLI in a real terminal (private tmux
// server) against real OpenSSH servers on loopback. The player is killed with SIGKILL mid-step;
// whatever runs next (`status`, then `play`, then `play` again after the banner was left
// unanswered), the player opens with the banner naming the interrupted step and hosts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { playCommand, useTmux } from '../helpers/tmux.js';
import { fence } from '../helpers/markdown.js';

const SIZE = { cols: 80, rows: 24 };
const term = useTmux('rb114-resume');

let fx: SshFixture;
let dir: string;
let inv: string;
let book: string;
let state: string;

beforeAll(async () => {
  fx = await startSshHosts(3);
  dir = sharedTempDir();
  inv = writeFile(dir, 'inventory.yaml', fx.inventoryYaml());
  state = join(dir, 'state.jsonl');
  book = writeFile(dir, 'crash.md', [
    '# Crash and resume\n',
    '## Prepare\n',
    fence('id=prep', 'echo prepared'),
    '## Wait for the go file\n',
    // Bounded (60 s): a remote loop a killed player leaves behind ends by itself. Silent while it
    // waits: a write after the player died would kill it with SIGPIPE (exit 141), and R would then
    // adopt that outcome (the interrupted attempt's marker, issue 9) instead of the go file's.
    fence('id=wait-go', `for i in $(seq 1 300); do [ -f ${dir}/go ] && { echo went; exit 0; }; sleep 0.2; done; exit 1`),
  ].join('\n'));
}, 60_000);

afterAll(async () => {
  await fx?.stop();
});

async function startPlay(name: string): Promise<void> {
  const args = [BIN, 'play', book, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', state];
  await term.start(name, playCommand(dir, args), SIZE);
}

/** The screen with borders and runs of spaces folded, so wrapped dialog text reads as one line. */
const flat = (s: string): string => s.replace(/[│║┃]/g, ' ').replace(/\s+/g, ' ');

describe('the resume banner after the player was killed mid-step', () => {
  it('appears on every play while the state holds interrupted hosts, names them, and R retries them', async () => {
    await startPlay('crash');
    await term.waitScreen('crash', (s) => /› prep/.test(s), 'the player on the first step', 30_000);
    await term.keys('crash', 'Space');
    await term.waitScreen('crash', (s) => /wait-go\s+… 0\/3/.test(s) && /h3\s+running/.test(s), 'wait-go running on the three hosts', 30_000);
    process.kill(await term.childPid('crash'), 'SIGKILL');
    await term.waitScreen('crash', (s) => s.includes('EXIT=137'), 'the killed player gone');

    // A headless command first: it must not make the next play forget the interruption.
    const st = await runCli(['status', book, '-i', inv, '--state', state], { cwd: dir });
    expect(st.code, st.stderr).not.toBe(2);

    await startPlay('after');
    let s = await term.waitScreen('after', (x) => x.includes('Resumed: 3 host-steps were interrupted'), 'the resume banner after status');
    expect(flat(s)).toMatch(/⏸ wait-go on h1, h2, h3 \(crash\.md:\d+, started \d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
    expect(flat(s)).toContain('R runs each step again on its interrupted hosts');
    // The status line names them interrupted (their outcome is unknown), never failed.
    expect(s.split('\n')[0]).toContain('⏸ 3 interrupted');
    expect(s.split('\n')[0]).not.toContain('failed');
    for (const l of s.replace(/\n+$/, '').split('\n')) expect([...l].length).toBeLessThanOrEqual(SIZE.cols);

    // Left unanswered: Esc, quit. The hosts are now recorded interrupted (nothing is 'running').
    await term.keys('after', 'Escape');
    await term.waitScreen('after', (x) => !x.includes('Resumed:') && /wait-go\s+⏸ 3\/3 intr/.test(x), 'the banner closed');
    await term.keys('after', 'q');
    await term.waitScreen('after', (x) => x.includes('EXIT='), 'the player to exit');

    await startPlay('again');
    s = await term.waitScreen('again', (x) => x.includes('Resumed: 3 host-steps were interrupted'), 'the banner on the next play too');
    expect(flat(s)).toContain('⏸ wait-go on h1, h2, h3');

    writeFileSync(join(dir, 'go'), '');
    await term.keys('again', 'R');
    s = await term.waitScreen('again', (x) => /wait-go\s+✔ 3\/3/.test(x), 'the retry done on the three hosts', 30_000);
    expect(s).not.toContain('Resumed:');
    await term.keys('again', 'q');
    s = await term.waitScreen('again', (x) => x.includes('EXIT='), 'the player to exit');
    expect(s).toContain('EXIT=0');
  }, 180_000);
});
