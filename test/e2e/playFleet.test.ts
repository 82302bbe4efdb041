// The player at fleet scale, end to end: the built CLI in a real 80x24 terminal (a private tmux
// server) against 30 real OpenSSH servers on loopback. Confirm dialog, host picker, a step failing
// on 3 hosts, search, outline, follow mode, and quitting while a step runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { playCommand, useTmux } from '../helpers/tmux.js';
import { fence } from '../helpers/markdown.js';

const HOSTS = 30;
const SIZE = { cols: 80, rows: 24 };
const term = useTmux('rb14-fleet');

let fx: SshFixture;
let dir: string;
let inv: string;
let book: string;
let state: string;

const LONG = 'openssl req -x509 -new -key ca.key -subj "/CN=etcd-ca/O=runbook/OU=platform" -days 3650 -out /tmp/never-written.crt';

beforeAll(async () => {
  fx = await startSshHosts(HOSTS);
  dir = sharedTempDir();
  const names = fx.hosts.map((h) => h.name);
  inv = writeFile(dir, 'inventory.yaml', fx.inventoryYaml({ masters: names.slice(0, 3), workers: names.slice(3) }));
  state = join(dir, 'state.jsonl');
  book = writeFile(dir, 'fleet.md', [
    '# Fleet build\n',
    '## Prepare\n',
    fence('id=prep', 'echo prepared {{ host.name }}'),
    '## Certificates\n',
    'Every node gets the CA; masters also get their member certificate.\n',
    fence('id=certs confirm="replaces the etcd CA on every node"', `echo would run: ${LONG}\necho ca ready\n{% if host.name == "h1" or host.name == "h2" or host.name == "h3" %}echo member {{ host.name }}{% endif %}`),
    '## Break three\n',
    fence('id=breaks', 'case {{ host.name }} in h7|h19|h26) echo "broken on purpose on {{ host.name }}" >&2; exit 1;; esac\necho fine'),
    '## Slow output\n',
    fence('id=slow', 'for i in $(seq 1 600); do echo "slow line $i"; sleep 0.1; done'),
  ].join('\n'));
}, 120_000);

afterAll(async () => {
  await fx?.stop();
});

const S = 'fleet';
const keys = (...k: string[]): Promise<void> => term.keys(S, ...k);
const waitScreen = (cond: (s: string) => boolean, what: string, ms?: number): Promise<string> => term.waitScreen(S, cond, what, ms);

function fitsTerminal(screen: string): void {
  const lines = screen.replace(/\n+$/, '').split('\n');
  expect(lines.length).toBeLessThanOrEqual(SIZE.rows);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(SIZE.cols);
}

async function statuses(stepId: string): Promise<Record<string, string>> {
  const r = await runCli(['status', book, '-i', inv, '--state', state, '--json'], { cwd: dir });
  const st = JSON.parse(r.stdout) as { steps: { id: string; hosts: Record<string, { status: string }> }[] };
  const s = st.steps.find((x) => x.id === stepId);
  return Object.fromEntries(Object.entries(s?.hosts ?? {}).map(([h, c]) => [h, c.status]));
}

