// Secret detection by variable name, and masking of secret values in text and output streams.

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

/** Distinct maskable values, longest first (so a secret containing another is masked whole). */
function maskable(values: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const v of values) if (typeof v === 'string' && v.length >= MIN_SECRET_LENGTH) set.add(v);
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

/** Masks a stream of text chunks; see createStreamMasker. */
export interface StreamMasker {
  /** Feed a chunk; returns the masked text that is certain (may hold back a short tail). */
  push(chunk: string): string;
  /** Flush: returns the masked held-back tail. */
  end(): string;
}

/**
 * A masker for streamed output: a secret split across chunks is still masked. It holds back at
 * most (longest secret length - 1) characters between pushes; end() releases them.
 */
export function createStreamMasker(values: Iterable<string>): StreamMasker {
  const list = maskable(values);
  const re = secretsRegExp(list);
  if (!re) return { push: (chunk) => chunk, end: () => '' };
  const maxLen = list[0].length;
  let held = '';
  return {
    push(chunk: string): string {
      const text = held + chunk;
      // A match starting before `cut` is final: every secret starting there fits in `text`.
      const cut = text.length - (maxLen - 1);
      let out = '';
      let pos = 0;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null && m.index < cut; m = re.exec(text)) {
        out += text.slice(pos, m.index) + MASK;
        pos = m.index + m[0].length;
      }
      const emitEnd = Math.max(pos, cut);
      out += text.slice(pos, emitEnd);
      held = text.slice(emitEnd);
      return out;
    },
    end(): string {
      const rest = held;
      held = '';
      re.lastIndex = 0;
      return rest.replace(re, MASK);
    },
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
