// Ansible YAML inventories (all / hosts / children / vars), merged with ~/.ssh/config.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { BadInputError } from '../errors.js';
import { MAX_YAML_NESTING, yamlNestingTooDeep } from '../parser/frontmatter.js';
import { isSecretName } from '../secrets.js';
import type { Host, Inventory, JumpHost } from '../types.js';
import { expandHostRange, isValidGroupName, isValidHostName, splitHostKey } from './hostNames.js';
import { expandHome, loadSshConfig, parsePort, resolveJumpChain, type SshConfigFile } from './sshConfig.js';

export interface LoadInventoryOptions {
  /** ssh config file to apply; undefined: ~/.ssh/config when it exists; null: none. */
  readonly sshConfigFile?: string | null;
}

/** Inventory vars that say how to connect; they are not part of Host.vars. */
export const CONNECTION_VARS = [
  'ansible_host',
  'ansible_ssh_host',
  'ansible_port',
  'ansible_ssh_port',
  'ansible_user',
  'ansible_ssh_user',
  'ansible_ssh_private_key_file',
  'ansible_private_key_file',
  'ansible_connection',
  'ansible_ssh_common_args',
  'ansible_ssh_extra_args',
  'ansible_group_priority',
] as const;
const CONNECTION_SET = new Set<string>(CONNECTION_VARS);

/** The embedded default inventory: one host `local` on this machine, in group `all`. */
export function localInventory(): Inventory {
  const local: Host = { name: 'local', address: 'localhost', port: 22, connection: 'local', groups: ['all'], vars: {} };
  return { hosts: [local], groups: { all: ['local'] }, secretVars: [] };
}

interface VarEntry {
  readonly value: unknown;
  readonly line: number;
}

interface GroupInfo {
  readonly name: string;
  readonly parents: Set<string>;
  readonly vars: Map<string, VarEntry>;
}

interface HostInfo {
  readonly name: string;
  readonly line: number;
  readonly groups: Set<string>; // direct groups
  readonly vars: Map<string, VarEntry>;
  portFromKey?: { port: number; line: number };
}

const GROUP_KEYS = new Set(['hosts', 'children', 'vars']);

