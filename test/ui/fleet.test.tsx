// The player at fleet scale, component level: 30 to 200 hosts and 500 steps, at 80x24 and 200x60.
// Every frame must fit the terminal, and what the operator needs must be on screen.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigRunbook, fleet, makeRunbook } from './fixtures.js';
import { KEYS, renderApp, type Harness } from './harness.js';
import type { RenderedStep } from '../../src/engine/run/types.js';
import { appendLive, requestPrompt } from '../../src/engine/store.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const SIZES = [{ width: 80, height: 23 }, { width: 200, height: 59 }] as const; // App height is the terminal's rows - 1

function expectFits(frame: string, width: number, height: number): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(height);
  for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(width);
}

const LONG = 'openssl req -x509 -new -key ca.key -subj "/CN=etcd-ca/O=runbook/OU=platform" -days 3650 -out ca.crt -extensions v3_ca -config /etc/kubernetes/pki/openssl-etcd.cnf';
const SCRIPT = `install -d -m 0700 /etc/etcd/pki\n${LONG}\nsystemctl restart etcd`;

/** The script on every host, except m1..m3 whose member name differs. */
function renderFleet(stepId: string, host: string): RenderedStep {
  const extra = host.startsWith('m') ? `\necho member ${host}` : '';
  return { ok: true, host, script: stepId === 'certs' ? `${SCRIPT}${extra}` : `echo ${stepId}` };
}

const CERTS = makeRunbook([
  { title: 'Prepare', steps: [{ id: 'prep' }] },
  { title: 'Certificates', steps: [{ id: 'certs', body: SCRIPT, attrs: { confirm: 'replaces the etcd CA on every node' } }] },
  { title: 'Finish', steps: [{ id: 'finish' }] },
], 'Kubernetes HA build');

describe('confirm dialog at fleet scale', () => {
  for (const size of SIZES) {
    it(`fits ${size.width}x${size.height + 1} with 30 hosts: title, reason, grouping and keys visible`, async () => {
      const { hosts, groups } = fleet(30);
      h = await renderApp(CERTS, { hosts, groups, render: renderFleet, ...size });
      await h.press('j', KEYS.enter);
      const f = await h.waitFor((x) => x.includes('Confirm: certs'), 'the confirm dialog');
      expectFits(f, size.width, size.height);
      expect(f).toContain('replaces the etcd CA on every node');
      expect(f).toContain('same command on 27 hosts; differs on m1, m2, m3');
      expect(f).toContain('Enter/y confirm');
      expect(h.controller.calls.filter((c) => c.fn === 'runStep')).toHaveLength(0);
    });
  }

  it('shows the long command whole (wrapped, never cut), and scrolls to every group', async () => {
    const { hosts, groups } = fleet(30);
    h = await renderApp(CERTS, { hosts, groups, render: renderFleet, width: 80, height: 23 });
    await h.press('j', KEYS.enter);
    let f = await h.waitFor((x) => x.includes('Confirm: certs'), 'the confirm dialog');
    const body = (frame: string): string => frame.split('\n').map((l) => l.replace(/^║\s?/, '').replace(/\s*║$/, '')).join('');
    expect(body(f).replace(/\s+/g, '')).toContain(LONG.replace(/\s+/g, ''));
    expect(f).toMatch(/lines 1-\d+ of \d+, more below/);
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      for (const m of f.matchAll(/^║ (m\d):/gm)) seen.add(m[1]);
      await h.press('j', 'j', 'j', 'j');
      f = h.frame();
      expectFits(f, 80, 23);
      expect(f).toContain('replaces the etcd CA on every node');
    }
    expect([...seen].sort()).toEqual(['m1', 'm2', 'm3']);
  });
});

describe('document pane', () => {
  it('wraps a long command in the "Runs on" lines instead of cutting it', async () => {
    h = await renderApp(CERTS, { hosts: ['w1'], render: renderFleet, width: 80, height: 23 });
    await h.press('j');
    const f = h.frame();
    const right = f.split('\n').map((l) => l.split('││')[1] ?? '').map((l) => l.replace(/│$/, '')).join('');
    expect(right.replace(/\s+/g, '')).toContain(LONG.replace(/\s+/g, ''));
  });
});

