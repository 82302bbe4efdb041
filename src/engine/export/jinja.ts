// Liquid (runbook's templates) to Jinja2 (Ansible's), for the subset whose meaning is the same in
// both; anything else is refused with a reason, never translated into something else.
//
// Translated:
// - literal text (a `{#`, a Jinja comment opener, is escaped), {% raw %} blocks, {% comment %} dropped;
// - outputs `{{ value | filter: arg }}` for the filters in FILTERS (and `plus`/`minus`/`times` on
//   whole numbers), `default` as `default(x, true)` (Liquid's default also replaces false and '');
// - runbook's objects: `host.*`, `hosts.NAME.*`, `groups.NAME` (a list of host names in Ansible,
//   of host objects in runbook: a loop variable over it is translated field by field), `forloop.*`;
// - {% if/elsif/else/unless %} with Liquid's truthiness (only false and nil are false, an empty
//   string or list is true) and its right-to-left `and`/`or`; comparisons, `contains` as `in`;
// - {% for x in groups.NAME %} (and over host.groups), {% assign %} outside loops as {% set %}.
// Every block tag ends in `+%}`: Ansible templates with trim_blocks, Liquid does not, so the newline
// after a tag is kept as Liquid keeps it (`-%}` stays `-%}`, which trims in both).

export class UnfaithfulError extends Error {}

/** What the export knows about the names a template may use. */
export interface JinjaContext {
  /** Capture name -> made by a single-host step (a fact on every host) or per host. */
  readonly captures?: ReadonlyMap<string, 'global' | 'host'>;
  /** Names of variables some inventory host has (they are in Ansible's hostvars). */
  readonly inventoryVars?: ReadonlySet<string>;
  /** Variable names whose value is not a string or a number somewhere (rendered differently). */
  readonly nonScalarVars?: ReadonlySet<string>;
  /** The step runs on runbook's own machine (`local`), Ansible's implicit `localhost`. */
  readonly local?: boolean;
}

/** Liquid filter -> Jinja filter (arguments are passed as they are). */
const FILTERS: Readonly<Record<string, string>> = {
  upcase: 'upper',
  downcase: 'lower',
  capitalize: 'capitalize',
  strip: 'trim',
  size: 'length',
  first: 'first',
  last: 'last',
  split: 'split',
  replace: 'replace',
};
const ARITHMETIC: Readonly<Record<string, string>> = { plus: '+', minus: '-', times: '*' };

/** forloop.X -> loop.X */
const FORLOOP: Readonly<Record<string, string>> = {
  index: 'index',
  index0: 'index0',
  rindex: 'revindex',
  rindex0: 'revindex0',
  first: 'first',
  last: 'last',
  length: 'length',
};

/** host: a host object (a name in Jinja); hostlist: groups.X; list: other lists (host.groups). */
type Kind = 'value' | 'int' | 'hostlist' | 'host' | 'list';
interface Expr {
  readonly jinja: string;
  readonly kind: Kind;
  /** A plain variable (not one of runbook's objects, no filter): may be undefined. */
  readonly plain?: boolean;
}

interface Scope {
  /** Loop variables over groups: bound to a host name in Jinja, a host object in Liquid. */
  readonly hostVars: Set<string>;
  /** Names assigned a list ({% assign v = x | split: "." %}): printed whole, Liquid and Jinja2 differ. */
  readonly lists: Set<string>;
  loopDepth: number;
}

const LITERAL = /^('[^']*'|"[^"]*"|-?\d+(\.\d+)?|true|false|nil|null)$/;

