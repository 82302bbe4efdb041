// `runbook play` end to end: the built CLI in a real pseudo-terminal (a private tmux server)
// against real OpenSSH servers on loopback. Play, fail, retry, skip, quit, restart, resume.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { playCommand, useTmux } from '../helpers/tmux.js';
import { fence } from '../helpers/markdown.js';

const term = useTmux('rb-play');

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
  book = writeFile(dir, 'book.md', [
    '# Play end to end\n',
    '## Touch every host\n',
    fence('id=touch', `touch ${dir}/{{ host.name }}.touched\necho touched {{ host.name }}`),
    '## Fails on h2 until fixed\n',
    fence('id=flaky', `if [ "{{ host.name }}" = h2 ] && [ ! -f ${dir}/fixed ]; then echo "h2 is not fixed yet" >&2; exit 1; fi\necho fine`),
    '## Optional\n',
    fence('id=optional', `touch ${dir}/{{ host.name }}.optional`),
    '## Finish\n',
    fence('id=finish', 'echo finished on {{ host.name }}'),
  ].join('\n'));
}, 60_000);

afterAll(async () => {
  await fx?.stop();
});

/** Start `runbook play` in a new tmux session; the shell prints EXIT=<code> when it returns. */
async function startPlay(name: string): Promise<void> {
  const args = [BIN, 'play', book, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', state];
  await term.start(name, playCommand(dir, args));
}

const waitScreen = term.waitScreen;
const keys = term.keys;

async function statusJson(): Promise<Record<string, Record<string, string>>> {
  const r = await runCli(['status', book, '-i', inv, '--state', state, '--json'], { cwd: dir });
  expect(r.code, r.stderr).not.toBe(2);
  const st = JSON.parse(r.stdout) as { steps: { id: string; hosts: Record<string, { status: string }> }[] };
  return Object.fromEntries(st.steps.map((s) => [s.id, Object.fromEntries(Object.entries(s.hosts).map(([h, c]) => [h, c.status]))]));
}

describe('runbook play in a terminal', () => {
  it('plays over ssh, retries a failed host, skips a step, quits, and resumes where it stopped', async () => {
    await startPlay('first');
    await waitScreen('first', (s) => /› touch\s+· 0\/3/.test(s), 'the player on the first step');

    await keys('first', 'Space');
    let s = await waitScreen('first', (x) => /flaky\s+✖ 1\/3/.test(x) && x.includes('flaky failed'), 'play stopping at the failed step');
    expect(s).toMatch(/touch\s+✔ 3\/3/);
    expect(s).toMatch(/h2\s+failed\s+#1 .* 1 h2 is not fixed yet/);

    writeFileSync(join(dir, 'fixed'), '');
    await keys('first', 'R');
    s = await waitScreen('first', (x) => /flaky\s+✔ 3\/3/.test(x), 'the retry succeeding');
    expect(s).toMatch(/h2\s+ok\s+#2/);

    await keys('first', 'j', 's');
    s = await waitScreen('first', (x) => x.includes('Skip step `optional` on h1, h2, h3?'), 'the player asking before it records the skip');
    expect(existsSync(join(dir, 'h1.optional'))).toBe(false);
    await keys('first', 'y');
    await waitScreen('first', (x) => /optional\s+✔ 3\/3/.test(x) && /› finish/.test(x), 'optional skipped');
    expect(existsSync(join(dir, 'h1.optional'))).toBe(false);

    await keys('first', 'q');
    s = await waitScreen('first', (x) => x.includes('EXIT='), 'the player to exit');
    expect(s).toContain('EXIT=3'); // the finish step is still pending
    expect(s).not.toContain('touch'); // the alternate screen is gone: the shell's screen is back

    expect(await statusJson()).toMatchObject({
      touch: { h1: 'ok', h2: 'ok', h3: 'ok' },
      flaky: { h1: 'ok', h2: 'ok', h3: 'ok' },
      optional: { h1: 'skipped', h2: 'skipped', h3: 'skipped' },
    });
    expect(Object.values((await statusJson()).finish ?? {}).filter((x) => x !== 'pending')).toEqual([]);

    await startPlay('second');
    s = await waitScreen('second', (x) => /› finish\s+· 0\/3/.test(x), 'the resumed player at the first step not done');
    expect(s).toMatch(/touch\s+✔ 3\/3/);
    expect(s).toMatch(/flaky\s+✔ 3\/3/);
    expect(s).toMatch(/optional\s+✔ 3\/3/);
    expect(s).toMatch(/steps 3\/4\s+host-steps 9\/12/);

    await keys('second', 'Enter');
    await waitScreen('second', (x) => /finish\s+✔ 3\/3/.test(x), 'finish done');
    await keys('second', 'q');
    s = await waitScreen('second', (x) => x.includes('EXIT='), 'the player to exit');
    expect(s).toContain('EXIT=0');
    expect((await statusJson()).finish).toEqual({ h1: 'ok', h2: 'ok', h3: 'ok' });
  }, 120_000);
});
