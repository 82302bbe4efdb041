// Ansible host patterns: all, *, groups, hosts, subscripts, unions, &intersections, !exclusions,
// shell wildcards and ~regexes. `local` is the operator's machine unless the inventory names it.
import { BadInputError } from '../errors.js';
import type { Host, Inventory } from '../types.js';

/** The synthetic host `local` resolves to when the inventory has no host or group of that name. */
export function syntheticLocalHost(): Host {
  return { name: 'local', address: 'localhost', port: 22, connection: 'local', groups: ['all'], vars: {} };
}

export interface PatternResult {
  /** Matching hosts in Ansible's order for the pattern, no duplicates (a synthetic `local` comes last). */
  readonly hosts: Host[];
  /** Terms that match no group or host (lint reports them; runs fail on them). */
  readonly unknown: string[];
}

/** Split on `,`, or on `:` outside brackets when there is no comma (Ansible's old separator). */
function splitTerms(pattern: string): string[] {
  if (pattern.includes(',')) return pattern.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of pattern) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ':' && depth === 0 && !cur.startsWith('~')) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const SUBSCRIPT = /^(.+)\[(?:(-?\d+)|(-?\d+)?\s*([:-])\s*(-?\d+)?)\]$/;

/** Python-style slice/index over a list, Ansible semantics (`[a:b]` includes b; `[a:]` to the end). */
function applySubscript<T>(items: T[], sub: { index?: number; start?: number; end?: number }): T[] {
  const n = items.length;
  if (sub.index !== undefined) {
    const i = sub.index < 0 ? n + sub.index : sub.index;
    return i >= 0 && i < n ? [items[i]] : [];
  }
  const norm = (i: number) => (i < 0 ? Math.max(0, n + i) : Math.min(i, n));
  const end = sub.end === undefined || sub.end === -1 ? n - 1 : sub.end;
  const start = norm(sub.start ?? 0);
  return items.slice(start, Math.max(start, norm(end + 1)));
}

/** fnmatch-style wildcard to RegExp (`*`, `?`, `[abc]`, `[!abc]`). */
function wildcardRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const hasWildcard = (s: string) => /[*?[]/.test(s);

/**
 * Host names matched by one term (without its !/& prefix), or undefined when nothing matches.
 * Order as Ansible's: each matching group's members in the group's order (Inventory.groups), then
 * matching host names; a subscript picks from that order.
 */
function matchTerm(inv: Inventory, term: string, hostByName: Map<string, Host>): string[] | undefined {
  if (term === 'all' || term === '*') return [...(inv.groups.all ?? inv.hosts.map((h) => h.name))];
  const m = SUBSCRIPT.exec(term);
  if (m) {
    const base = matchTerm(inv, m[1], hostByName);
    if (base === undefined) return undefined;
    const sub = m[2] !== undefined ? { index: Number(m[2]) } : { start: m[3] === undefined ? 0 : Number(m[3]), end: m[5] === undefined ? -1 : Number(m[5]) };
    return applySubscript(base, sub);
  }
  let groupNames: string[];
  let hostNames: string[];
  if (term.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(term.slice(1));
    } catch {
      throw new BadInputError(`bad regular expression in host pattern \`${term}\``, { hint: 'a ~ pattern is a regular expression matched against names' });
    }
    const test = (s: string) => re.exec(s)?.index === 0; // Ansible uses re.match: anchored at the start
    groupNames = Object.keys(inv.groups).filter(test);
    hostNames = inv.hosts.map((h) => h.name).filter(test);
  } else if (hasWildcard(term)) {
    const re = wildcardRegExp(term);
    groupNames = Object.keys(inv.groups).filter((g) => re.test(g));
    hostNames = inv.hosts.map((h) => h.name).filter((n) => re.test(n));
  } else {
    groupNames = Object.hasOwn(inv.groups, term) ? [term] : [];
    hostNames = groupNames.length === 0 && hostByName.has(term) ? [term] : [];
  }
  if (groupNames.length === 0 && hostNames.length === 0) return undefined;
  const out = new Set<string>();
  for (const g of groupNames) for (const n of inv.groups[g] ?? []) out.add(n);
  for (const n of hostNames) out.add(n);
  return [...out];
}

/**
 * Resolve an Ansible host pattern against an inventory. Union terms apply first, then `&`
 * intersections, then `!` exclusions; only `&`/`!` terms start from `all`. Unknown names are
 * reported in `unknown`. A malformed pattern (empty, bad ~regex) throws BadInputError.
 */
/**
 * Results per inventory and pattern. An Inventory is read-only once loaded, and the same few
 * patterns are resolved for every step again and again (500 steps x 200 hosts: ~0.1 ms each, four
 * times per step before the player's first frame). Callers get their own arrays.
 */
const memo = new WeakMap<Inventory, Map<string, PatternResult>>();

export function resolvePattern(inv: Inventory, pattern: string): PatternResult {
  let byPattern = memo.get(inv);
  if (!byPattern) memo.set(inv, (byPattern = new Map()));
  let r = byPattern.get(pattern);
  if (!r) byPattern.set(pattern, (r = resolveUncached(inv, pattern))); // a bad pattern throws each time
  return { hosts: [...r.hosts], unknown: [...r.unknown] };
}

function resolveUncached(inv: Inventory, pattern: string): PatternResult {
  const terms = splitTerms(pattern);
  if (terms.length === 0) throw new BadInputError('empty host pattern', { hint: 'use all, a group, a host, or a list like web,db:!db3' });
  const hostByName = new Map(inv.hosts.map((h) => [h.name, h]));
  const local = hostByName.has('local') || Object.hasOwn(inv.groups, 'local') ? undefined : syntheticLocalHost();
  const unknown: string[] = [];

  const lookup = (term: string): string[] => {
    if (local && term === 'local') return ['local'];
    const names = matchTerm(inv, term, hostByName);
    if (names === undefined) {
      if (!unknown.includes(term)) unknown.push(term);
      return [];
    }
    return names;
  };

  const union = terms.filter((t) => !t.startsWith('&') && !t.startsWith('!'));
  const inter = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1).trim());
  const excl = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1).trim());
  for (const t of [...inter, ...excl]) if (t === '') throw new BadInputError(`malformed host pattern \`${pattern}\``, { hint: '& and ! need a name after them' });

  let selected = new Set<string>();
  for (const t of union.length ? union : ['all']) for (const n of lookup(t)) selected.add(n);
  for (const t of inter) {
    const keep = new Set(lookup(t));
    selected = new Set([...selected].filter((n) => keep.has(n)));
  }
  for (const t of excl) for (const n of lookup(t)) selected.delete(n);

  // In the order the terms matched them, as Ansible orders a pattern's hosts.
  const hosts = [...selected].map((n) => hostByName.get(n)).filter((h): h is Host => h !== undefined);
  if (local && selected.has('local')) hosts.push(local);
  return { hosts, unknown };
}
