import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startSshHosts, unusedAddress, type SshFixture } from '../helpers/sshd.js';
import { ConnectionError } from '../../src/engine/errors.js';
import { SESSION_MODES, type Transport } from '../../src/engine/transport/types.js';
import { TERM_IGNORING_TREE, collector, fixtureHost, fixtureTransport, pidsIn, processGone, waitUntil } from './support.js';

// One lab for the file; every behaviour holds in both session modes.
let f: SshFixture;
beforeAll(async () => {
  f = await startSshHosts(3, { namePrefix: 'exec' });
});
afterAll(async () => {
  await f?.stop();
});

describe.each(SESSION_MODES)('ssh transport (%s mode): running scripts', (mode) => {
  let ssh: Transport;
  beforeAll(() => {
    ssh = fixtureTransport(f, { killGraceMs: 500, defaultSession: mode });
  });
  afterAll(async () => {
    await ssh?.close();
  });

  it('runs a script as the login user and streams its stdout and stderr', async () => {
    const out = collector();
    const r = await ssh.exec(fixtureHost(f, 0), 'whoami\necho oops >&2\nexit 3', { onData: out.onData });
    expect(r).toMatchObject({ exitCode: 3, signal: null, aborted: false });
    expect(out.text('stdout')).toBe('rbtest\n');
    expect(out.text('stderr')).toBe('oops\n');
  });

  it('reports the signal that killed the script, named like Node does', async () => {
    const r = await ssh.exec(fixtureHost(f, 0), 'kill -KILL $BASHPID');
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGKILL');
  });

  it('never shows the internal pid marker in the output', async () => {
    const out = collector();
    await ssh.exec(fixtureHost(f, 0), 'echo only-this', { onData: out.onData });
    expect(out.text()).toBe('only-this\n');
  });

  it('keeps heredocs and quoting intact, and commands reading stdin get EOF instead of the script', async () => {
    const out = collector();
    const script = ['cat <<"EOF"', "it's $literal", 'EOF', 'cat', 'echo "after cat $((2+3))"'].join('\n');
    const r = await ssh.exec(fixtureHost(f, 1), script, { onData: out.onData });
    expect(r.exitCode).toBe(0);
    expect(out.text('stdout')).toBe("it's $literal\nafter cat 5\n");
  });

  it('exports opts.env to the remote script', async () => {
    const out = collector();
    await ssh.exec(fixtureHost(f, 0), 'echo "$A|$B"', { env: { A: 'x y', B: "'q'" }, onData: out.onData });
    expect(out.text()).toBe("x y|'q'\n");
  });

  it('runs on three hosts in parallel, each on its own host', async () => {
    const outs = f.hosts.map(() => collector());
    const results = await Promise.all(
      f.hosts.map((_, i) => ssh.exec(fixtureHost(f, i), 'sleep 0.3; echo "$SSH_CONNECTION"', { onData: outs[i].onData })),
    );
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    f.hosts.forEach((h, i) => {
      const [, , serverAddr, serverPort] = outs[i].text().trim().split(' ');
      expect(`${serverAddr}:${serverPort}`).toBe(`${h.address}:${h.port}`);
    });
  });

  it('reuses one connection per host across sequential and concurrent execs', async () => {
    const host = fixtureHost(f, 2);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = collector();
      await ssh.exec(host, 'echo "$SSH_CONNECTION"', { onData: out.onData });
      seen.push(out.text().trim());
    }
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const out = collector();
        await ssh.exec(host, 'echo "$SSH_CONNECTION"', { onData: out.onData });
        return out.text().trim();
      }),
    );
    expect(new Set([...seen, ...concurrent]).size).toBe(1);
  });

  it('runs sudo steps as root through sudo -n', async () => {
    const out = collector();
    const r = await ssh.exec(fixtureHost(f, 0), 'id -u; whoami', { sudo: true, onData: out.onData });
    expect(r.exitCode).toBe(0);
    expect(out.text('stdout')).toBe('0\nroot\n');
  });

  it('abort kills the remote TERM-ignoring process tree and resolves as aborted', async () => {
    const out = collector();
    const ac = new AbortController();
    const running = ssh.exec(fixtureHost(f, 1), TERM_IGNORING_TREE, { signal: ac.signal, onData: out.onData });
    await out.waitForText('ready');
    await waitUntil(() => pidsIn(out.text()).length === 4, 5000, 'all four pids');
    const pids = pidsIn(out.text());
    const t0 = Date.now();
    ac.abort();
    const r = await running;
    expect(r.aborted).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(Date.now() - t0).toBeLessThan(5000);
    await waitUntil(() => pids.every(processGone), 5000, 'every remote process of the step to be gone');
    expect(out.text()).not.toMatch(/__RUNBOOK|__RB_/);
  });

  it('abort of a sudo step kills the root-owned process tree too', async () => {
    const out = collector();
    const ac = new AbortController();
    const running = ssh.exec(fixtureHost(f, 2), TERM_IGNORING_TREE, { sudo: true, signal: ac.signal, onData: out.onData });
    await out.waitForText('ready');
    await waitUntil(() => pidsIn(out.text()).length === 4, 5000, 'all four pids');
    const pids = pidsIn(out.text());
    ac.abort();
    const r = await running;
    expect(r.aborted).toBe(true);
    await waitUntil(() => pids.every(processGone), 5000, 'every root process of the step to be gone');
  });

  it('the connection stays usable after an abort', async () => {
    const out = collector();
    const r = await ssh.exec(fixtureHost(f, 1), 'echo still-here', { onData: out.onData });
    expect(r.exitCode).toBe(0);
    expect(out.text()).toBe('still-here\n');
  });

  it('connects through a ProxyJump host', async () => {
    const jump = { address: f.hosts[0].address, port: f.hosts[0].port, user: f.user, privateKeyFile: f.privateKeyFile };
    const via = fixtureTransport(f, { defaultSession: mode });
    try {
      const out = collector();
      const r = await via.exec(fixtureHost(f, 1, { jump: [jump] }), 'echo "$SSH_CONNECTION"', { onData: out.onData });
      expect(r.exitCode).toBe(0);
      expect(out.text()).toContain(`${f.hosts[1].address} ${f.hosts[1].port}`);
    } finally {
      await via.close();
    }
  });

  it('fails with ConnectionError naming the jump host when the jump host is down', async () => {
    const dead = await unusedAddress();
    const via = fixtureTransport(f, { defaultSession: mode });
    try {
      const p = via.exec(fixtureHost(f, 1, { jump: [{ ...dead, user: f.user, privateKeyFile: f.privateKeyFile }] }), 'true');
      await expect(p).rejects.toBeInstanceOf(ConnectionError);
      await expect(p).rejects.toThrow(`connection refused by ${dead.address}:${dead.port}`);
    } finally {
      await via.close();
    }
  });
});
