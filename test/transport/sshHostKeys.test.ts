import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { HostKeyError } from '../../src/engine/errors.js';
import { checkHostKey } from '../../src/engine/transport/knownHosts.js';
import { createSshTransport } from '../../src/engine/transport/ssh.js';
import type { HostKeyPolicy } from '../../src/engine/transport/types.js';
import { fixtureHost } from './support.js';

describe('ssh transport: host key verification', () => {
  let f: SshFixture;
  let seq = 0;
  beforeAll(async () => {
    f = await startSshHosts(2, { namePrefix: 'key', extraHostKeyTypes: ['ecdsa'] });
  });
  afterAll(async () => {
    await f?.stop();
  });

  /** A fresh known_hosts path inside the fixture dir, optionally with content. */
  const knownHosts = (lines?: string[]): string => {
    const file = path.join(f.dir, `kh-${++seq}`, 'known_hosts');
    if (lines) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, lines.join('\n') + '\n');
    }
    return file;
  };

  /** Run `true` on host i with a one-off transport using `policy`. */
  const run = async (i: number, policy: HostKeyPolicy) => {
    const ssh = createSshTransport({ hostKeys: policy, agent: '', defaultIdentityFiles: [], connectTimeoutMs: 5000 });
    try {
      return await ssh.exec(fixtureHost(f, i), 'true');
    } finally {
      await ssh.close();
    }
  };

  it('connects when known_hosts holds the host key', async () => {
    const r = await run(0, { knownHostsFile: f.knownHostsFile, acceptNew: false });
    expect(r.exitCode).toBe(0);
  });

  it('refuses an unknown key with HostKeyError naming the key type and SHA256 fingerprint', async () => {
    const err = await run(0, { knownHostsFile: knownHosts([]), acceptNew: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyError);
    const e = err as HostKeyError;
    expect(e.reason).toBe('unknown');
    expect(e.fingerprint).toBe(f.hosts[0].fingerprint);
    expect(e.keyType).toBe('ssh-ed25519');
    expect(e.message).toContain(f.hosts[0].fingerprint);
    expect(e.message).toContain('ssh-ed25519');
    expect(e.hint).toMatch(/--accept-new/);
    expect(e.hint).toMatch(/ssh-keyscan/);
  });

  it('accept-new records an unknown key and the next connection needs no acceptance', async () => {
    const file = knownHosts(); // does not exist yet: created 0600 in a 0700 directory
    await run(1, { knownHostsFile: file, acceptNew: true });
    const h = f.hosts[1];
    expect(fs.readFileSync(file, 'utf8')).toBe(`[${h.address}]:${h.port} ${h.hostKeyLine}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const r = await run(1, { knownHostsFile: file, acceptNew: false });
    expect(r.exitCode).toBe(0);
  });

  it('prefers the key type already known for the host when the server offers several', async () => {
    const h = f.hosts[0];
    const ecdsaLine = h.extraHostKeyLines[0];
    expect(ecdsaLine).toMatch(/^ecdsa-sha2-nistp256 /);
    const file = knownHosts([`[${h.address}]:${h.port} ${ecdsaLine}`]);
    // the server's first choice (ed25519) would look like a changed key for this known_hosts file
    const ed25519Blob = Buffer.from(h.hostKeyLine.split(' ')[1], 'base64');
    expect(checkHostKey(file, h.address, h.port, 'ssh-ed25519', ed25519Blob)).toBe('changed');
    const r = await run(0, { knownHostsFile: file, acceptNew: false });
    expect(r.exitCode).toBe(0);
  });

  it('recognises a hashed known_hosts entry written by ssh-keygen -H', async () => {
    const file = knownHosts([f.knownHostsLine(0)]);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const r = await run(0, { knownHostsFile: file, acceptNew: false });
    expect(r.exitCode).toBe(0);
  });

  it('asks onUnknownKey and records the key when the operator accepts', async () => {
    const file = knownHosts([]);
    const asked: unknown[] = [];
    const r = await run(0, {
      knownHostsFile: file,
      acceptNew: false,
      onUnknownKey: async (info) => {
        asked.push(info);
        return true;
      },
    });
    expect(r.exitCode).toBe(0);
    const h = f.hosts[0];
    expect(asked).toEqual([{ host: h.name, address: h.address, port: h.port, keyType: 'ssh-ed25519', fingerprint: h.fingerprint }]);
    expect(fs.readFileSync(file, 'utf8')).toContain(h.hostKeyLine);
  });

  it('refuses the key and records nothing when the operator rejects it in onUnknownKey', async () => {
    const file = knownHosts([]);
    const err = await run(0, { knownHostsFile: file, acceptNew: false, onUnknownKey: async () => false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyError);
    expect((err as HostKeyError).reason).toBe('unknown');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe('');
  });

  it('refuses a key listed as @revoked', async () => {
    const file = knownHosts([`@revoked * ${f.hosts[0].hostKeyLine}`, f.knownHostsLine(0)]);
    const err = await run(0, { knownHostsFile: file, acceptNew: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyError);
    expect((err as HostKeyError).message).toMatch(/revoked/i);
  });

  it('refuses a changed host key loudly, even with acceptNew, and never asks the operator', async () => {
    const file = knownHosts([f.knownHostsLine(1)]);
    const oldFingerprint = f.hosts[1].fingerprint;
    await f.regenerateHostKey(1);
    expect(f.hosts[1].fingerprint).not.toBe(oldFingerprint);
    let asked = false;
    const err = await run(1, {
      knownHostsFile: file,
      acceptNew: true,
      onUnknownKey: async () => (asked = true),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyError);
    const e = err as HostKeyError;
    expect(e.reason).toBe('changed');
    expect(e.fingerprint).toBe(f.hosts[1].fingerprint);
    expect(e.message).toMatch(/man-in-the-middle/);
    expect(e.message).toContain(`${file}:1`);
    expect(asked).toBe(false);
    expect(checkHostKey(file, f.hosts[1].address, f.hosts[1].port, 'ssh-ed25519', Buffer.from(f.hosts[1].hostKeyLine.split(' ')[1], 'base64'))).toBe('changed');
  });
});
