// Secret detection by variable name, and masking of secret values in text and output streams.
import { StringDecoder } from 'node:string_decoder';

/** What every secret value is replaced with. */
export const MASK = '********';

/** Secret values shorter than this are not masked (too likely to hit ordinary text). */
export const MIN_SECRET_LENGTH = 4;

/** Words that make a variable name secret wherever they appear in it. */
const SECRET_WORDS = new Set([
  'token',
  'tokens',
  'password',
  'passwords',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'secrets',
  'credential',
  'credentials',
  'apikey',
  'privatekey',
  'secretkey',
  'accesskey',
]);

/** Words that make a variable name secret only as its last word (`*_key`, `key`, `certificate_key`, `db_pass`). */
const SECRET_LAST_WORDS = new Set(['key', 'keys', 'pass']);

/** Split `join_token`, `apiKey`, `db-password`, `TLS.KEY` into lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/**
 * True when a variable name looks like it holds a secret: it contains a word such as token,
 * password, passwd, secret or credential, or its last word is `key` (`ssh_key`, `certificate_key`).
 * Case-insensitive; whole words only, so `keepalived_priority` or `tokenizer_mode` are not secret.
 */
export function isSecretName(name: string): boolean {
  const ws = words(name);
  if (ws.length === 0) return false;
  if (ws.some((w) => SECRET_WORDS.has(w))) return true;
  return SECRET_LAST_WORDS.has(ws[ws.length - 1]);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Encoded forms shorter than this are not masked (too likely to hit ordinary text). */
const MIN_FORM_LENGTH = 8;

/**
 * How a secret commonly reappears transformed in output: its base64 (the part of the encoding that
 * depends on the secret's bytes alone, for each of the 3 alignments it can have inside a longer
 * base64 text, as in `kubectl get secret -o yaml`), its hex (lower and upper case) and its
 * URL-encoding. A base64 text wrapped across lines is not recognised.
 */
export function encodedForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms = new Set<string>();
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    // Groups of 4 characters made of the secret's bytes only: skip the first when it holds padding bytes.
    const start = k === 0 ? 0 : 4;
    const end = Math.floor((k + bytes.length) / 3) * 4;
    if (end - start >= MIN_FORM_LENGTH) forms.add(b64.slice(start, end));
  }
  const hex = bytes.toString('hex');
  forms.add(hex);
  forms.add(hex.toUpperCase());
  const url = encodeURIComponent(value);
  if (url !== value) forms.add(url);
  return [...forms].filter((f) => f !== value && f.length >= MIN_FORM_LENGTH);
}

/**
 * Distinct maskable values, longest first (so a secret containing another is masked whole): every
 * secret of at least MIN_SECRET_LENGTH characters, and its encoded forms (see encodedForms).
 */
function maskable(values: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string' || v.length < MIN_SECRET_LENGTH) continue;
    set.add(v);
    for (const f of encodedForms(v)) set.add(f);
  }
  return [...set].sort((a, b) => b.length - a.length);
}

function secretsRegExp(values: readonly string[]): RegExp | undefined {
  return values.length === 0 ? undefined : new RegExp(values.map(escapeRegExp).join('|'), 'g');
}

/**
 * A function replacing every occurrence of each secret value in a text with MASK.
 * Values shorter than MIN_SECRET_LENGTH are ignored.
 */
export function createMasker(values: Iterable<string>): (text: string) => string {
  const re = secretsRegExp(maskable(values));
  if (!re) return (text) => text;
  return (text) => text.replace(re, MASK);
}

/**
 * The byte patterns of a set of secrets: the longest secret's byte length, and one regular
 * expression over the bytes read as latin1 (one character per byte, so offsets are byte offsets): a
 * single pass per chunk whatever the number of patterns; longest first, so at one position the
 * longest secret wins. Undefined when there is nothing to mask. The last few sets are kept: every
 * command of every host-step makes a masker (with 7 secrets, their encoded forms made and the
 * expression compiled took 60-160 us each time). Sharing the expression is safe: a scan sets its
 * lastIndex and runs to the end without yielding.
 */
