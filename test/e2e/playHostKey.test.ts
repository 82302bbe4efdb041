// The unknown-host-key dialog end to end: the real `bin/runbook play` in tmux against real sshd
// hosts whose keys are not in known_hosts. Accepting records the key; rejecting fails the host.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, sharedTempDir, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { playCommand, useTmux } from '../helpers/tmux.js';

const term = useTmux('rb-hostkey');

let fx: SshFixture;
let dir: string;

beforeAll(async () => {
  fx = await startSshHosts(2);
  dir = sharedTempDir();
}, 60_000);

afterAll(async () => {
  await fx?.stop();
});

/**
 * The player in tmux session `name` on a runbook of one step with timeout=2s on h1, an empty
 * known_hosts, the step started (Enter) and the dialog about h1's key on screen.
 */
async function dialogOpen(name: string): Promise<{ sub: string; knownHosts: string; state: string }> {
  const sub = sharedTempDir(); // writable by the hosts' user
  const inv = writeFile(sub, 'inventory.yaml', fx.inventoryYaml());
  const book = writeFile(sub, 'book.md', `# Keys\n\n\`\`\`bash {id=slow-key hosts=h1 timeout=2s}\necho ran > ${sub}/h1.ran\n\`\`\`\n`);
  const knownHosts = writeFile(sub, 'known_hosts', '');
  const state = join(sub, 'state.jsonl');
  const args = [BIN, 'play', book, '-i', inv, '--known-hosts', knownHosts, '--no-ssh-config', '--state', state];
  await term.start(name, playCommand(sub, args));
  await term.waitScreen(name, (s) => /› slow-key\s+· 0\/1/.test(s), 'the player');
  await term.keys(name, 'Enter');
  await term.waitScreen(name, (x) => x.includes('Unknown host key for h1'), 'the host key dialog for h1');
  return { sub, knownHosts, state };
}

describe('unknown host keys in the player', () => {
  it('asks with the fingerprint; y records the key and runs, n refuses the key and the host is unreachable (exit 5)', async () => {
    const inv = writeFile(dir, 'inventory.yaml', fx.inventoryYaml());
    const book = writeFile(dir, 'book.md', `# Keys\n\n\`\`\`bash {id=touch}\ntouch ${dir}/{{ host.name }}.ran\n\`\`\`\n`);
    const knownHosts = writeFile(dir, 'known_hosts', '');
    const args = [BIN, 'play', book, '-i', inv, '--known-hosts', knownHosts, '--no-ssh-config', '--forks', '1', '--state', join(dir, 'state.jsonl')];
    await term.start('keys', playCommand(dir, args));
    await term.waitScreen('keys', (s) => /› touch\s+· 0\/2/.test(s), 'the player');

    await term.keys('keys', 'Enter');
    let s = await term.waitScreen('keys', (x) => x.includes('Unknown host key for h1'), 'the host key dialog for h1');
    expect(s).toContain(fx.hosts[0].fingerprint);
    await term.keys('keys', 'y');

    s = await term.waitScreen('keys', (x) => x.includes('Unknown host key for h2'), 'the host key dialog for h2');
    expect(s).toContain(fx.hosts[1].fingerprint);
    await term.keys('keys', 'n');

    s = await term.waitScreen('keys', (x) => /touch\s+✖ 1\/2/.test(x), 'h1 done, h2 refused');
    expect(existsSync(join(dir, 'h1.ran'))).toBe(true);
    expect(existsSync(join(dir, 'h2.ran'))).toBe(false);
    const recorded = readFileSync(knownHosts, 'utf8');
    expect(recorded).toContain(fx.hosts[0].hostKeyLine.split(' ')[1]);
    expect(recorded).not.toContain(fx.hosts[1].hostKeyLine.split(' ')[1]);

    await term.keys('keys', 'q');
    s = await term.waitScreen('keys', (x) => x.includes('EXIT='), 'the player to exit');
    // The refused key makes h2 unreachable (no step failed on a reachable host): exit 5.
    expect(s).toContain('EXIT=5');
  });

  it('a step with timeout= waits for the answer without its clock running: answered after longer than the timeout, it runs and ends ok', async () => {
    const { sub, knownHosts, state } = await dialogOpen('timed');
    // The operator reads the fingerprint for longer than the step's timeout= (2s).
    await new Promise((r) => setTimeout(r, 3000));
    let s = await term.screen('timed');
    expect(s).toContain('Unknown host key for h1');
    // The status line says what the player waits for, and its clock of running time did not count
    // the 3 s of reading (at most the moment it took to meet the key before the dialog opened).
    expect(s.split('\n')[0]).toMatch(/\[waiting for your answer: 1 host key\] ▶ slow-key {2}0:0[0-2]/);
    // Nothing of the step is recorded while the dialog waits (no 'running' record to time out).
    expect(existsSync(state) ? readFileSync(state, 'utf8') : '').not.toContain('"step":"slow-key"');
    await term.keys('timed', 'y');

    s = await term.waitScreen('timed', (x) => /slow-key\s+✔ 1\/1/.test(x), 'the step done on h1');
    expect(s).not.toMatch(/timed out/);
    expect(readFileSync(join(sub, 'h1.ran'), 'utf8')).toBe('ran\n');
    await term.keys('timed', 'q');
    s = await term.waitScreen('timed', (x) => x.includes('EXIT='), 'the player to exit');
    expect(s).toContain('EXIT=0');
    const recs = readFileSync(state, 'utf8').split('\n').filter((l) => l.includes('"step":"slow-key"') && l.includes('"t":"rec"')).map((l) => JSON.parse(l).rec);
    expect(recs.map((r: { status: string }) => r.status)).toEqual(['running', 'ok']);
  });

  it('Ctrl-C while the dialog is open: the step is aborted before it started, the question goes away, nothing is recorded; Enter asks again', async () => {
    const { knownHosts, state } = await dialogOpen('abort');
    await term.keys('abort', 'C-c');
    // (The question goes in one frame and the step settles in a later one: until then the status
    // line says [running], beside the 'aborting the running step' message.)
    let s = await term.waitScreen('abort', (x) => !x.includes('Unknown host key') && /slow-key\s+· 0\/1/.test(x) && x.split('\n')[0].includes('[paused]'), 'the dialog gone, the step still pending, the player paused');
    expect(s.split('\n')[0]).toContain('[paused]');
    expect(existsSync(state) ? readFileSync(state, 'utf8') : '').not.toContain('"step":"slow-key"');
    expect(readFileSync(knownHosts, 'utf8')).toBe('');

    await term.keys('abort', 'Enter');
    await term.waitScreen('abort', (x) => x.includes('Unknown host key for h1'), 'the host key dialog again');
    await term.keys('abort', 'y');
    s = await term.waitScreen('abort', (x) => /slow-key\s+✔ 1\/1/.test(x), 'the step done on h1');
    await term.keys('abort', 'q');
    s = await term.waitScreen('abort', (x) => x.includes('EXIT='), 'the player to exit');
    expect(s).toContain('EXIT=0');
  });
});
