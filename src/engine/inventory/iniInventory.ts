// Ansible's INI inventory format (ansible/plugins/inventory/ini.py), read into InventoryData:
// host lines with inline key=value vars, [group], [group:children], [group:vars], ranges,
// `name:port`, `#`/`;` comments. Values are typed as Ansible types them (ast.literal_eval).
import { BadInputError } from '../errors.js';
import { expandHostPattern } from './hostNames.js';
import type { InventoryData } from './inventoryData.js';
import { pythonLiteral, shlexSplit } from './pyLiteral.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  readonly line: number;
  readonly state: 'vars' | 'children';
  readonly parents: string[];
}

/** Parse INI inventory text into `data` (hosts, groups, vars with file and line). */
export function parseIniInventory(text: string, file: string, data: InventoryData): void {
  const lines = text.split(/\r?\n|\r/);
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  const fail = (line: number, message: string, hint?: string): never => {
    throw new BadInputError(message, { file, line, hint });
  };

  const addPendingChildren = (g: string): void => {
    const p = pending.get(g);
    if (!p) return;
    for (const parent of p.parents) {
      data.addChild(parent, g, { file, line: p.line });
      if (pending.get(parent)?.state === 'children') addPendingChildren(parent);
    }
    pending.delete(g);
  };

  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const at = { file, line: lineNo };
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const m = SECTION.exec(line);
    if (m) {
      const name = m[1]; // kept as written (Ansible's default: warn about odd characters, never rename)
      const kind = m[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'children' && kind !== 'vars') {
        fail(lineNo, `section [${m[1]}:${kind}] has unknown type \`${kind}\``, 'sections are [group], [group:children] and [group:vars]');
      }
      group = name;
      state = kind as typeof state;
      if (!data.groups.has(name)) {
        if (state === 'vars' && !pending.has(name)) pending.set(name, { line: lineNo, state: 'vars', parents: [] });
        data.addGroup(name, at);
      }
      const p = pending.get(name);
      if (p && state !== 'vars') {
        if (p.state === 'children') addPendingChildren(name);
        else pending.delete(name);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(lineNo, `invalid section \`${line}\``, 'a section name has no spaces: [group], [group:children] or [group:vars]');
    }
    // `[web:children` or `[web`: a section header missing its `]` (a host range always closes its `[`).
    if (/^\[[^\s\]]+$/.test(line)) {
      fail(lineNo, `section header \`${line}\` is missing its closing \`]\``, `write it as \`${line}]\``);
    }
    if (state === 'hosts') {
      let tokens: string[];
      try {
        tokens = shlexSplit(line);
      } catch (e) {
        return fail(lineNo, `cannot parse host line: ${(e as Error).message.toLowerCase()}`, 'check the quotes on this line');
      }
      if (tokens.length === 0) return;
      const pattern = tokens[0];
      const expanded = expandHostPattern(pattern);
      if (typeof expanded === 'string') fail(lineNo, `bad host${pattern.includes('[') ? ' range in' : ''} \`${pattern}\`: ${expanded}`, 'ranges look like web[01:10], db-[a:f] or n[1:9:2]');
      const { names, port } = expanded as { names: string[]; port?: number };
      if (pattern.trim().endsWith(':') && port === undefined) fail(lineNo, `bad host \`${pattern}\`: a trailing \`:\` must be followed by a port`);
      if (names.some((n) => n.trim() === '---')) {
        fail(lineNo, '`---` in an INI inventory', 'this looks like a YAML file; give it a .yml/.yaml extension or no extension');
      }
      const vars: [string, unknown][] = [];
      for (const t of tokens.slice(1)) {
        const eq = t.indexOf('=');
        if (eq < 0) fail(lineNo, `expected key=value after the host name, got \`${t}\``, 'host variables are written key=value; quote values with spaces');
        vars.push([t.slice(0, eq), pythonLiteral(t.slice(eq + 1))]);
      }
      for (const name of names) {
        data.addHost(name, group, port, at);
        for (const [k, v] of vars) data.setHostVar(name, k, { value: v, ...at });
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) fail(lineNo, `expected key=value in [${group}:vars], got \`${line}\``);
      data.setGroupVar(group, line.slice(0, eq).trim(), { value: pythonLiteral(line.slice(eq + 1).trim()), ...at });
    } else {
      const cm = GROUP_NAME.exec(line);
      if (!cm) return fail(lineNo, `expected a group name in [${group}:children], got \`${line}\``);
      const child = cm[1];
      if (!data.groups.has(child)) {
        const p = pending.get(child);
        if (!p) pending.set(child, { line: lineNo, state: 'children', parents: [group] });
        else p.parents.push(group);
      } else data.addChild(group, child, at);
    }
  });

  for (const [name, p] of pending) {
    if (p.state === 'vars') fail(p.line, `section [${name}:vars] is for a group that is never defined`, `define [${name}] or [${name}:children], or remove the section`);
    fail(p.line, `[${p.parents[p.parents.length - 1]}:children] names \`${name}\`, a group that is never defined`, `add a [${name}] section (it may be empty)`);
  }
}
