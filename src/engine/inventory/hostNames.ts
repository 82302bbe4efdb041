// Ansible inventory host and group names: validation, `name:port` keys and `web[01:10]` ranges.

/** Group names: letters, digits, `_` and `-` (Ansible warns about `-` but accepts it). */
export const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Characters a host name may not contain (they mean something in host patterns or YAML). */
const BAD_HOST_CHARS = /[\s,&!*?[\]~:'"{}()|\\/]/;

export function isValidGroupName(name: string): boolean {
  return GROUP_NAME.test(name);
}

export function isValidHostName(name: string): boolean {
  // Only an IPv6 address (always with a `:`) may hold a character of BAD_HOST_CHARS; testing the
  // large IPV6 pattern on every name cost ~10 ms of start-up (its first compile).
  if (name.includes(':') && patterns().ipv6.test(name)) return true;
  return name !== '' && !name.startsWith('-') && !BAD_HOST_CHARS.test(name);
}

/** Split an inventory host key `name[:port]`; the port part is returned unparsed. */
export function splitHostKey(key: string): { name: string; port?: string } {
  const i = key.lastIndexOf(':');
  if (i > 0) {
    const before = key.slice(0, i);
    const after = key.slice(i + 1);
    const balanced = (before.match(/\[/g)?.length ?? 0) === (before.match(/]/g)?.length ?? 0);
    if (balanced && /^\d*$/.test(after) && !after.includes(']')) return { name: before, port: after };
  }
  return { name: key };
}

/** Most hosts one range key may expand to (`x[1:100000000]` is a typo, not a fleet to build in memory). */
export const MAX_RANGE_HOSTS = 10_000;

const NUM_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const I4 = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUM_RANGE})`;
const I6 = String.raw`(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const LABEL = String.raw`(?:[\p{L}\p{N}_]|${ALNUM_RANGE})(?:[\p{L}\p{N}_-]|${ALNUM_RANGE})*(?<![_-])`;
// Made when first needed (only for a host name with a port): building these patterns, the Unicode
// one above all, costs ~1 ms of every command's start.
let addressPatterns: { readonly ipv4: RegExp; readonly ipv6: RegExp; readonly hostname: RegExp } | undefined;
const patterns = (): NonNullable<typeof addressPatterns> =>
  (addressPatterns ??= {
    ipv4: new RegExp(String.raw`^(?:${I4}\.){3}${I4}$`, 'i'),
    ipv6: new RegExp(
      '^(?:' +
        [
          `(?:${I6}:){7}${I6}`,
          `(?:${I6}:){1,6}:`,
          `(?:${I6}:)(?::${I6}){1,6}`,
          `(?:${I6}:){2}(?::${I6}){1,5}`,
          `(?:${I6}:){3}(?::${I6}){1,4}`,
          `(?:${I6}:){4}(?::${I6}){1,3}`,
          `(?:${I6}:){5}(?::${I6}){1,2}`,
          `(?:${I6}:){6}(?::${I6})`,
          `:(?::${I6}){1,6}`,
          `${I6}?::`,
          `(?:0:){6}(?:${I6}\\.){3}${I6}`,
          `::(?:ffff:)?(?:${I6}\\.){3}${I6}`,
          `(?:0:){5}ffff:(?:${I6}\\.){3}${I6}`,
        ].join('|') +
        ')$',
      'i',
    ),
    hostname: new RegExp(String.raw`^${LABEL}(?:\.${LABEL})*$`, 'iu'),
  });
const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;

/**
 * Ansible's parse_address(allow_ranges=True): `name:port`, `[addr]:port`, IPv4, IPv6, host names
 * with ranges. Undefined when the text is none of these (Ansible then keeps it whole, port-less).
 */
function parseAddress(text: string): { host: string; port?: number } | undefined {
  let address = text;
  let port: number | undefined;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(address);
    if (m) {
      address = m[1];
      port = Number(m[2]);
    }
  }
  // Without a port the result is the text itself whether or not it validates: skip the costly checks.
  if (port === undefined) return { host: text };
  const { ipv4, ipv6, hostname } = patterns();
  if (ipv4.test(address) || ipv6.test(address) || hostname.test(address)) return { host: address, port };
  return undefined;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Ansible's expand_hostname_range: `web[01:03]` gives web01, web02, web03 (end included, zero
 * padding when the begin has a leading zero), `db-[a:c]` gives db-a, db-b, db-c, `n[0:10:5]`
 * gives n0, n5, n10, `[:3]` starts at 0. Several ranges multiply. Returns an error text when a
 * range is malformed, empty or expands to more than MAX_RANGE_HOSTS names.
 */