describe('host picker with 30 hosts at 80x24', () => {
  it('scrolls with the cursor, keeps the title, and counts the selection', async () => {
    const { hosts, groups } = fleet(30);
    h = await renderApp(CERTS, { hosts, groups, width: 80, height: 23 });
    await h.press('h');
    let f = await h.waitFor((x) => x.includes('Hosts of this session: 30/30 selected'), 'the picker');
    expectFits(f, 80, 23);
    for (let i = 0; i < 27; i++) await h.press('j');
    f = h.frame();
    expect(f).toContain('Hosts of this session: 30/30 selected');
    expect(f).toMatch(/› \[x\] w25/);
    expectFits(f, 80, 23);
  });

  it('selects a group by pattern: p masters Enter gives 3/30, Enter applies', async () => {
    const { hosts, groups } = fleet(30);
    h = await renderApp(CERTS, { hosts, groups, width: 80, height: 23 });
    await h.press('h', 'p', ...'masters', KEYS.enter);
    const f = await h.waitFor((x) => x.includes('3/30 selected'), 'three hosts selected');
    expect(f).toMatch(/\[x\] m1/);
    expect(f).toMatch(/\[ \] w1 /);
    await h.press(KEYS.enter);
    expect(h.store.getState().hostFilter).toEqual(['m1', 'm2', 'm3']);
  });

  it('accepts Ansible patterns with slices: w[0:4] selects five workers', async () => {
    const { hosts, groups } = fleet(30);
    h = await renderApp(CERTS, { hosts, groups, width: 80, height: 23 });
    await h.press('h', 'p', ...'workers[0:4]', KEYS.enter);
    await h.waitFor((x) => x.includes('5/30 selected'), 'five hosts selected');
  });
});

describe('hosts pane with 30 hosts', () => {
  const failedOn = (hs: readonly string[]) => Object.fromEntries(hs.map((x) => [x, { status: x === 'w7' || x === 'w19' || x === 'w26' ? 'failed' as const : 'ok' as const, attempts: 1, hash: 'h-certs', exitCode: x.startsWith('w') && ['w7', 'w19', 'w26'].includes(x) ? 1 : 0, log: `logs/certs.${x}.log` }]));

  it('counts hosts by status and lists the failed ones first, on screen at 80x24', async () => {
    const { hosts, groups } = fleet(30);
    h = await renderApp(CERTS, { hosts, groups, width: 80, height: 23, records: { certs: failedOn(hosts) } });
    await h.press('j');
    const f = h.frame();
    expectFits(f, 80, 23);
    expect(f).toContain('30 hosts: 3 failed · 27 ok');
    expect(f).toMatch(/w7\s+failed/);
    expect(f).toMatch(/w19\s+failed/);
    expect(f).toMatch(/w26\s+failed/);
  });

  it('says "1 host" for a step on one host, not "1 hosts"', async () => {
    const { hosts, groups } = fleet(1);
    h = await renderApp(CERTS, { hosts, groups, width: 80, height: 23, records: { certs: failedOn(hosts) } });
    await h.press('j');
    expect(h.frame()).toMatch(/│1 host: /);
  });

  it('o switches to inventory order; f filters by status', async () => {
    const { hosts, groups } = fleet(30);
    h = await renderApp(CERTS, { hosts, groups, width: 80, height: 23, records: { certs: failedOn(hosts) } });
    await h.press('j', 'o');
    expect(h.frame()).toContain('inventory order');
    expect(h.frame()).not.toMatch(/w26\s+failed/);
    await h.press('f');
    const f = h.frame();
    expect(f).toContain('3/30 hosts');
    expect(f).toContain('only failed');
    expect(f).not.toMatch(/m1\s+ok/);
  });

  it('/ in the hosts pane filters by name', async () => {
    const { hosts, groups } = fleet(30);
    h = await renderApp(CERTS, { hosts, groups, width: 80, height: 23, records: { certs: failedOn(hosts) } });
    await h.press('j', KEYS.tab, KEYS.tab, '/', ...'w2', KEYS.enter);
    const f = h.frame();
    expect(f).toContain('name ~ w2');
    expect(f).toMatch(/w20\s+ok/);
    expect(f).not.toMatch(/ m1\s+ok/);
  });

  it('] from the first step jumps to the failed step and its first failed host; l opens that host\'s log', async () => {
    const { hosts, groups } = fleet(30);
    h = await renderApp(CERTS, { hosts, groups, width: 80, height: 23, records: { certs: failedOn(hosts) } });
    await h.press(']');
    let f = h.frame();
    expect(f).toMatch(/› certs/);
    expect(f).toMatch(/› w7\s+failed/);
    await h.press(']');
    expect(h.frame()).toMatch(/› w19\s+failed/);
    await h.press('[');
    expect(h.frame()).toMatch(/› w7\s+failed/);
    await h.press('l');
    f = await h.waitFor((x) => x.includes('Log of certs on w7'), 'the log of w7');
  });
});

