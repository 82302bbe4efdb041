// Liquid (runbook's templates) to Jinja2 (Ansible's), for the subset whose meaning is the same in
// both; anything else is refused with a reason, never translated into something else.
//
// Kept: literal text (a `{#`, a Jinja comment opener, is escaped), {% raw %} blocks, and outputs
// `{{ path | filter: arg }}` where the path is a variable or one of runbook's reserved objects
// (host, hosts, groups) in a form Ansible has, and the filters are in FILTERS. Refused: every other
// tag ({% if %}, {% for %}, {% assign %}...: Liquid and Jinja differ on truthiness and on what
// `groups` holds), other filters, and reserved objects used whole.

export class UnfaithfulError extends Error {}

/** Liquid filter -> Jinja filter (arguments are passed as they are). */
const FILTERS: Readonly<Record<string, string>> = {
  upcase: 'upper',
  downcase: 'lower',
  capitalize: 'capitalize',
  strip: 'trim',
  size: 'length',
  first: 'first',
  last: 'last',
  join: 'join',
  split: 'split',
  replace: 'replace',
};

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\[(?:'[^']*'|"[^"]*")\])*$/;
const LITERAL = /^('[^']*'|"[^"]*"|-?\d+(\.\d+)?|true|false)$/;

/** Split a path `a.b[0]['c']` into its segments. */
function segments(path: string): string[] {
  const out: string[] = [];
  for (const m of path.matchAll(/([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[(?:'([^']*)'|"([^"]*)")\]/g)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return out;
}

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const addressOf = (nameExpr: string): string => `(hostvars[${nameExpr}].ansible_host | default(${nameExpr}))`;

/** A host object's field, for the host whose inventory name is the Jinja expression `nameExpr`. */
function hostField(nameExpr: string, rest: readonly string[], whole: string, self: boolean): string {
  const [field, ...more] = rest;
  const tail = more.length ? more.map((m) => (/^\d+$/.test(m) ? `[${m}]` : `[${q(m)}]`)).join('') : '';
  switch (field) {
    case 'name':
      if (more.length) break;
      return self ? 'inventory_hostname' : nameExpr;
    case 'address':
      if (more.length) break;
      return addressOf(self ? 'inventory_hostname' : nameExpr);
    case 'port':
      if (more.length) break;
      return `(hostvars[${self ? 'inventory_hostname' : nameExpr}].ansible_port | default(22))`;
    case 'vars':
    case 'captured':
      if (!more.length) break;
      return `hostvars[${self ? 'inventory_hostname' : nameExpr}]${tail}`;
  }
  throw new UnfaithfulError(`\`${whole}\` has no Ansible equivalent (host objects export as .name, .address, .port, .vars.X and .captured.X)`);
}

/** A Liquid path as a Jinja expression. */
function translatePath(path: string): string {
  const seg = segments(path);
  const [head, ...rest] = seg;
  if (head === 'host') return hostField('inventory_hostname', rest, path, true);
  if (head === 'hosts') {
    if (rest.length < 2) throw new UnfaithfulError(`\`${path}\` has no Ansible equivalent (use hosts.NAME.address and the like)`);
    return hostField(q(rest[0]), rest.slice(1), path, false);
  }
  if (head === 'groups') {
    if (rest.length < 3 || !/^\d+$/.test(rest[1])) throw new UnfaithfulError(`\`${path}\` has no Ansible equivalent: runbook's groups hold host objects, Ansible's host names (use groups.G[0].name or .address)`);
    return hostField(`groups[${q(rest[0])}][${rest[1]}]`, rest.slice(2), path, false);
  }
  return path;
}

/** Split on `sep` outside quotes. */
function splitOutside(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = '';
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function translateValue(v: string): string {
  const t = v.trim();
  if (LITERAL.test(t)) return t;
  if (PATH.test(t)) return translatePath(t);
  throw new UnfaithfulError(`\`${t}\` is not a value runbook can export`);
}

/** The inside of `{{ ... }}` as Jinja. */
function translateOutput(inner: string): string {
  const [expr, ...filters] = splitOutside(inner, '|');
  let out = translateValue(expr);
  for (const f of filters) {
    const m = /^\s*([A-Za-z_]+)\s*(?::(.*))?$/s.exec(f);
    if (!m) throw new UnfaithfulError(`filter \`${f.trim()}\` cannot be read`);
    const [, name, argText] = m;
    const args = argText === undefined ? [] : splitOutside(argText, ',').map(translateValue);
    if (name === 'default') {
      // Liquid's default also replaces false and empty strings: Jinja's default(x, true).
      out = `(${out} | default(${args[0] ?? "''"}, true))`;
      continue;
    }
    const jinja = FILTERS[name];
    if (!jinja) throw new UnfaithfulError(`the Liquid filter \`${name}\` has no export to Jinja2`);
    out = `(${out} | ${jinja}${args.length ? `(${args.join(', ')})` : ''})`;
  }
  return out;
}

/** Liquid template text to Jinja2 text with the same meaning. Throws UnfaithfulError. */
export function liquidToJinja(text: string): string {
  let out = '';
  let i = 0;
  const literal = (t: string): string => t.replace(/\{#/g, "{{ '{#' }}");
  while (i < text.length) {
    const next = text.slice(i).search(/\{\{|\{%/);
    if (next < 0) {
      out += literal(text.slice(i));
      break;
    }
    out += literal(text.slice(i, i + next));
    i += next;
    if (text.startsWith('{{', i)) {
      const end = text.indexOf('}}', i);
      if (end < 0) throw new UnfaithfulError('an unclosed {{');
      let inner = text.slice(i + 2, end);
      const trimL = inner.startsWith('-');
      const trimR = inner.endsWith('-');
      inner = inner.slice(trimL ? 1 : 0, trimR ? -1 : undefined);
      out += `{{${trimL ? '-' : ''} ${translateOutput(inner)} ${trimR ? '-' : ''}}}`;
      i = end + 2;
      continue;
    }
    const end = text.indexOf('%}', i);
    if (end < 0) throw new UnfaithfulError('an unclosed {%');
    const tag = text.slice(i + 2, end).replace(/^-|-$/g, '').trim();
    const name = /^\S*/.exec(tag)![0];
    if (name === 'raw') {
      const close = /\{%-?\s*endraw\s*-?%\}/.exec(text.slice(end));
      if (!close) throw new UnfaithfulError('{% raw %} without {% endraw %}');
      const stop = end + close.index + close[0].length;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (name === 'comment') {
      const close = /\{%-?\s*endcomment\s*-?%\}/.exec(text.slice(end));
      if (!close) throw new UnfaithfulError('{% comment %} without {% endcomment %}');
      i = end + close.index + close[0].length;
      continue;
    }
    throw new UnfaithfulError(`the Liquid tag {% ${name} %} is not exported (Liquid and Jinja2 differ on conditions, loops and what groups hold)`);
  }
  return out;
}
