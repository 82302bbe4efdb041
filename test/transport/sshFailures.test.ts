import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { listenSilentTcp, startSshHosts, unusedAddress, type SshFixture } from '../helpers/sshd.js';
import { AuthError, BadInputError, ConnectionError } from '../../src/engine/errors.js';
import { SESSION_MODES } from '../../src/engine/transport/types.js';
import { collector, fixtureHost, fixtureTransport } from './support.js';

// One lab for the file; every behaviour holds in both session modes.
let f: SshFixture;
beforeAll(async () => {
  f = await startSshHosts(2, { namePrefix: 'fail' });
});
afterAll(async () => {
  await f?.stop();
});

describe.each(SESSION_MODES)('ssh transport (%s mode): failures', (defaultSession) => {

  it('a key the server does not accept fails with AuthError', async () => {
    const wrongKey = path.join(f.dir, `wrong_key_${defaultSession}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey], { stdio: 'ignore' });
    const ssh = fixtureTransport(f, { defaultSession });
    try {
      const p = ssh.exec(fixtureHost(f, 0, { privateKeyFile: wrongKey }), 'true');
      await expect(p).rejects.toBeInstanceOf(AuthError);
      await expect(p).rejects.toThrow(`rbtest@${f.hosts[0].address}:${f.hosts[0].port}`);
    } finally {
      await ssh.close();
    }
  });

  it('a missing private key file is bad input, not a connection failure', async () => {
    const ssh = fixtureTransport(f, { defaultSession });
    try {
      await expect(ssh.exec(fixtureHost(f, 0, { privateKeyFile: path.join(f.dir, 'nope') }), 'true')).rejects.toBeInstanceOf(BadInputError);
    } finally {
      await ssh.close();
    }
  });

  it('a closed port fails fast with ConnectionError "connection refused"', async () => {
    const closed = await unusedAddress();
    const ssh = fixtureTransport(f, { defaultSession, connectTimeoutMs: 10_000 });
    const t0 = Date.now();
    try {
      const p = ssh.exec(fixtureHost(f, 0, closed), 'true');
      await expect(p).rejects.toBeInstanceOf(ConnectionError);
      await expect(p).rejects.toThrow(`connection refused by ${closed.address}:${closed.port}`);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      await ssh.close();
    }
  });

  it('a server that accepts TCP but never speaks SSH fails with a handshake timeout', async () => {
    const silent = await listenSilentTcp();
    const ssh = fixtureTransport(f, { defaultSession, connectTimeoutMs: 700 });
    const t0 = Date.now();
    try {
      const p = ssh.exec(fixtureHost(f, 0, { address: silent.address, port: silent.port }), 'true');
      await expect(p).rejects.toBeInstanceOf(ConnectionError);
      await expect(p).rejects.toThrow(`no SSH handshake from ${silent.address}:${silent.port} within 0.7s`);
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(650);
      expect(elapsed).toBeLessThan(3000);
    } finally {
      await ssh.close();
      await silent.close();
    }
  });

  it('an abort while still connecting resolves as aborted without waiting for the timeout', async () => {
    const silent = await listenSilentTcp();
    const ssh = fixtureTransport(f, { defaultSession, connectTimeoutMs: 10_000 });
    try {
      const ac = new AbortController();
      const running = ssh.exec(fixtureHost(f, 0, { address: silent.address, port: silent.port }), 'true', { signal: ac.signal });
      const t0 = Date.now();
      ac.abort();
      const r = await running;
      expect(r.aborted).toBe(true);
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      await ssh.close();
      await silent.close();
    }
  });

  it('sshd killed mid-step rejects with ConnectionError within seconds, and the next exec reconnects after a restart', async () => {
    const ssh = fixtureTransport(f, { defaultSession });
    try {
      const host = fixtureHost(f, 0);
      const out = collector();
      const running = ssh.exec(host, 'echo started; sleep 300', { onData: out.onData });
      await out.waitForText('started');
      const t0 = Date.now();
      f.killHost(0);
      const err = await running.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).message).toMatch(/lost while the step was running/);
      expect(Date.now() - t0).toBeLessThan(3000);

      await expect(ssh.exec(host, 'true')).rejects.toBeInstanceOf(ConnectionError); // host still down
      await f.restartHost(0);
      const again = collector();
      const r = await ssh.exec(host, 'echo back', { onData: again.onData });
      expect(r.exitCode).toBe(0);
      expect(again.text()).toBe('back\n');
    } finally {
      await ssh.close();
    }
  });

  it('a host that goes silent mid-step (no keepalive answers) rejects with ConnectionError', async () => {
    const ssh = fixtureTransport(f, { defaultSession, keepaliveIntervalMs: 300, keepaliveCountMax: 2 });
    try {
      const out = collector();
      const running = ssh.exec(fixtureHost(f, 1), 'echo started; sleep 300', { onData: out.onData });
      await out.waitForText('started');
      const t0 = Date.now();
      f.freezeHost(1);
      const err = await running.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).message).toMatch(/keepalive/);
      expect(Date.now() - t0).toBeLessThan(4000);
    } finally {
      f.resumeHost(1);
      await ssh.close();
    }
  });
});