export function expandRange(name: string, budget = MAX_RANGE_HOSTS): string[] | string {
  if (budget === MAX_RANGE_HOSTS && rangeProduct(name) > MAX_RANGE_HOSTS) return `the range expands to more than ${MAX_RANGE_HOSTS} hosts`;
  const open = name.indexOf('[');
  if (open < 0) return [name];
  const close = name.indexOf(']', open);
  const firstClose = name.indexOf(']');
  if (close < 0 || firstClose < open) return 'unbalanced [ ]';
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  const bounds = name.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) return 'a host range is [begin:end] or [begin:end:step]';
  const beg = bounds[0] === '' ? '0' : bounds[0];
  const end = bounds[1];
  if (end === '') return 'a host range needs an end value';
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!Number.isInteger(step) || step < 1 || (bounds.length === 3 && !/^\d+$/.test(bounds[2]))) return `bad step \`${bounds[2]}\` in a host range`;
  let width = 0;
  if (beg.length > 1 && beg.startsWith('0')) {
    if (beg.length !== end.length) return 'a zero-padded host range needs begin and end of the same width';
    width = beg.length;
  }
  const items: string[] = [];
  const bi = beg.length === 1 ? LETTERS.indexOf(beg) : -1;
  const ei = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (bi >= 0 && ei >= 0) {
    if (bi > ei) return 'a host range must have begin <= end';
    for (let i = bi; i <= ei; i += step) items.push(LETTERS[i]);
  } else {
    if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) return `bad host range [${bounds.join(':')}]`;
    const b = Number(beg);
    const e = Number(end);
    if (b > e) return 'a host range must have begin <= end';
    if ((e - b) / step + 1 > budget) return `the range expands to more than ${MAX_RANGE_HOSTS} hosts`;
    for (let i = b; i <= e; i += step) items.push(width ? String(i).padStart(width, '0') : String(i));
  }
  const out: string[] = [];
  for (const item of items) {
    const rest = expandRange(head + item + tail, budget - out.length);
    if (typeof rest === 'string') return rest;
    out.push(...rest);
    if (out.length > budget) return `the range expands to more than ${MAX_RANGE_HOSTS} hosts`;
  }
  return out;
}

/** An upper bound of the names a pattern's ranges multiply to (checked before expanding anything). */
function rangeProduct(name: string): number {
  let product = 1;
  for (const m of name.matchAll(/\[([^\]]*)\]/g)) {
    const [b, e, s] = m[1].split(':');
    const step = s !== undefined && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : 1;
    let n = 1;
    if (/^\d*$/.test(b ?? '') && /^\d+$/.test(e ?? '')) n = Math.floor(Math.max(0, Number(e) - Number(b || '0')) / step) + 1;
    else if (b?.length === 1 && e?.length === 1) n = Math.floor(Math.max(0, LETTERS.indexOf(e) - LETTERS.indexOf(b)) / step) + 1;
    product *= n;
    if (product > MAX_RANGE_HOSTS) return product;
  }
  return product;
}

/** Ansible's _expand_hostpattern: a host key or INI host word to host names and an optional port. */
export function expandHostPattern(pattern: string): { names: string[]; port?: number } | string {
  const parsed = parseAddress(pattern);
  const host = parsed?.host ?? pattern;
  const port = parsed?.port;
  if (port !== undefined && (port < 1 || port > 65535)) return `port ${port} is not from 1 to 65535`;
  const names = host.includes('[') ? expandRange(host) : [host];
  if (typeof names === 'string') return names;
  return { names, port };
}

/** Expand ranges in a host name (kept for callers that have no port). Undefined when malformed. */
export function expandHostRange(name: string): string[] | undefined {
  const r = expandRange(name);
  return typeof r === 'string' ? undefined : r;
}