describe('keys that run things ask first; / is search', () => {
  it('e on a host where the step is done asks before running it again', async () => {
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { records: { one: { web1: { status: 'ok', attempts: 1, hash: 'h-one' } } } });
    await h.press('e');
    const f = await h.waitFor((x) => x.includes('Run again: one'), 'the re-run question');
    expect(f).toContain('Already done on web1 (ok)');
    expect(h.controller.calls.filter((c) => c.fn === 'runStep')).toHaveLength(0);
    await h.press('n');
    expect(h.controller.calls.filter((c) => c.fn === 'runStep')).toHaveLength(0);
    await h.press('e', 'y');
    expect(h.controller.calls.filter((c) => c.fn === 'runStep')).toEqual([{ fn: 'runStep', stepId: 'one', opts: { hosts: ['web1'], force: true, confirmed: true } }]);
  });

  it('typing /etcd searches the steps and runs nothing', async () => {
    const rb = makeRunbook([{ title: 'A', steps: [{ id: 'prep' }, { id: 'kubelet' }] }, { title: 'B', steps: [{ id: 'etcd-certs' }, { id: 'etcd-start' }] }]);
    h = await renderApp(rb);
    await h.press('/', ...'etcd', KEYS.enter);
    expect(h.frame()).toMatch(/› etcd-certs/);
    await h.press('n');
    expect(h.frame()).toMatch(/› etcd-start/);
    await h.press('N');
    expect(h.frame()).toMatch(/› etcd-certs/);
    expect(h.controller.calls.filter((c) => c.fn === 'runStep' || c.fn === 'skip' || c.fn === 'markDone')).toHaveLength(0);
  });

  it(': jumps to a step id, Tab completing it', async () => {
    h = await renderApp(bigRunbook(500), { width: 80, height: 23 });
    await h.press(':', ...'step-42', KEYS.tab);
    expect(h.frame()).toContain(':step-42');
    await h.press('7', KEYS.enter);
    expect(h.frame()).toMatch(/› step-427/);
  });
});

describe('outline', () => {
  it('shows per-section progress; Z folds every other section, z the current one, and j skips folded steps', async () => {
    const rb = bigRunbook(30);
    const done = { status: 'ok' as const, attempts: 1, hash: 'h-step-000' };
    h = await renderApp(rb, { width: 80, height: 23, records: { 'step-000': { web1: done, web2: done, db1: done } } });
    expect(h.frame()).toMatch(/▾ Part 0\s+1\/10/);
    expect(h.frame()).toMatch(/› step-001/);
    await h.press('Z');
    let f = h.frame();
    expect(f).toMatch(/▾ Part 0/);
    expect(f).toMatch(/▸ Part 1\s+0\/10/);
    expect(f).toMatch(/▸ Part 2/);
    expect(f).not.toContain('step-015');
    await h.press('Z');
    expect(h.frame()).toContain('step-015');
    await h.press('z');
    f = h.frame();
    expect(f).toMatch(/▸ Part 0/);
    expect(f).not.toContain('step-005');
    await h.press('j');
    expect(h.frame()).toMatch(/› step-010/);
  });
});

describe('log view', () => {
  it('y writes the host output without runbook headers to a file and names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-ui-'));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'one-web1.log'), '### runbook: one on web1\nhello\nworld\n');
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { stateDir: dir, records: { one: { web1: { status: 'ok', attempts: 1, hash: 'h-one', log: 'logs/one-web1.log' } } } });
    await h.press('l');
    await h.waitFor((x) => x.includes('Log of one on web1'), 'the log');
    await h.press('y');
    const f = await h.waitFor((x) => x.includes('output of web1 written to'), 'the copy message');
    const file = join(dir, 'copies', 'one.web1.txt');
    expect(f).toContain(file.slice(0, 20));
    expect(readFileSync(file, 'utf8')).toBe('hello\nworld\n');
  });

  it('F follows a growing log while the step runs, / finds a line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-ui-'));
    mkdirSync(join(dir, 'logs'));
    const log = join(dir, 'logs', 'one-web1.log');
    writeFileSync(log, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { stateDir: dir, records: { one: { web1: { status: 'running', attempts: 1, hash: 'h-one', log: 'logs/one-web1.log' } } } });
    await h.press('l');
    let f = await h.waitFor((x) => x.includes('[following: F stops]'), 'follow mode');
    expect(f).toContain('line 99');
    writeFileSync(log, Array.from({ length: 120 }, (_, i) => `line ${i}`).join('\n') + '\n');
    // The engine's live output of the followed host is what makes the view look at the file again.
    appendLive(h.store, 'one', 'web1', 'line 119\n');
    f = await h.waitFor((x) => x.includes('line 119'), 'the new lines');
    await h.press('F', '/', ...'line 3', KEYS.enter);
    f = h.frame();
    expect(f).not.toContain('following');
    expect(f).toMatch(/lines 4-/);
  });
});

