// OpenSSH known_hosts: lookup of a host's keys and appending new ones.
//
// Supported: plain names, comma-separated pattern lists, `[host]:port`, hashed `|1|salt|hash`
// entries (HMAC-SHA1), negated `!patterns`, `*` / `?` wildcards, `@revoked` (the key is refused).
// `@cert-authority` lines are skipped (certificates are not supported). Malformed lines are
// ignored, as OpenSSH does.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type HostKeyStatus = 'known' | 'unknown' | 'changed' | 'revoked';

export interface KnownHostsEntry {
  readonly marker?: 'revoked';
  /** Raw host field: comma-separated patterns or a single hashed entry. */
  readonly hosts: string;
  readonly keyType: string;
  readonly keyBlob: Buffer;
  /** 1-based line number in the file. */
  readonly line: number;
}

/** The name OpenSSH looks up: `addr` for port 22, `[addr]:port` otherwise (lower-cased). */
export function knownHostsName(address: string, port: number): string {
  const a = address.toLowerCase();
  return port === 22 ? a : `[${a}]:${port}`;
}

/** Parse known_hosts text; comments, blank, malformed and @cert-authority lines are skipped. */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const out: KnownHostsEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/);
    let marker: 'revoked' | undefined;
    if (fields[0].startsWith('@')) {
      if (fields[0] === '@revoked') marker = 'revoked';
      else continue; // @cert-authority or unknown marker
      fields.shift();
    }
    if (fields.length < 3) continue;
    const [hosts, keyType, b64] = fields;
    if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) continue;
    out.push({ marker, hosts, keyType, keyBlob: Buffer.from(b64, 'base64'), line: i + 1 });
  }
  return out;
}

/** OpenSSH-style wildcard match (`*` any run, `?` one char), whole string. */
function wildcardMatch(name: string, pattern: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return name === pattern; // most lines: no expression to build
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(name);
}

function hashedMatch(name: string, field: string): boolean {
  const parts = field.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Does the host field of a known_hosts line match the looked-up name? */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatch(name, field);
  let positive = false;
  for (const raw of field.split(',')) {
    if (!raw) continue;
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (wildcardMatch(name, pattern)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

/**
 * The last parse of each known_hosts file, with the entries found for each name looked up in it,
 * kept while the file holds the same bytes: a connection looks its host up twice (key types to
 * offer, then the key offered), every host of a fleet reads the same file, and an operator's file
 * of thousands of hashed lines costs an HMAC per line and lookup. The file is read every time, so
 * an edit (even of the same size within the same clock tick) is seen by the next lookup.
 */
const parsedFiles = new Map<string, { bytes: Buffer; entries: KnownHostsEntry[]; byName: Map<string, KnownHostsEntry[]> }>();

/** Entries of the file (revoked ones included) whose host field matches `name`, as the file is now. */
function entriesMatching(file: string, name: string): KnownHostsEntry[] {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return []; // missing or unreadable file: nothing is known
  }
  let parsed = parsedFiles.get(file);
  if (!parsed || !parsed.bytes.equals(bytes)) {
    parsed = { bytes, entries: parseKnownHosts(bytes.toString('utf8')), byName: new Map() };
    parsedFiles.set(file, parsed);
  }
  let found = parsed.byName.get(name);
  if (!found) parsed.byName.set(name, (found = parsed.entries.filter((e) => hostFieldMatches(e.hosts, name))));
  return found;
}

/** Entries (revoked ones excluded) that apply to address:port. */
export function entriesForHost(file: string, address: string, port: number): KnownHostsEntry[] {
  return entriesMatching(file, knownHostsName(address, port)).filter((e) => !e.marker);
}

/**
 * Check an offered host key. 'revoked': an @revoked line lists this key for the host;
 * 'known': a matching line has exactly this key; 'changed': the host has known keys but none is
 * this one; 'unknown': no line applies to the host.
 */
export function checkHostKey(file: string, address: string, port: number, keyType: string, keyBlob: Buffer): HostKeyStatus {
  const entries = entriesMatching(file, knownHostsName(address, port));
  if (entries.some((e) => e.marker === 'revoked' && e.keyBlob.equals(keyBlob))) return 'revoked';
  const known = entries.filter((e) => !e.marker);
  if (known.some((e) => e.keyType === keyType && e.keyBlob.equals(keyBlob))) return 'known';
  return known.length ? 'changed' : 'unknown';
}

/** Key types already recorded for the host (first-seen order), for host-key algorithm preference. */
export function knownKeyTypes(file: string, address: string, port: number): string[] {
  return [...new Set(entriesForHost(file, address, port).map((e) => e.keyType))];
}

/** Append `addr type key` (port 22) or `[addr]:port type key`; creates the file 0600 and dir 0700. */
export function appendKnownHost(file: string, address: string, port: number, keyType: string, keyBase64: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const existing = fs.readFileSync(file, 'utf8');
    if (existing.length && !existing.endsWith('\n')) prefix = '\n';
  } catch {
    // new file
  }
  const hostField = port === 22 ? address : `[${address}]:${port}`;
  fs.appendFileSync(file, `${prefix}${hostField} ${keyType} ${keyBase64}\n`, { mode: 0o600 });
}

/** OpenSSH fingerprint: `SHA256:` + unpadded base64 of sha256(key blob). */
export function fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** Key type name embedded at the start of an SSH public key blob (string length-prefixed). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}
