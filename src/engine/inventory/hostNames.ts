// Ansible inventory host and group names: validation, `name:port` keys and `web[01:10]` ranges.

/** Group names: letters, digits, `_` and `-` (Ansible warns about `-` but accepts it). */
export const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Characters a host name may not contain (they mean something in host patterns or YAML). */
const BAD_HOST_CHARS = /[\s,&!*?[\]~:'"{}()|\\/]/;

export function isValidGroupName(name: string): boolean {
  return GROUP_NAME.test(name);
}

export function isValidHostName(name: string): boolean {
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

const RANGE = /\[([0-9]+|[a-zA-Z]):([0-9]+|[a-zA-Z])(?::([0-9]+))?\]/;

/** Most hosts one range key may expand to (`x[1:100000000]` is a typo, not a fleet to build in memory). */
export const MAX_RANGE_HOSTS = 10_000;

/**
 * Expand Ansible host ranges: `web[01:03].example.com` gives web01, web02, web03 (end included,
 * leading zeros kept), `db-[a:c]` gives db-a, db-b, db-c, `n[0:10:5]` gives n0, n5, n10.
 * Several ranges multiply. Returns undefined when a range is malformed (start after end, mixed kinds)
 * or expands to more than MAX_RANGE_HOSTS names.
 */
export function expandHostRange(name: string): string[] | undefined {
  const m = RANGE.exec(name);
  if (!m) return [name];
  const [whole, beg, end, strideText] = m;
  const stride = strideText === undefined ? 1 : Number(strideText);
  if (stride < 1) return undefined;
  const pre = name.slice(0, m.index);
  const post = name.slice(m.index + whole.length);
  const items: string[] = [];
  const numeric = /^\d+$/.test(beg);
  if (numeric !== /^\d+$/.test(end)) return undefined;
  if (numeric) {
    const b = Number(beg);
    const e = Number(end);
    if (b > e || (e - b) / stride + 1 > MAX_RANGE_HOSTS) return undefined;
    const width = beg.length > 1 && beg.startsWith('0') ? beg.length : 0;
    for (let i = b; i <= e; i += stride) items.push(String(i).padStart(width, '0'));
  } else {
    const b = beg.charCodeAt(0);
    const e = end.charCodeAt(0);
    if (b > e) return undefined;
    for (let i = b; i <= e; i += stride) items.push(String.fromCharCode(i));
  }
  const out: string[] = [];
  for (const item of items) {
    const rest = expandHostRange(pre + item + post);
    if (!rest || out.length + rest.length > MAX_RANGE_HOSTS) return undefined;
    out.push(...rest);
  }
  return out;
}