/** Split a path `a.b[0]['c']` into its segments. */
function segments(path: string): string[] {
  const out: string[] = [];
  for (const m of path.matchAll(/([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[(?:'([^']*)'|"([^"]*)")\]/g)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return out;
}
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\[(?:'[^']*'|"[^"]*")\])*$/;

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const index = (m: string): string => (/^\d+$/.test(m) ? `[${m}]` : `[${q(m)}]`);

/** The list runbook gives as `X.groups`: every group holding the host, in the inventory's group order ('all' included). */
const groupsOf = (nameExpr: string): string => `(groups | dict2items | selectattr('value', 'contains', ${nameExpr}) | map(attribute='key') | list)`;

/** runbook's `local` host as its fixed values (Ansible's implicit localhost has other ones). */
function localField(rest: readonly string[], whole: string): Expr {
  if (rest.length === 1 && rest[0] === 'name') return { jinja: "'local'", kind: 'value' };
  if (rest.length === 1 && rest[0] === 'address') return { jinja: "'localhost'", kind: 'value' };
  if (rest.length === 1 && rest[0] === 'port') return { jinja: '22', kind: 'int' };
  throw new UnfaithfulError(`\`${whole}\` on this machine has no Ansible equivalent (host.name, .address and .port do)`);
}

class Translator {
  constructor(private readonly ctx: JinjaContext) {}

  /** A host object's field, for the host whose inventory name is the Jinja expression `nameExpr`. */
  private hostField(nameExpr: string, rest: readonly string[], whole: string): Expr {
    const [field, ...more] = rest;
    const tail = more.map(index).join('');
    const hv = `hostvars[${nameExpr}]`;
    switch (field) {
      case undefined:
        return { jinja: nameExpr, kind: 'host' };
      case 'name':
        if (more.length) break;
        return { jinja: nameExpr, kind: 'value' };
      case 'address':
        if (more.length) break;
        return { jinja: `(${hv}.ansible_host | default(${nameExpr}))`, kind: 'value' };
      case 'port':
        if (more.length) break;
        return { jinja: `(${hv}.ansible_port | default(22))`, kind: 'value' };
      case 'groups':
        if (more.length) break;
        return { jinja: groupsOf(nameExpr), kind: 'list' };
      case 'vars': {
        if (!more.length) break;
        const capture = this.ctx.captures?.get(more[0]);
        if (capture) throw new UnfaithfulError(`\`${whole}\`: \`${more[0]}\` is also a capture, and Ansible's hostvars hold the captured fact, runbook's .vars the inventory value`);
        return { jinja: `${hv}${tail}`, kind: 'value' };
      }
      case 'captured': {
        if (!more.length) break;
        const capture = this.ctx.captures?.get(more[0]);
        if (capture === 'global') throw new UnfaithfulError(`\`${whole}\`: \`${more[0]}\` is captured by a single-host step, which the export sets on every host, while runbook keeps it under the host that made it`);
        if (this.ctx.inventoryVars?.has(more[0])) throw new UnfaithfulError(`\`${whole}\`: \`${more[0]}\` is also an inventory variable, which Ansible's hostvars would give where the host captured nothing`);
        return { jinja: `${hv}${tail}`, kind: 'value' };
      }
    }
    throw new UnfaithfulError(`\`${whole}\` has no Ansible equivalent (host objects export as .name, .address, .port, .groups, .vars.X and .captured.X)`);
  }

  /** A Liquid path as a Jinja expression. */
  private path(path: string, scope: Scope): Expr {
    const seg = segments(path);
    const [head, ...rest] = seg;
    if (head === 'host' && this.ctx.local) return localField(rest, path);
    if (head === 'host') return this.hostField('inventory_hostname', rest, path);
    if (head === 'hosts') {
      if (rest.length < 1) throw new UnfaithfulError(`\`${path}\` has no Ansible equivalent (use hosts.NAME.address and the like)`);
      return this.hostField(q(rest[0]), rest.slice(1), path);
    }
    if (head === 'groups') {
      if (rest.length === 0) throw new UnfaithfulError(`\`${path}\` has no Ansible equivalent: runbook's groups hold host objects, Ansible's host names`);
      const list = `groups[${q(rest[0])}]`;
      if (rest.length === 1) return { jinja: list, kind: 'hostlist' };
      if (rest.length === 2 && (rest[1] === 'size' || rest[1] === 'first' || rest[1] === 'last')) {
        return rest[1] === 'size' ? { jinja: `(${list} | length)`, kind: 'int' } : this.hostField(`(${list} | ${rest[1]})`, [], path);
      }
      if (!/^\d+$/.test(rest[1])) throw new UnfaithfulError(`\`${path}\` has no Ansible equivalent (use groups.G[0].name or .address)`);
      return this.hostField(`${list}[${rest[1]}]`, rest.slice(2), path);
    }
    if (head === 'forloop') {
      if (!scope.loopDepth) throw new UnfaithfulError(`\`${path}\` outside a loop`);
      const f = rest.length === 1 ? FORLOOP[rest[0]] : undefined;
      if (!f) throw new UnfaithfulError(`\`${path}\` has no Ansible equivalent (forloop.index, index0, rindex, rindex0, first, last and length do)`);
      return { jinja: `loop.${f}`, kind: f === 'first' || f === 'last' ? 'value' : 'int' };
    }
    if (scope.hostVars.has(head)) return this.hostField(head, rest, path);
    if (this.ctx.local && this.ctx.inventoryVars?.has(head)) {
      throw new UnfaithfulError(`\`${path}\` on this machine: Ansible's localhost takes the inventory's \`all\` vars, runbook's local host does not`);
    }
    return { jinja: path, kind: scope.lists.has(head) && rest.length === 0 ? 'list' : 'value', plain: true };
  }

  private value(v: string, scope: Scope): Expr {
    const t = v.trim();
    if (LITERAL.test(t)) {
      if (t === 'nil' || t === 'null') return { jinja: 'none', kind: 'value' };
      return { jinja: t, kind: /^-?\d+$/.test(t) ? 'int' : 'value' };
    }
    if (PATH.test(t)) return this.path(t, scope);
    throw new UnfaithfulError(`\`${t}\` is not a value runbook can export`);
  }

  /** `value | filter: arg, arg | ...` as a Jinja expression. */
  expression(inner: string, scope: Scope): Expr {
    const [first, ...filters] = splitOutside(inner, '|');
    let out = this.value(first, scope);
    for (const f of filters) {
      const m = /^\s*([A-Za-z_]+)\s*(?::(.*))?$/s.exec(f);
      if (!m) throw new UnfaithfulError(`filter \`${f.trim()}\` cannot be read`);
      const [, name, argText] = m;
      const args = argText === undefined ? [] : splitOutside(argText, ',').map((a) => this.value(a, scope));
      const list = args.map((a) => a.jinja).join(', ');
      if (out.kind === 'host') throw new UnfaithfulError(`a host object given to the filter \`${name}\``);
      if (out.kind === 'hostlist' && name !== 'size') throw new UnfaithfulError(`the filter \`${name}\` on a group: runbook's groups hold host objects, Ansible's host names`);
      if (name === 'default') {
        out = { jinja: `(${out.jinja} | default(${args[0]?.jinja ?? "''"}, true))`, kind: out.kind === 'int' && args[0]?.kind === 'int' ? 'int' : 'value' };
      } else if (name === 'join') {
        // Liquid joins with a space when no separator is given, Jinja2 with nothing.
        out = { jinja: `(${out.jinja} | join(${list || "' '"}))`, kind: 'value' };
      } else if (name in ARITHMETIC) {
        if (out.kind !== 'int' || args.length !== 1 || args[0].kind !== 'int') {
          throw new UnfaithfulError(`\`${name}\` is exported on whole numbers only (Liquid converts text to numbers, Jinja2 does not)`);
        }
        out = { jinja: `(${out.jinja} ${ARITHMETIC[name]} ${args[0].jinja})`, kind: 'int' };
      } else {
        const jinja = FILTERS[name];
        if (!jinja) throw new UnfaithfulError(`the Liquid filter \`${name}\` has no export to Jinja2`);
        out = { jinja: `(${out.jinja} | ${jinja}${args.length ? `(${list})` : ''})`, kind: name === 'size' ? 'int' : name === 'split' ? 'list' : 'value' };
      }
    }
    return out;
  }

  /** A Liquid condition with Liquid's meaning: right-to-left and/or, only false and nil false. */
  condition(text: string, scope: Scope): string {
    const parts = splitWords(text.trim(), ['and', 'or']);
    // Liquid groups from the right: a and b or c is a and (b or c).
    let out = this.comparison(parts[parts.length - 1], scope);
    for (let i = parts.length - 2; i > 0; i -= 2) out = `(${this.comparison(parts[i - 1], scope)} ${parts[i]} ${out})`;
    return out;
  }

  private operand(text: string, scope: Scope): Expr {
    const e = this.expression(text, scope);
    if (e.kind === 'host') throw new UnfaithfulError(`a host object compared: compare .name instead`);
    return e;
  }

  private comparison(text: string, scope: Scope): string {
    const m = /^(.+?)\s*(==|!=|<>|<=|>=|<|>|\scontains\s)\s*(.+)$/s.exec(text.trim());
    if (!m) {
      const e = this.operand(text, scope);
      // Liquid: everything but false and nil (undefined) is true, '' and [] included.
      return `(${e.jinja} is defined and ${e.jinja} is not none and ${e.jinja} is not sameas false)`;
    }
    const op = m[2].trim();
    const left = this.operand(m[1], scope);
    const right = this.operand(m[3], scope);
    if (op === 'contains') {
      if (left.kind === 'hostlist') throw new UnfaithfulError('`contains` on a group: runbook\'s groups hold host objects, Ansible\'s host names');
      const groupsOfHost = /^\(groups \| dict2items \| selectattr\('value', 'contains', (.+)\) \| map\(attribute='key'\) \| list\)$/.exec(left.jinja);
      if (groupsOfHost && /^'[^']*'$|^"[^"]*"$/.test(right.jinja) && !['all', 'ungrouped'].includes(right.jinja.slice(1, -1))) {
        const who = groupsOfHost[1];
        return `(${right.jinja} in ${who === 'inventory_hostname' ? 'group_names' : `hostvars[${who}].group_names`})`;
      }
      return `(${right.jinja} in (${left.jinja} | default([])))`;
    }
    // Liquid compares an undefined variable as nil; Ansible's undefined would fail.
    const side = (e: Expr): string => (e.plain ? `(${e.jinja} | default(none))` : e.jinja);
    const jop = op === '<>' ? '!=' : op;
    if (jop === '==' || jop === '!=') return `(${side(left)} ${jop} ${side(right)})`;
    return `(${left.jinja} ${jop} ${right.jinja})`;
  }
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

/** Split `a and b or c` into [a, 'and', b, 'or', c], outside quotes. */
function splitWords(text: string, words: readonly string[]): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
      cur += c;
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      cur += c;
      i++;
      continue;
    }
    const w = words.find((w) => /\s/.test(text[i - 1] ?? '') && text.startsWith(w, i) && /\s/.test(text[i + w.length] ?? ''));
    if (w) {
      out.push(cur.trim(), w);
      cur = '';
      i += w.length;
      continue;
    }
    cur += c;
    i++;
  }
  out.push(cur.trim());
  return out;
}

type Open = 'if' | 'unless' | 'for';

/** Liquid template text to Jinja2 text with the same meaning. Throws UnfaithfulError. */
export function liquidToJinja(text: string, ctx: JinjaContext = {}): string {
  const tr = new Translator(ctx);
  const scope: Scope = { hostVars: new Set(), lists: new Set(), loopDepth: 0 };
  const stack: { tag: Open; hostVar?: string }[] = [];
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
      const bare = inner.trim();
      if (ctx.nonScalarVars?.has(bare) && !scope.hostVars.has(bare)) {
        throw new UnfaithfulError(`\`{{ ${bare} }}\`: \`${bare}\` holds a value that is not a string or a number (true/false, null, a list or a map), which Liquid and Jinja2 print differently`);
      }
      const e = tr.expression(inner, scope);
      if (e.kind === 'host' || e.kind === 'hostlist' || e.kind === 'list') {
        const what = e.kind === 'host' ? 'a host object' : e.kind === 'hostlist' ? 'a group' : 'a list';
        throw new UnfaithfulError(`\`{{ ${bare} }}\` prints ${what}, which Liquid and Jinja2 print differently (print a field, or join the list)`);
      }
      out += `{{${trimL ? '-' : ''} ${e.jinja} ${trimR ? '-' : ''}}}`;
      i = end + 2;
      continue;
    }
    const end = text.indexOf('%}', i);
    if (end < 0) throw new UnfaithfulError('an unclosed {%');
    const raw = text.slice(i + 2, end);
    const trimL = raw.startsWith('-');
    const trimR = raw.endsWith('-');
    const tag = raw.replace(/^-|-$/g, '').trim();
    const name = /^\S*/.exec(tag)![0];
    const args = tag.slice(name.length).trim();
    const tagStart = i;
    const emit = (jinja: string): void => {
      out += `{%${trimL ? '-' : ''} ${jinja} ${trimR ? '-' : '+'}%}`;
    };
    i = end + 2;
    switch (name) {
      case 'raw': {
        const close = /\{%-?\s*endraw\s*-?%\}/.exec(text.slice(end));
        if (!close) throw new UnfaithfulError('{% raw %} without {% endraw %}');
        const stop = end + close.index + close[0].length;
        // Kept as written (trim_blocks does not apply after Jinja2's {% raw %}); the closing tag
        // gets `+%}` like every other tag.
        out += text.slice(tagStart, end + close.index);
        out += close[0].endsWith('-%}') ? close[0] : close[0].replace(/\s*%\}$/, ' +%}');
        i = stop;
        continue;
      }
      case 'comment': {
        const close = /\{%-?\s*endcomment\s*-?%\}/.exec(text.slice(end));
        if (!close) throw new UnfaithfulError('{% comment %} without {% endcomment %}');
        // Liquid drops the block and keeps the text around it: so does an empty Jinja comment
        // (`+#}`: trim_blocks applies to comments too).
        out += `{#${trimL ? '-' : ''} ${close[0].endsWith('-%}') ? '-' : '+'}#}`;
        i = end + close.index + close[0].length;
        continue;
      }
      case 'if':
        stack.push({ tag: 'if' });
        emit(`if ${tr.condition(args, scope)}`);
        continue;
      case 'unless':
        stack.push({ tag: 'unless' });
        emit(`if not ${tr.condition(args, scope)}`);
        continue;
      case 'elsif':
        if (stack[stack.length - 1]?.tag !== 'if') throw new UnfaithfulError('{% elsif %} outside {% if %}');
        emit(`elif ${tr.condition(args, scope)}`);
        continue;
      case 'else':
        if (!stack.length) throw new UnfaithfulError('{% else %} outside a block');
        emit('else');
        continue;
      case 'endif':
      case 'endunless': {
        const open = stack.pop();
        if (open?.tag !== name.slice(3)) throw new UnfaithfulError(`{% ${name} %} does not close {% ${open?.tag ?? 'nothing'} %}`);
        emit('endif');
        continue;
      }
      case 'for': {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(\S+)\s*$/.exec(args);
        if (!m) throw new UnfaithfulError(`{% for ${args} %}: only \`for x in groups.NAME\` (no limit, offset, reversed or ranges) is exported`);
        const [, v, collection] = m;
        const e = tr.expression(collection, scope);
        const overGroups = e.kind === 'hostlist' || /^\(groups \| dict2items/.test(e.jinja) || /^groups\[/.test(e.jinja);
        if (!overGroups) throw new UnfaithfulError(`{% for ${args} %}: only loops over groups.NAME or host.groups are exported (Liquid and Jinja2 iterate maps differently)`);
        stack.push({ tag: 'for', ...(e.kind === 'hostlist' && { hostVar: v }) });
        if (e.kind === 'hostlist') scope.hostVars.add(v);
        scope.loopDepth++;
        emit(`for ${v} in ${e.jinja}`);
        continue;
      }
      case 'endfor': {
        const open = stack.pop();
        if (open?.tag !== 'for') throw new UnfaithfulError(`{% endfor %} does not close {% ${open?.tag ?? 'nothing'} %}`);
        scope.loopDepth--;
        if (open.hostVar && !stack.some((s) => s.hostVar === open.hostVar)) scope.hostVars.delete(open.hostVar);
        emit('endfor');
        continue;
      }
      case 'assign': {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$/s.exec(args);
        if (!m) throw new UnfaithfulError(`{% assign ${args} %} cannot be read`);
        // Jinja's set inside a loop is local to the iteration; Liquid's assign is not.
        if (scope.loopDepth) throw new UnfaithfulError('{% assign %} inside a loop (Jinja2 would keep the value inside the loop only)');
        if (scope.hostVars.has(m[1]) || ['host', 'hosts', 'groups', 'forloop'].includes(m[1])) throw new UnfaithfulError(`{% assign ${m[1]} %} shadows one of runbook's objects`);
        const e = tr.expression(m[2], scope);
        if (e.kind === 'host' || e.kind === 'hostlist') throw new UnfaithfulError(`{% assign ${m[1]} %} of a host object or a group`);
        if (e.kind === 'list') scope.lists.add(m[1]);
        else scope.lists.delete(m[1]);
        emit(`set ${m[1]} = ${e.jinja}`);
        continue;
      }
      default:
        throw new UnfaithfulError(`the Liquid tag {% ${name} %} is not exported (it has no Jinja2 equivalent with the same meaning)`);
    }
  }
  if (stack.length) throw new UnfaithfulError(`{% ${stack[stack.length - 1].tag} %} is never closed`);
  // Jinja2 drops a template's last newline and Ansible adds back only as many trailing newlines as
  // the output lacks compared with the source: when markup before it renders newlines too, one is
  // lost. Written as an expression, the last newline is printed as it is in Liquid (a newline in
  // the quotes, since Ansible doubles backslashes inside {{ }}).
  if (/\{\{|\{%/.test(text) && out.endsWith('\n')) out = `${out.slice(0, -1)}{{ '\n' }}`;
  return out;
}
