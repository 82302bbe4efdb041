// Ansible's YAML inventory layout (all / hosts / children / vars), read into InventoryData, and the
// YAML vars files of group_vars/ and host_vars/. Every value keeps its file and line for messages.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { BadInputError } from '../errors.js';
import { MAX_YAML_NESTING, yamlNestingTooDeep } from '../parser/frontmatter.js';
import { isSecretName } from '../secrets.js';
import { expandHostPattern, isValidGroupName, isValidHostName } from './hostNames.js';
import type { InventoryData, VarEntry } from './inventoryData.js';

const GROUP_KEYS = new Set(['hosts', 'children', 'vars']);
const FORMAT_HINT = 'Ansible YAML inventories nest mappings: all: {hosts: {h1: }, children: {web: {hosts: ...}}, vars: {...}}';

/** Names of inventory vars that never count as secrets by name (they say how to connect). */
const NOT_SECRET = new Set(['ansible_ssh_private_key_file', 'ansible_private_key_file', 'ansible_ssh_common_args', 'ansible_ssh_extra_args']);

/** Parsed YAML with line numbers; bad YAML throws BadInputError naming the line. */
export function parseYamlDocument(text: string, file: string, what: string, hint: string): { doc: Document; lc: LineCounter } {
  const deep = yamlNestingTooDeep(text);
  if (deep !== undefined) throw new BadInputError(`${what} nests [ and { more than ${MAX_YAML_NESTING} levels deep`, { file, line: deep, hint });
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, customTags: [{ tag: '!vault', resolve: (s: string) => s }, { tag: '!unsafe', resolve: (s: string) => s }] });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    // yaml may point at the whitespace before the offending token: report the token's line.
    let at = e.pos[0];
    while (at < text.length && /\s/.test(text[at])) at++;
    const line = lc.linePos(at < text.length ? at : e.pos[0]).line;
    throw new BadInputError(`bad YAML in ${what}: ${e.message.split('\n')[0]}`, { file, line, hint });
  }
  return { doc, lc };
}

/** Reads YAML nodes keeping line numbers for every message. */
export class YamlReader {
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
  mapping(node: unknown, what: string, at: unknown, hint = FORMAT_HINT) {
    const n = this.resolve(node);
    if (n === null || n === undefined) return undefined;
    if (isScalar(n) && (n.value === null || n.value === undefined)) return undefined;
    if (isMap(n)) return n;
    const kind = isSeq(n) ? 'a list' : isScalar(n) ? `\`${String(n.value)}\`` : 'something else';
    return this.fail(`${what} must be a mapping, not ${kind}`, n ?? at, hint);
  }

  keyText(key: unknown): string {
    const k = this.resolve(key);
    if (isScalar(k) && k.value !== null && typeof k.value !== 'object') return String(k.value);
    return this.fail('keys must be plain names', k);
  }

  /** Refuse `!vault` anywhere under a node: runbook cannot decrypt it. */
  checkVault(node: unknown, name: string): void {
    const n = this.resolve(node) as Node | null;
    if (!n) return;
    if ((n as { tag?: string }).tag === '!vault') {
      this.fail(`\`${name}\` is an Ansible Vault value (!vault), which runbook cannot decrypt`, n, `decrypt it first (ansible-vault decrypt), or leave it out and pass it with --var ${name}=... or a secret source`);
    }
    if (isMap(n)) for (const p of n.items) this.checkVault(p.value, name);
    else if (isSeq(n)) for (const i of n.items) this.checkVault(i, name);
  }

  /** A vars mapping into `into` (name -> value, file, line); `{value, secret: true}` unwraps and marks secret. */
  readVars(node: unknown, into: Map<string, VarEntry>, what: string, hint?: string): void {
    const map = this.mapping(node, what, node, hint);
    if (!map) return;
    for (const pair of map.items) {
      const name = this.keyText(pair.key);
      if (name === '<<') {
        this.mergeKey(pair.value, into, map.items.map((p) => this.keyText(p.key)));
        continue;
      }
      this.checkVault(pair.value, name);
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
      if (isSecretName(name) && !NOT_SECRET.has(name)) this.secretVars.add(name);
      into.set(name, { value, file: this.file, line });
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
        into.set(k, { value, file: this.file, line: this.line(src) });
        if (isSecretName(k) && !NOT_SECRET.has(k)) this.secretVars.add(k);
      }
    }
  }
}

/** Reads the YAML inventory layout into InventoryData, in Ansible's order. */
class InventoryYamlReader extends YamlReader {
  constructor(
    file: string,
    doc: Document,
    lc: LineCounter,
    readonly data: InventoryData,
  ) {
    super(file, doc, lc);
  }