/** Reads the YAML AST keeping line numbers for every message. */
class InventoryReader {
  readonly groups = new Map<string, GroupInfo>();
  readonly hosts = new Map<string, HostInfo>();
  readonly secretVars = new Set<string>();

  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lc: LineCounter,
  ) {}

  line(node: unknown): number {
    const range = (node as Node | null)?.range;
    return range ? this.lc.linePos(range[0]).line : 1;
  }

  fail(message: string, node: unknown, hint?: string): never {
    throw new BadInputError(message, { file: this.file, line: this.line(node), hint });
  }

  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** A mapping node, or undefined for null/empty; anything else is an error. */
  mapping(node: unknown, what: string, at: unknown) {
    const n = this.resolve(node);
    if (n === null || n === undefined) return undefined;
    if (isScalar(n) && (n.value === null || n.value === undefined)) return undefined;
    if (isMap(n)) return n;
    const kind = isSeq(n) ? 'a list' : isScalar(n) ? `\`${String(n.value)}\`` : 'something else';
    return this.fail(`${what} must be a mapping, not ${kind}`, n ?? at, 'Ansible YAML inventories nest mappings: all: {hosts: {h1: }, children: {web: {hosts: ...}}, vars: {...}}');
  }

  keyText(key: unknown): string {
    const k = this.resolve(key);
    if (isScalar(k) && k.value !== null && typeof k.value !== 'object') return String(k.value);
    return this.fail('keys must be plain names', k);
  }

  group(name: string, at: unknown): GroupInfo {
    if (!isValidGroupName(name)) this.fail(`bad group name \`${name}\``, at, 'group names use letters, digits, _ and -');
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = { name, parents: new Set(), vars: new Map() }));
    return g;
  }

  readVars(node: unknown, into: Map<string, VarEntry>, what: string): void {
    const map = this.mapping(node, what, node);
    if (!map) return;
    for (const pair of map.items) {
      const name = this.keyText(pair.key);
      if (name === '<<') {
        this.mergeKey(pair.value, into, map.items.map((p) => this.keyText(p.key)));
        continue;
      }
      const valueNode = this.resolve(pair.value);
      let value: unknown = valueNode ? (valueNode as Node).toJS(this.doc) : null;
      const line = this.line(pair.key);
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const o = value as Record<string, unknown>;
        const keys = Object.keys(o);
        if (keys.length === 2 && 'value' in o && typeof o.secret === 'boolean') {
          if (o.secret) this.secretVars.add(name);
          value = o.value;
        }
      }
      if (isSecretName(name) && !CONNECTION_SET.has(name)) this.secretVars.add(name);
      into.set(name, { value, line });
    }
  }

  /** YAML merge key `<<: *defaults` in vars: merged mappings never override explicit keys. */
  mergeKey(node: unknown, into: Map<string, VarEntry>, explicit: string[]): void {
    const n = this.resolve(node);
    const sources = isSeq(n) ? n.items.map((i) => this.resolve(i)) : [n];
    for (const src of sources) {
      if (!isMap(src)) this.fail('a `<<` merge key needs a mapping (or a list of mappings)', src ?? node);
      const js = src.toJS(this.doc) as Record<string, unknown>;
      for (const [k, value] of Object.entries(js)) {
        if (explicit.includes(k)) continue;
        into.set(k, { value, line: this.line(src) });
        if (isSecretName(k) && !CONNECTION_SET.has(k)) this.secretVars.add(k);
      }
    }
  }

  readGroup(name: string, node: unknown, at: unknown, parent?: string): void {
    const g = this.group(name, at);
    if (parent !== undefined) g.parents.add(parent);
    const map = this.mapping(node, `group \`${name}\``, at);
    if (!map) return;
    for (const pair of map.items) {
      const key = this.keyText(pair.key);
      if (!GROUP_KEYS.has(key)) {
        this.fail(`unexpected key \`${key}\` in group \`${name}\``, pair.key, 'a group holds only hosts:, children: and vars:');
      }
      if (key === 'vars') this.readVars(pair.value, g.vars, `vars of group \`${name}\``);
      else if (key === 'hosts') this.readHosts(name, pair.value, pair.key);
      else {
        const children = this.mapping(pair.value, `children of group \`${name}\``, pair.key);
        for (const child of children?.items ?? []) this.readGroup(this.keyText(child.key), child.value, child.key, name);
      }
    }
  }

  readHosts(group: string, node: unknown, at: unknown): void {
    const map = this.mapping(node, `hosts of group \`${group}\``, at);
    for (const pair of map?.items ?? []) {
      const key = this.keyText(pair.key);
      const { name: pattern, port: portText } = splitHostKey(key);
      const names = expandHostRange(pattern);
      if (!names) this.fail(`bad host range in \`${key}\``, pair.key, 'ranges look like web[01:10] or db-[a:f] and expand to at most 10000 hosts');
      let portFromKey: number | undefined;
      if (portText !== undefined) {
        portFromKey = parsePort(portText);
        if (portFromKey === undefined) this.fail(`bad port in host \`${key}\``, pair.key, 'a port is a number from 1 to 65535');
      }
      for (const name of names) {
        if (!isValidHostName(name)) this.fail(`bad host name \`${name}\``, pair.key, 'host names cannot contain spaces or any of , : & ! * ? [ ] ~');
        let h = this.hosts.get(name);
        if (!h) this.hosts.set(name, (h = { name, line: this.line(pair.key), groups: new Set(), vars: new Map() }));
        h.groups.add(group);
        if (portFromKey !== undefined) h.portFromKey = { port: portFromKey, line: this.line(pair.key) };
        this.readVars(pair.value, h.vars, `vars of host \`${name}\``);
      }
    }
  }
}

/** Every ancestor of a group, itself included (cycle-safe). */
function ancestors(groups: Map<string, GroupInfo>, name: string): Set<string> {
  const out = new Set<string>();
  const stack = [name];
  while (stack.length) {
    const g = stack.pop() as string;
    if (out.has(g)) continue;
    out.add(g);
    for (const p of groups.get(g)?.parents ?? []) stack.push(p);
  }
  return out;
}

/** Longest distance from `all` (all = 0), cycle-safe. */
function depthOf(groups: Map<string, GroupInfo>, name: string, seen: Set<string> = new Set()): number {
  if (name === 'all' || seen.has(name)) return 0;
  const parents = [...(groups.get(name)?.parents ?? [])];
  if (parents.length === 0) return 1;
  const next = new Set(seen).add(name);
  return 1 + Math.max(...parents.map((p) => depthOf(groups, p, next)));
}

function stringVar(r: InventoryReader, vars: Map<string, VarEntry>, ...names: string[]): { value: string; line: number } | undefined {
  for (const n of names) {
    const e = vars.get(n);
    if (!e || e.value === null || e.value === undefined) continue;
    if (typeof e.value !== 'string' && typeof e.value !== 'number') {
      throw new BadInputError(`\`${n}\` must be a string`, { file: r.file, line: e.line });
    }
    return { value: String(e.value), line: e.line };
  }
  return undefined;
}

