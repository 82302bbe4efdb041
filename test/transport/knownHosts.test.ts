import { describe, it, expect, beforeEach, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import crypto, { createHmac, randomBytes } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendKnownHost, checkHostKey, fingerprint, keyTypeOfBlob, knownKeyTypes } from '../../src/engine/transport/knownHosts.js';

/** A real ed25519 public key blob and its base64, made by ssh-keygen. */
function makeKey(dir: string, name: string): { type: string; b64: string; blob: Buffer; pubFile: string } {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' });
  const [type, b64] = fs.readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return { type, b64, blob: Buffer.from(b64, 'base64'), pubFile: `${file}.pub` };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-kh-'));
const A = makeKey(dir, 'a');
const B = makeKey(dir, 'b');

describe('known_hosts', () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  let file: string;
  let n = 0;
  beforeEach(() => {
    file = path.join(dir, `known_hosts_${++n}`);
  });
  const write = (...lines: string[]): void => fs.writeFileSync(file, lines.join('\n') + '\n');
  const check = (address: string, port: number, key = A): string => checkHostKey(file, address, port, key.type, key.blob);

  it('a missing file knows no host', () => {
    expect(check('10.0.0.1', 22)).toBe('unknown');
  });

  it('matches a plain host name on port 22 and a [host]:port entry on other ports', () => {
    write(`web1 ${A.type} ${A.b64}`, `[web2]:2222 ${A.type} ${A.b64}`);
    expect(check('web1', 22)).toBe('known');
    expect(check('web1', 2222)).toBe('unknown');
    expect(check('web2', 2222)).toBe('known');
    expect(check('web2', 22)).toBe('unknown');
  });

  it('matches any name of a comma-separated list, case-insensitively', () => {
    write(`web1,10.0.0.1,[10.0.0.1]:2200 ${A.type} ${A.b64} comment here`);
    expect(check('10.0.0.1', 22)).toBe('known');
    expect(check('WEB1', 22)).toBe('known');
    expect(check('10.0.0.1', 2200)).toBe('known');
  });

  it('matches hashed |1|salt|hash entries (HMAC-SHA1 of the looked-up name)', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[10.1.2.3]:2022').digest();
    write(`|1|${salt.toString('base64')}|${hash.toString('base64')} ${A.type} ${A.b64}`);
    expect(check('10.1.2.3', 2022)).toBe('known');
    expect(check('10.1.2.3', 22)).toBe('unknown');
  });

  it('honours wildcards and negated patterns', () => {
    write(`*.example.com,!bad.example.com ${A.type} ${A.b64}`, `db? ${A.type} ${A.b64}`);
    expect(check('app.example.com', 22)).toBe('known');
    expect(check('bad.example.com', 22)).toBe('unknown');
    expect(check('db1', 22)).toBe('known');
    expect(check('db10', 22)).toBe('unknown');
  });

  it('sees a key replaced in the file right after a lookup, though the file kept its size', () => {
    write(`web1 ${A.type} ${A.b64}`);
    expect(check('web1', 22, A)).toBe('known');
    const before = fs.statSync(file).size;
    write(`web1 ${B.type} ${B.b64}`); // same length: only the bytes changed
    expect(fs.statSync(file).size).toBe(before);
    expect(check('web1', 22, A)).toBe('changed');
    expect(check('web1', 22, B)).toBe('known');
  });

  it('sees a line appended after a lookup', () => {
    write(`web1 ${A.type} ${A.b64}`);
    expect(check('web2', 22, B)).toBe('unknown');
    appendKnownHost(file, 'web2', 22, B.type, B.b64);
    expect(check('web2', 22, B)).toBe('known');
    expect(knownKeyTypes(file, 'web2', 22)).toEqual([B.type]);
  });

  it('looks each host up once in an unchanged file of hashed lines: one HMAC per line and host, not per lookup', () => {
    const hashed = (name: string): string => {
      const salt = randomBytes(20);
      return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
    };
    const hosts = Array.from({ length: 5 }, (_, i) => `[10.0.0.${i + 1}]:2222`);
    write(...Array.from({ length: 200 }, (_, i) => `${hashed(`[10.9.${i >> 8}.${i & 255}]:22`)} ${A.type} ${A.b64}`), ...hosts.map((h) => `${hashed(h)} ${A.type} ${A.b64}`));
    const real = crypto.createHmac;
    let hmacs = 0;
    (crypto as { createHmac: unknown }).createHmac = (...args: Parameters<typeof createHmac>) => {
      hmacs++;
      return real(...args);
    };
    syncBuiltinESMExports(); // knownHosts.ts's named import sees the counting createHmac
    try {
      for (let i = 0; i < 5; i++) {
        // what a connection does: the key types to offer, then the key the host offered
        expect(knownKeyTypes(file, `10.0.0.${i + 1}`, 2222)).toEqual([A.type]);
        expect(check(`10.0.0.${i + 1}`, 2222)).toBe('known');
        expect(check(`10.0.0.${i + 1}`, 2222, B)).toBe('changed');
      }
    } finally {
      (crypto as { createHmac: unknown }).createHmac = real;
      syncBuiltinESMExports();
    }
    expect(hmacs).toBe(5 * 205);
  });

  it('reports "changed" when the host has keys but none is the offered one', () => {
    write(`web1 ${A.type} ${A.b64}`);
    expect(check('web1', 22, B)).toBe('changed');
  });

  it('reports "revoked" for a key listed under @revoked, even if also listed as known', () => {
    write(`@revoked * ${A.type} ${A.b64}`, `web1 ${A.type} ${A.b64}`);
    expect(check('web1', 22)).toBe('revoked');
  });

  it('skips @cert-authority lines, comments and malformed lines', () => {
    write('# comment', `@cert-authority *.example.com ${A.type} ${A.b64}`, 'garbage', `web1 ${B.type} not/base64!`);
    expect(check('x.example.com', 22)).toBe('unknown');
    expect(check('web1', 22)).toBe('unknown');
  });

  it('appendKnownHost writes "addr key" for port 22 and "[addr]:port key" otherwise, creating 0600 file in 0700 dir', () => {
    const nested = path.join(dir, `new-${n}`, 'ssh', 'known_hosts');
    appendKnownHost(nested, '10.0.0.9', 22, A.type, A.b64);
    appendKnownHost(nested, '10.0.0.9', 2222, B.type, B.b64);
    expect(fs.readFileSync(nested, 'utf8')).toBe(`10.0.0.9 ${A.type} ${A.b64}\n[10.0.0.9]:2222 ${B.type} ${B.b64}\n`);
    expect(fs.statSync(nested).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(nested)).mode & 0o777).toBe(0o700);
    expect(checkHostKey(nested, '10.0.0.9', 2222, B.type, B.blob)).toBe('known');
  });

  it('appendKnownHost starts a new line when the file lacks a trailing newline', () => {
    fs.writeFileSync(file, `web1 ${A.type} ${A.b64}`);
    appendKnownHost(file, 'web2', 22, B.type, B.b64);
    expect(fs.readFileSync(file, 'utf8').split('\n')).toEqual([`web1 ${A.type} ${A.b64}`, `web2 ${B.type} ${B.b64}`, '']);
  });

  it('knownKeyTypes lists the key types recorded for a host', () => {
    write(`web1 ssh-rsa ${A.b64}`, `web1 ${A.type} ${A.b64}`, `other ecdsa-sha2-nistp256 ${A.b64}`);
    expect(knownKeyTypes(file, 'web1', 22)).toEqual(['ssh-rsa', 'ssh-ed25519']);
  });

  it('fingerprint matches ssh-keygen -l', () => {
    const line = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', A.pubFile], { encoding: 'utf8' });
    expect(line.split(' ')[1]).toBe(fingerprint(A.blob));
  });

  it('keyTypeOfBlob reads the type embedded in a key blob', () => {
    expect(keyTypeOfBlob(A.blob)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(Buffer.from([0, 1]))).toBe('unknown');
  });
});