describe('help overlay at 80x24', () => {
  it('shows whole descriptions and explains the ! mark', async () => {
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { width: 80, height: 23 });
    await h.press('?');
    let f = h.frame();
    expectFits(f, 80, 23);
    expect(f).toContain('! asks first');
    expect(f).toContain('run the selected step on its pending hosts');
    let all = f;
    for (let i = 0; i < 8; i++) {
      await h.press(KEYS.pageDown);
      all += h.frame();
    }
    expect(all).toMatch(/skip the step on all its pending hosts\s+! asks first/);
  });
});

describe('500 steps x 200 hosts', () => {
  for (const size of SIZES) {
    it(`renders the player in ${size.width}x${size.height + 1} with the selection and counts`, async () => {
      const { hosts, groups } = fleet(200);
      h = await renderApp(bigRunbook(500), { hosts, groups, ...size });
      const f = h.frame();
      expectFits(f, size.width, size.height);
      expect(f).toContain('steps 0/500  host-steps 0/100000');
      expect(f).toMatch(/› step-000/);
      expect(f).toContain('200 hosts: 200 pending');
      await h.press(KEYS.pageDown, 'G');
      expect(h.frame()).toMatch(/› step-499/);
    });
  }
});

describe('keys in one chunk', () => {
  it('"j⏎" sent at once moves and then runs, and two Tabs focus the hosts pane', async () => {
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }, { id: 'two' }] }]));
    await h.press('j\r');
    await h.waitFor(() => h!.controller.calls.some((c) => c.fn === 'runStep'), 'the run');
    expect(h.controller.calls.find((c) => c.fn === 'runStep')).toMatchObject({ stepId: 'two' });
    await h.press('\t\t', 'j');
    expect(h.frame()).toMatch(/› web2/);
  });
});

describe('dangerous questions at fleet scale', () => {
  it('s on a 200-host step names every host inside the screen', async () => {
    const { hosts, groups } = fleet(200);
    h = await renderApp(CERTS, { hosts, groups, width: 80, height: 23 });
    await h.press('s');
    const f = await h.waitFor((x) => x.includes('Skip without running?'), 'the question');
    expectFits(f, 80, 23);
    expect(f).toContain('Enter/y confirm');
    expect(f).toMatch(/w197\? It will be recorded as skipped/);
  });
});

describe('unknown host keys of a whole fleet', () => {
  for (const size of SIZES) {
    it(`at ${size.width}x${size.height + 1}: one dialog lists all 30 with their fingerprints (scrolling), and A accepts all 30`, async () => {
      h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { ...size, ...fleet(30) });
      const names = fleet(30).hosts;
      const fp = (n: string): string => `SHA256:${n.padEnd(43, 'x')}`;
      const answers = names.map((n, i) => requestPrompt<boolean>(h!.store, { kind: 'host-key', host: n, address: `127.0.0.${i + 2}`, port: 22, keyType: 'ssh-ed25519', fingerprint: fp(n) }));
      let f = await h.waitFor((x) => x.includes('30 unknown host keys are waiting; A accepts all 30'), 'the host key dialog');
      expectFits(f, size.width, size.height);
      const seen = new Set(names.filter((n) => f.includes(fp(n))));
      // Page down through the list to its end (PgDn moves a page of the screen: at most 30 presses).
      for (let i = 0; i < 30 && seen.size < names.length; i++) {
        await h.press(KEYS.pageDown);
        f = h.frame();
        expectFits(f, size.width, size.height);
        for (const n of names) if (f.includes(fp(n))) seen.add(n);
      }
      expect([...seen].sort()).toEqual([...names].sort());
      await h.press('A');
      await expect(Promise.all(answers)).resolves.toEqual(names.map(() => true));
      await h.waitFor((x) => !x.includes('Unknown host key'), 'the dialog closed');
    });
  }
});