  readGroup(name: string, node: unknown, at: unknown): void {
    if (!isValidGroupName(name)) this.fail(`bad group name \`${name}\``, at, 'group names use letters, digits, _ and -');
    this.data.addGroup(name, { file: this.file, line: this.line(at) });
    const map = this.mapping(node, `group \`${name}\``, at);
    if (!map) return;
    for (const pair of map.items) {
      const key = this.keyText(pair.key);
      if (!GROUP_KEYS.has(key)) {
        this.fail(`unexpected key \`${key}\` in group \`${name}\``, pair.key, 'a group holds only hosts:, children: and vars:');
      }
      if (key === 'vars') {
        const vars = new Map<string, VarEntry>();
        this.readVars(pair.value, vars, `vars of group \`${name}\``);
        for (const [k, e] of vars) this.data.setGroupVar(name, k, e);
      } else if (key === 'hosts') this.readHosts(name, pair.value, pair.key);
      else {
        const children = this.mapping(pair.value, `children of group \`${name}\``, pair.key);
        for (const child of children?.items ?? []) {
          const childName = this.keyText(child.key);
          this.readGroup(childName, child.value, child.key);
          this.data.addChild(name, childName, { file: this.file, line: this.line(child.key) });
        }
      }
    }
  }

  readHosts(group: string, node: unknown, at: unknown): void {
    const n = this.resolve(node);
    // Ansible reads `hosts: name` as `hosts: {name: }`.
    if (isScalar(n) && n.value !== null && n.value !== undefined && typeof n.value === 'string') {
      this.addHosts(group, n.value, null, n);
      return;
    }
    const map = this.mapping(node, `hosts of group \`${group}\``, at);
    for (const pair of map?.items ?? []) {
      const k = this.resolve(pair.key);
      if (!isScalar(k) || typeof k.value !== 'string') {
        this.fail(`host name \`${String(isScalar(k) ? k.value : '?')}\` must be a string`, pair.key, 'quote host names that look like numbers');
      }
      this.addHosts(group, k.value as string, pair.value, pair.key);
    }
  }

  addHosts(group: string, key: string, value: unknown, at: unknown): void {
    const expanded = expandHostPattern(key);
    if (typeof expanded === 'string') this.fail(`bad host${key.includes('[') ? ' range in' : ''} \`${key}\`: ${expanded}`, at, 'ranges look like web[01:10], db-[a:f] or n[1:9:2]');
    const vars = new Map<string, VarEntry>();
    this.readVars(value, vars, `vars of host \`${key}\``);
    const where = { file: this.file, line: this.line(at) };
    for (const name of expanded.names) {
      if (!isValidHostName(name)) this.fail(`bad host name \`${name}\``, at, 'host names cannot contain spaces or any of , & ! * ? [ ] ~');
      this.data.addHost(name, group, expanded.port, where);
      for (const [k, e] of vars) this.data.setHostVar(name, k, e);
    }
  }
}

/** Refusal for a YAML file that configures an inventory plugin instead of listing hosts. */
export function pluginRefusal(plugin: string, file: string, line: number): BadInputError {
  return new BadInputError(`\`plugin: ${plugin}\` is a dynamic inventory, which runbook does not run`, {
    file,
    line,
    hint: `write it out once with Ansible and use the result: ansible-inventory -i ${file} --list -y > inventory.yaml`,
  });
}

/** The parsed document if the text is a YAML mapping (Ansible's YAML plugin accepts it), else undefined. */
export function yamlInventoryDocument(text: string, file: string): { doc: Document; lc: LineCounter } | undefined {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, customTags: [{ tag: '!vault', resolve: (s: string) => s }, { tag: '!unsafe', resolve: (s: string) => s }] });
  } catch {
    return undefined;
  }
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  return { doc, lc };
}

/**
 * Read an Ansible YAML inventory into `data`. Returns the names of vars that hold secrets.
 * `parsed`: the text's document from yamlInventoryDocument (the same parse), not parsed again.
 */
export function parseYamlInventory(text: string, file: string, data: InventoryData, parsed?: { doc: Document; lc: LineCounter }): Set<string> {
  const { doc, lc } = parsed ?? parseYamlDocument(text, file, 'inventory', 'only the Ansible YAML inventory format is supported (all: / hosts: / children: / vars:)');
  const r = new InventoryYamlReader(file, doc, lc, data);
  const root = r.mapping(doc.contents, 'the inventory', doc.contents);
  for (const pair of root?.items ?? []) {
    const name = r.keyText(pair.key);
    if (name === 'plugin') {
      const v = r.resolve(pair.value);
      throw pluginRefusal(isScalar(v) ? String(v.value) : '?', file, r.line(pair.key));
    }
  }
  for (const pair of root?.items ?? []) r.readGroup(r.keyText(pair.key), pair.value, pair.key);
  return r.secretVars;
}