describe(`runbook play with ${HOSTS} hosts at ${SIZE.cols}x${SIZE.rows}`, () => {
  it('confirm dialog, picker, a failure on 3 hosts, search, outline, follow mode and quit while running', async () => {
    const args = [BIN, 'play', book, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', state];
    await term.start(S, playCommand(dir, args), SIZE);
    await waitScreen((s) => /› prep/.test(s), 'the player on the first step', 30_000);

    await keys('Enter');
    await waitScreen((s) => /prep\s+✔ 30\/30/.test(s), 'prep done on 30 hosts', 60_000);

    // Confirm dialog: reason, grouping, keys on screen; the long command readable by scrolling.
    await keys('j', 'Enter');
    // Wait for the dialog's last line too: a capture can fall between the writes of one frame.
    let s = await waitScreen((x) => x.includes('Confirm: certs') && x.includes('Enter/y confirm') && x.includes('╚'), 'the confirm dialog');
    fitsTerminal(s);
    expect(s).toContain('replaces the etcd CA on every node');
    expect(s).toContain('same command on 27 hosts; differs on h1, h2, h3');
    expect(s).toContain('Enter/y confirm');
    expect(s.replace(/[\s║]/g, '')).toContain(`wouldrun:${LONG}`.replace(/\s/g, ''));
    const groupsSeen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      for (const m of s.matchAll(/║ (h[123]):/g)) groupsSeen.add(m[1]);
      if (!s.includes('more below')) break;
      const before = s;
      await keys('j', 'j', 'j', 'j');
      s = await waitScreen((x) => x !== before && x.includes('Enter/y confirm') && x.includes('╚'), 'the dialog scrolled');
      fitsTerminal(s);
      expect(s).toContain('replaces the etcd CA on every node');
    }
    expect([...groupsSeen].sort()).toEqual(['h1', 'h2', 'h3']);
    await keys('y');
    await waitScreen((x) => /certs\s+✔ 30\/30/.test(x), 'certs done on 30 hosts', 60_000);

    // Host picker: scrolls with the cursor, selects a group by pattern.
    await keys('h');
    s = await waitScreen((x) => x.includes('Hosts of this session: 30/30 selected') && x.includes('╚'), 'the host picker');
    fitsTerminal(s);
    for (let i = 0; i < 25; i++) await keys('j');
    s = await waitScreen((x) => /› \[x\] h26/.test(x), 'the cursor on h26, scrolled into view');
    expect(s).toContain('Hosts of this session: 30/30 selected');
    await keys('p', 'masters', 'Enter');
    s = await waitScreen((x) => x.includes('3/30 selected'), 'the masters selected by pattern');
    await keys('Escape'); // keep every host for the session

    // A step failing on 3 of 30 hosts: the failed hosts are on screen with no key pressed.
    await waitScreen((x) => /› certs/.test(x) && !x.includes('Hosts of this session'), 'the picker closed');
    await keys('j', 'Enter');
    s = await waitScreen((x) => x.includes('breaks failed on h7, h19, h26') && /h26\s+failed/.test(x), 'the failure', 60_000);
    fitsTerminal(s);
    expect(s).toMatch(/h7\s+failed/);
    expect(s).toMatch(/h19\s+failed/);
    expect(s).toMatch(/h26\s+failed/);
    expect(s).toContain('30 hosts: 3 failed · 27 ok');
    // One key: l opens the log of the first failed host.
    await keys('l');
    s = await waitScreen((x) => x.includes('Log of breaks on h7'), 'the log of h7');
    expect(s).toContain('broken on purpose on h7');
    await keys('Escape');
    await keys(']');
    await waitScreen((x) => /› h19\s+failed/.test(x), '] selecting the next failed host');

    // Search: / then text jumps to the step; nothing runs.
    await keys('g', '/', 'slow', 'Enter');
    s = await waitScreen((x) => /› slow/.test(x), 'search landing on the slow step');
    expect(s).toMatch(/slow\s+· 0\/30/);

    // Outline: Z folds every other section, with per-section progress.
    await keys('Z');
    s = await waitScreen((x) => /▸ Prepare\s+1\/1/.test(x), 'folded sections with their progress');
    expect(s).toMatch(/▸ Break three\s+✖1 0\/1/);
    await keys('Z');
    await waitScreen((x) => /▾ Prepare/.test(x), 'the outline unfolded');

    // Follow mode: the log of a running host keeps up with its output.
    await keys('Enter');
    await waitScreen((x) => /slow\s+… 0\/30/.test(x) && x.includes('slow line'), 'the slow step running', 60_000);
    await keys('l');
    s = await waitScreen((x) => x.includes('[following: F stops]'), 'the log following');
    const lineNo = (x: string): number => Math.max(0, ...[...x.matchAll(/slow line (\d+)/g)].map((m) => Number(m[1])));
    const first = lineNo(s);
    s = await waitScreen((x) => lineNo(x) >= first + 5, 'new lines followed');
    await keys('F');
    await waitScreen((x) => x.includes('[running: F follows]'), 'follow mode off');
    await keys('Escape');

    // Quit while the step runs: asks, then leaves; no host stays running in the state.
    await keys('q');
    await waitScreen((x) => x.includes('Quit?'), 'the quit question');
    await keys('y');
    s = await waitScreen((x) => x.includes('EXIT='), 'the player to exit', 60_000);
    expect(s).not.toContain('EXIT=0');
    // The quit dialog's promise: the running hosts are recorded failed (aborted), none left running.
    const slow = await statuses('slow');
    expect(Object.values(slow)).not.toContain('running');
    expect(Object.values(slow)).toContain('failed');
    expect(await statuses('breaks')).toMatchObject({ h7: 'failed', h19: 'failed', h26: 'failed', h1: 'ok' });
  }, 300_000);
  it('30 unknown host keys: one dialog lists every host with its fingerprint, A accepts all 30 and the step runs on them', async () => {
    const knownHosts = writeFile(dir, 'known_hosts.unknown', '');
    const hkState = join(dir, 'hostkeys', 'state.jsonl');
    const args = [BIN, 'play', book, '-i', inv, '--known-hosts', knownHosts, '--no-ssh-config', '--state', hkState];
    await term.start('keys30', playCommand(dir, args), SIZE);
    await term.waitScreen('keys30', (s) => /› prep/.test(s), 'the player on the first step', 30_000);
    await term.keys('keys30', 'Enter');
    // Every connection's key arrives in its own time: wait until all 30 are waiting.
    let s = await term.waitScreen('keys30', (x) => x.includes('30 unknown host keys are waiting; A accepts all 30') && x.includes('╚'), 'the host key dialog with 30 keys', 60_000);
    fitsTerminal(s);
    // Not all fit at 80x24: the list scrolls, and its end names the last hosts with their fingerprints.
    expect(s).toMatch(/lines 1-\d+ of 30, more below/);
    const seen = new Set<string>();
    const collect = (x: string): void => { for (const h of fx.hosts) if (x.includes(h.fingerprint)) seen.add(h.name); };
    collect(s);
    // Down the list one line at a time to its end, every host's fingerprint seen on the way.
    for (let line = 2; !/lines \d+-30 of 30/.test(s); line++) {
      await term.keys('keys30', 'j');
      s = await term.waitScreen('keys30', (x) => new RegExp(`lines ${line}-\\d+ of 30`).test(x), `the list from line ${line}`);
      collect(s);
    }
    expect(seen.size).toBe(30);
    await term.keys('keys30', 'A');
    await term.waitScreen('keys30', (x) => /prep\s+✔ 30\/30/.test(x), 'prep done on 30 hosts after one A', 60_000);
    const recorded = readFileSync(knownHosts, 'utf8');
    for (const h of fx.hosts) expect(recorded).toContain(h.hostKeyLine.split(' ')[1]);
    await term.keys('keys30', 'q');
    await term.waitScreen('keys30', (x) => x.includes('EXIT='), 'the player to exit', 60_000);
  }, 300_000);
});