/** Split a shell-like argument string (quotes respected, no expansion). */
function shellWords(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\\.|[^\s"'\\]+)|(\s+)/g;
  let cur: string | undefined;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[4] !== undefined) {
      if (cur !== undefined) out.push(cur);
      cur = undefined;
      continue;
    }
    const part = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] !== undefined ? m[2] : m[3].replace(/\\(.)/g, '$1');
    cur = (cur ?? '') + part;
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

/** The ProxyJump value in ssh arguments (`-J x`, `-Jx`, `-o ProxyJump=x`, `-oProxyJump x`). */
export function proxyJumpFromSshArgs(args: string): string | undefined {
  const w = shellWords(args);
  for (let i = 0; i < w.length; i++) {
    const a = w[i];
    if (a === '-J') return w[i + 1];
    if (a.startsWith('-J')) return a.slice(2);
    let opt: string | undefined;
    if (a === '-o') opt = w[++i];
    else if (a.startsWith('-o')) opt = a.slice(2);
    if (opt === undefined) continue;
    const m = /^\s*proxyjump\s*(?:=\s*|\s+)(.*)$/i.exec(opt);
    if (m) return m[1] !== '' ? m[1] : w[i + 1];
    if (/^\s*proxyjump\s*$/i.test(opt)) return w[i + 1];
  }
  return undefined;
}

function buildHost(r: InventoryReader, h: HostInfo, groupOrder: string[], ssh: SshConfigFile | undefined): Host {
  // Groups: the host's direct groups and all their ancestors, in inventory order, `all` first.
  const member = new Set<string>(['all']);
  for (const g of h.groups) for (const a of ancestors(r.groups, g)) member.add(a);
  const groups = groupOrder.filter((g) => member.has(g));

  // Vars: group vars by depth (parents first), then ansible_group_priority, then name; host vars last.
  const priority = (g: string): number => {
    const p = r.groups.get(g)?.vars.get('ansible_group_priority')?.value;
    return typeof p === 'number' ? p : 1;
  };
  const varOrder = [...groups].sort((a, b) => depthOf(r.groups, a) - depthOf(r.groups, b) || priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0));
  const merged = new Map<string, VarEntry>();
  for (const g of varOrder) for (const [k, v] of r.groups.get(g)?.vars ?? []) merged.set(k, v);
  for (const [k, v] of h.vars) merged.set(k, v);

  const vars: Record<string, unknown> = {};
  for (const [k, v] of merged) if (!CONNECTION_SET.has(k)) vars[k] = v.value;

  // Connection settings: inventory ansible_* win over ~/.ssh/config.
  const connVar = stringVar(r, merged, 'ansible_connection');
  let connection: Host['connection'] = 'ssh';
  if (connVar) {
    if (connVar.value === 'local') connection = 'local';
    else if (!['ssh', 'smart', 'paramiko', 'paramiko_ssh'].includes(connVar.value)) {
      throw new BadInputError(`unsupported ansible_connection \`${connVar.value}\` for host \`${h.name}\``, {
        file: r.file,
        line: connVar.line,
        hint: 'use ssh (the default) or local',
      });
    }
  }
  const ansibleHost = stringVar(r, merged, 'ansible_host', 'ansible_ssh_host')?.value;
  const userVar = stringVar(r, merged, 'ansible_user', 'ansible_ssh_user')?.value;
  const portEntry = merged.get('ansible_port') ?? merged.get('ansible_ssh_port');
  let port: number | undefined;
  if (portEntry && portEntry.value !== null) {
    port = parsePort(portEntry.value);
    if (port === undefined) {
      throw new BadInputError(`bad ansible_port \`${String(portEntry.value)}\` for host \`${h.name}\``, {
        file: r.file,
        line: portEntry.line,
        hint: 'a port is a number from 1 to 65535',
      });
    }
  }
  port ??= h.portFromKey?.port;
  const keyVar = stringVar(r, merged, 'ansible_ssh_private_key_file', 'ansible_private_key_file')?.value;
  const keyFile = keyVar === undefined ? undefined : path.resolve(path.dirname(r.file), expandHome(keyVar));
  const argsVar = stringVar(r, merged, 'ansible_ssh_common_args') ?? stringVar(r, merged, 'ansible_ssh_extra_args');
  const jumpSpec = argsVar ? proxyJumpFromSshArgs(argsVar.value) : undefined;

  if (connection === 'local') {
    return { name: h.name, address: ansibleHost ?? 'localhost', port: port ?? 22, ...(userVar ? { user: userVar } : {}), connection, groups, vars };
  }

  // ~/.ssh/config: looked up by ansible_host when set, gaps filled from the inventory name.
  const alias = ansibleHost ?? h.name;
  const s1 = ssh?.lookup(alias) ?? {};
  const s2 = ssh && alias !== h.name ? ssh.lookup(h.name) : {};
  // ansible_host may itself be an ssh config alias: its HostName applies, as when ssh is given it.
  const address = s1.hostName ?? ansibleHost ?? s2.hostName ?? h.name;
  const user = userVar ?? s1.user ?? s2.user;
  const privateKeyFile = keyFile ?? s1.identityFile ?? s2.identityFile;
  const where = { file: r.file, line: argsVar?.line };
  const proxy = jumpSpec ?? s1.proxyJump ?? s2.proxyJump;
  const jump: JumpHost[] | undefined = proxy ? resolveJumpChain(ssh, proxy, where, new Set([alias])) : undefined;
  return {
    name: h.name,
    address,
    port: port ?? s1.port ?? s2.port ?? 22,
    ...(user !== undefined ? { user } : {}),
    ...(privateKeyFile !== undefined ? { privateKeyFile } : {}),
    connection,
    ...(jump && jump.length ? { jump } : {}),
    groups,
    vars,
  };
}