function bytePatterns(values: Iterable<string>): { readonly maxLen: number; readonly re: RegExp } | undefined {
  const given = [...values];
  const key = JSON.stringify(given);
  if (recentPatterns.has(key)) return recentPatterns.get(key);
  const list = maskable(given).map((v) => Buffer.from(v, 'utf8')).sort((a, b) => b.length - a.length);
  const made = list.length === 0 ? undefined : { maxLen: list[0].length, re: new RegExp(list.map((b) => escapeRegExp(b.toString('latin1'))).join('|'), 'g') };
  if (recentPatterns.size >= 16) recentPatterns.delete(recentPatterns.keys().next().value!);
  recentPatterns.set(key, made);
  return made;
}
const recentPatterns = new Map<string, { readonly maxLen: number; readonly re: RegExp } | undefined>();

/** Masks a stream of byte chunks; see createByteMasker. */
export interface ByteMasker {
  /** Feed a chunk; returns the masked bytes that are certain (may hold back a short tail). */
  push(chunk: Buffer): Buffer;
  /** Flush: returns the masked held-back tail. */
  end(): Buffer;
}

const MASK_BYTES = Buffer.from(MASK, 'utf8');
const EMPTY = Buffer.alloc(0);

/**
 * A masker for streamed output, working on bytes: every occurrence of a secret's UTF-8 bytes is
 * replaced with MASK, even when split across chunks, and every other byte is passed on exactly
 * (binary output and multi-byte characters split between chunks stay byte-exact). It holds back
 * at most (longest secret byte length - 1) bytes between pushes; end() releases them. Matches are
 * leftmost, and at one position the longest secret wins (like createMasker).
 */
export function createByteMasker(values: Iterable<string>): ByteMasker {
  const patterns = bytePatterns(values);
  if (!patterns) return { push: (chunk) => chunk, end: () => EMPTY };
  const { maxLen, re } = patterns;
  let held: Buffer = EMPTY;
  /** Mask `buf`; matches starting at or after `cut` are left for later. Returns [masked parts, end of what is final]. */
  const scan = (buf: Buffer, cut: number): [Buffer[], number] => {
    const parts: Buffer[] = [];
    const text = buf.toString('latin1');
    let pos = 0;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null && m.index < cut; m = re.exec(text)) {
      if (m.index > pos) parts.push(buf.subarray(pos, m.index));
      parts.push(MASK_BYTES);
      pos = m.index + m[0].length;
    }
    return [parts, pos];
  };
  return {
    push(chunk: Buffer): Buffer {
      const buf = held.length ? Buffer.concat([held, chunk]) : chunk;
      // A match starting before `cut` is final: every secret starting there fits in `buf`.
      const cut = buf.length - (maxLen - 1);
      const [parts, pos] = scan(buf, cut);
      const emitEnd = Math.max(pos, cut);
      if (emitEnd > pos) parts.push(buf.subarray(pos, emitEnd));
      // Copy the tail: the transport may reuse `chunk`'s memory after this call.
      held = Buffer.from(buf.subarray(Math.max(emitEnd, 0)));
      return parts.length === 1 ? parts[0] : Buffer.concat(parts);
    },
    end(): Buffer {
      const buf = held;
      held = EMPTY;
      const [parts, pos] = scan(buf, buf.length);
      if (pos < buf.length) parts.push(buf.subarray(pos));
      return Buffer.concat(parts);
    },
  };
}

/** Masks a stream of text chunks; see createStreamMasker. */
export interface StreamMasker {
  /** Feed a chunk; returns the masked text that is certain (may hold back a short tail). */
  push(chunk: string): string;
  /** Flush: returns the masked held-back tail. */
  end(): string;
}

/**
 * createByteMasker for text: chunks are encoded as UTF-8, masked, and decoded again (a character
 * held back in part is completed by the next push).
 */
export function createStreamMasker(values: Iterable<string>): StreamMasker {
  const bytes = createByteMasker(values);
  const decoder = new StringDecoder('utf8');
  return {
    push: (chunk) => decoder.write(bytes.push(Buffer.from(chunk, 'utf8'))),
    end: () => decoder.write(bytes.end()) + decoder.end(),
  };
}

/**
 * The string values of the named secret variables found in any of the sources (numbers are
 * stringified; objects and lists are skipped). Feed the result to createMasker/createStreamMasker.
 */
export function secretValues(names: Iterable<string>, ...sources: ReadonlyArray<Readonly<Record<string, unknown>>>): string[] {
  const out = new Set<string>();
  for (const name of names) {
    for (const src of sources) {
      if (!Object.hasOwn(src, name)) continue;
      const v = src[name];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') out.add(String(v));
    }
  }
  return [...out];
}