/** Parse inventory text (the file name is for messages and relative key paths). */
export function parseInventory(text: string, file: string, ssh?: SshConfigFile): Inventory {
  const deep = yamlNestingTooDeep(text);
  if (deep !== undefined) {
    throw new BadInputError(`inventory nests [ and { more than ${MAX_YAML_NESTING} levels deep`, { file, line: deep, hint: 'only the Ansible YAML inventory format is supported (all: / hosts: / children: / vars:)' });
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // yaml may point at the whitespace before the offending token: report the token's line.
    let at = e.pos[0];
    while (at < text.length && /\s/.test(text[at])) at++;
    const line = lc.linePos(at < text.length ? at : e.pos[0]).line;
    throw new BadInputError(`bad YAML in inventory: ${e.message.split('\n')[0]}`, {
      file,
      line,
      hint: 'only the Ansible YAML inventory format is supported (all: / hosts: / children: / vars:)',
    });
  }
  const r = new InventoryReader(file, doc, lc);
  const root = r.mapping(doc.contents, 'the inventory', doc.contents);
  r.group('all', doc.contents);
  for (const pair of root?.items ?? []) {
    const name = r.keyText(pair.key);
    r.readGroup(name, pair.value, pair.key, name === 'all' ? undefined : 'all');
  }
  // Groups named under no parent hang under `all`; `all` itself has none.
  for (const g of r.groups.values()) {
    g.parents.delete(g.name);
    if (g.name !== 'all' && g.parents.size === 0) g.parents.add('all');
  }
  r.groups.get('all')?.parents.clear();
  if (!r.groups.has('ungrouped')) r.groups.set('ungrouped', { name: 'ungrouped', parents: new Set(['all']), vars: new Map() });
  for (const h of r.hosts.values()) {
    const real = [...h.groups].filter((g) => g !== 'all' && g !== 'ungrouped');
    if (real.length === 0) h.groups.add('ungrouped');
  }

  const groupOrder = ['all', ...[...r.groups.keys()].filter((g) => g !== 'all')];
  const hosts = [...r.hosts.values()].map((h) => buildHost(r, h, groupOrder, ssh));
  const groups: Record<string, string[]> = {};
  for (const g of groupOrder) groups[g] = hosts.filter((h) => h.groups.includes(g)).map((h) => h.name);
  return { file, hosts, groups, secretVars: [...r.secretVars] };
}

/**
 * Load an Ansible YAML inventory. Hosts get their ~/.ssh/config settings (see LoadInventoryOptions),
 * with the inventory's ansible_* values winning. Bad input throws BadInputError with file and line.
 */
export async function loadInventory(file: string, opts: LoadInventoryOptions = {}): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadInputError(code === 'ENOENT' ? 'inventory file not found' : `cannot read inventory: ${code ?? (e as Error).message}`, {
      file,
      hint: 'check the --inventory path (or the front matter `inventory:`)',
    });
  }
  const ssh = await loadSshConfig(opts.sshConfigFile);
  return parseInventory(text, file, ssh);
}
