// Ansible inventories as Ansible reads them: sources (files, directories, `h1,h2,` lists, several
// -i), INI or YAML picked as Ansible picks, group_vars/ and host_vars/, Ansible's variable precedence
// and group order, then each host's connection (inventory ansible_* over ~/.ssh/config).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../errors.js';
import { yamlNestingTooDeep } from '../parser/frontmatter.js';
import { isSecretName } from '../secrets.js';
import type { Inventory } from '../types.js';
import { buildHost, CONNECTION_VARS } from './connection.js';
import { parseIniInventory } from './iniInventory.js';
import { InventoryData, type VarEntry } from './inventoryData.js';
import { expandHostPattern } from './hostNames.js';
import { loadSshConfig, type SshConfigFile } from './sshConfig.js';
import { VarsFileCache } from './varsFiles.js';
import { parseYamlDocument, parseYamlInventory, pluginRefusal, yamlInventoryDocument } from './yamlInventory.js';
import { nameList } from '../nameList.js';

export { CONNECTION_VARS } from './connection.js';
export { proxyJumpFromSshArgs } from './sshArgs.js';

export interface LoadInventoryOptions {
  /** ssh config file to apply; undefined: ~/.ssh/config when it exists; null: none. */
  readonly sshConfigFile?: string | null;
}

/** The embedded default inventory: one host `local` on this machine, in group `all`. */
export function localInventory(): Inventory {
  return {
    hosts: [{ name: 'local', address: 'localhost', port: 22, connection: 'local', groups: ['all'], vars: {} }],
    groups: { all: ['local'] },
    secretVars: [],
  };
}

/** File names Ansible skips in an inventory directory (INVENTORY_IGNORE_EXTS and the always-ignored). */
const IGNORED_ALWAYS = /^\.|^host_vars$|^group_vars$|^vars_plugins$/;
const IGNORED_EXTS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];
/** Extensions Ansible's YAML inventory plugin accepts (besides none). */
const YAML_EXTS = ['.yaml', '.yml', '.json'];

interface ReadState {
  readonly data: InventoryData;
  readonly secretVars: Set<string>;
  /** Directories whose group_vars/ and host_vars/ apply, in source order. */
  readonly varsDirs: string[];
  readonly warnings: string[];
  readonly files: string[];
  /** Hosts first read from an `-i h1,h2,` list: that list (Ansible's inventory_file for them). */
  readonly listSource: Map<string, string>;
}

/** Read one inventory file's text into the state (format chosen as Ansible chooses it). */
function readInventoryText(text: string, file: string, st: ReadState): void {
  if (text.startsWith('#!')) {
    throw new BadInputError('this inventory is a script (it starts with #!), a dynamic inventory that runbook does not run', {
      file,
      line: 1,
      hint: `write it out once with Ansible and use the result: ansible-inventory -i ${file} --list -y > inventory.yaml`,
    });
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.toml') {
    throw new BadInputError('TOML inventories are not read', { file, hint: `convert it once: ansible-inventory -i ${file} --list -y > inventory.yaml` });
  }
  if (ext === '' || YAML_EXTS.includes(ext)) {
    if (yamlNestingTooDeep(text) !== undefined) parseYamlDocument(text, file, 'inventory', 'only the Ansible YAML and INI inventory formats are read');
    const yaml = yamlInventoryDocument(text, file);
    if (yaml) {
      // Parsed once: the document that said it is a YAML inventory is the one read.
      for (const s of parseYamlInventory(text, file, st.data, yaml)) st.secretVars.add(s);
      return;
    }
    const iniSection = /^\s*\[[^\]\s]+\]\s*(?:[#;].*)?$/m.test(text);
    const looksYaml = !iniSection && (YAML_EXTS.includes(ext) || /^[\w.-]+:\s*(?:#.*)?$/m.test(text));
    if (looksYaml && text.trim() !== '') {
      // Not a usable YAML mapping but written as YAML: report the YAML problem, not an INI one.
      const { doc } = parseYamlDocument(text, file, 'inventory', 'only the Ansible YAML and INI inventory formats are read');
      if (doc.contents !== null) {
        throw new BadInputError('a YAML inventory must be a mapping of group names (all:, ...)', { file, line: 1, hint: 'Ansible YAML inventories nest mappings: all: {hosts: {h1: }, children: {web: {hosts: ...}}, vars: {...}}' });
      }
      return;
    }
  }
  parseIniInventory(text, file, st.data);
}

function readFileSource(file: string, st: ReadState): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadInputError(code === 'ENOENT' ? 'inventory file not found' : `cannot read inventory: ${code ?? (e as Error).message}`, {
      file,
      hint: 'check the --inventory path (or the front matter `inventory:`)',
    });
  }
  st.files.push(file);
  readInventoryText(text, file, st);
}

function readDirSource(dir: string, st: ReadState): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new BadInputError(`cannot read inventory directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: dir });
  }
  for (const n of names) {
    if (IGNORED_ALWAYS.test(n)) continue;
    const full = path.join(dir, n);
    if (IGNORED_EXTS.some((x) => n.endsWith(x))) {
      if (n.endsWith('.ini') || n.endsWith('.cfg')) {
        st.warnings.push(`${full}: skipped, as Ansible skips *${path.extname(n)} files in an inventory directory (name the file with -i to read it)`);
      }
      continue;
    }
    let isDir: boolean;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      continue; // dangling link
    }
    if (isDir) readDirSource(full, st);
    else readFileSource(full, st);
  }
}

/** `-i h1,h2:2222,` (Ansible's host_list plugin): hosts in `ungrouped`. */
function readHostList(list: string, st: ReadState): void {
  for (const raw of list.split(',')) {
    const h = raw.trim();
    if (!h) continue;
    const parsed = expandHostPattern(h);
    const name = typeof parsed === 'string' || parsed.names.length !== 1 || h.includes('[') ? h : parsed.names[0];
    const port = typeof parsed === 'string' || h.includes('[') ? undefined : parsed.port;
    if (!st.data.hosts.has(name)) {
      st.data.addHost(name, 'ungrouped', port, { file: '-i', line: 0 });
      st.listSource.set(name, list);
    }
  }
}

function existsPath(p: string): 'file' | 'dir' | undefined {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

function readSource(source: string, st: ReadState): void {
  const kind = existsPath(source);
  if (kind === undefined && source.includes(',')) {
    readHostList(source, st);
    return;
  }
  const abs = path.resolve(source);
  if (kind === 'dir') {
    st.varsDirs.push(abs);
    readDirSource(abs, st);
  } else {
    st.varsDirs.push(path.dirname(abs));
    readFileSource(abs, st);
  }
}

/** Ansible's VariableManager order for a host's inventory vars, with file and line for each. */
function mergedVars(data: InventoryData, name: string, varsDirs: readonly string[], cache: VarsFileCache, secretVars: Set<string>): Map<string, VarEntry> {
  const out = new Map<string, VarEntry>();
  const put = (m: Map<string, VarEntry> | undefined): void => {
    for (const [k, v] of m ?? []) out.set(k, v);
  };
  const groups = data.sortGroups([...data.hostGroups(name)].filter((g) => g !== 'all'));
  put(data.groups.get('all')?.vars); // all_inventory
  for (const g of groups) put(data.groups.get(g)?.vars); // groups_inventory
  for (const d of varsDirs) put(cache.varsFor(d, 'group_vars', 'all', secretVars)); // all_plugins_inventory
  for (const d of varsDirs) for (const g of groups) put(cache.varsFor(d, 'group_vars', g, secretVars)); // groups_plugins_inventory
  put(data.hosts.get(name)?.vars); // host vars from the inventory
  for (const d of varsDirs) put(cache.varsFor(d, 'host_vars', name, secretVars)); // host_vars/
  return out;
}

/** Build the Inventory from everything read. */
function finish(st: ReadState, ssh: SshConfigFile | undefined, file: string | undefined): Inventory {
  const { data } = st;
  data.reconcile();
  const cache = new VarsFileCache();
  const varsDirs = [...new Set(st.varsDirs)];
  const groupOrder = [...data.groups.keys()];
  const hostvars: Record<string, Record<string, unknown>> = {};
  const unsupported = new Map<string, Set<string>>();
  const hosts = [...data.hosts.values()].map((h) => {
    const merged = mergedVars(data, h.name, varsDirs, cache, st.secretVars);
    const plain: Record<string, unknown> = {};
    for (const [k, v] of merged) plain[k] = v.value;
    hostvars[h.name] = plain;
    const member = data.hostGroups(h.name);
    member.add('all');
    // Ansible's inventory_file / inventory_dir: the source the host was first read from.
    const list = st.listSource.get(h.name);
    const origin = list !== undefined ? { inventoryFile: list, inventoryDir: 'None' } : { inventoryFile: path.resolve(h.at.file), inventoryDir: path.dirname(path.resolve(h.at.file)) };
    const host = buildHost({ name: h.name, merged, groups: groupOrder.filter((g) => member.has(g)), ssh, baseDir: file ? path.dirname(file) : process.cwd(), warnings: st.warnings, origin, unsupported });
    return { ...host, ...origin };
  });
  if (unsupported.size) st.warnings.push(unsupportedWarning(ssh?.file, unsupported));
  // Vars files may define groups' vars for groups the inventory never names: Ansible ignores them too.
  for (const h of Object.values(hostvars)) for (const k of Object.keys(h)) if (isSecretName(k) && !CONNECTION_VARS.includes(k as (typeof CONNECTION_VARS)[number])) st.secretVars.add(k);
  const groups: Record<string, string[]> = {};
  const tree: Record<string, { hosts: string[]; children: string[] }> = {};
  for (const g of groupOrder) {
    groups[g] = data.groupHosts(g);
    const node = data.groups.get(g)!;
    tree[g] = { hosts: [...node.hosts], children: [...node.children] };
  }
  return {
    file,
    ...(st.files.length > 1 || varsDirs.length > 1 ? { sources: st.files } : {}),
    hosts,
    groups,
    secretVars: [...st.secretVars],
    ansible: { hostvars, tree },
    ...(st.warnings.length ? { warnings: [...new Set(st.warnings)] } : {}),
  };
}

/** One warning for the whole run: each ssh config directive runbook does not apply, with the hosts it is set for. */
function unsupportedWarning(file: string | undefined, unsupported: Map<string, Set<string>>): string {
  const list = (hosts: Set<string>): string => nameList([...hosts], 3);
  const items = [...unsupported].map(([d, hosts]) => `${d} (${list(hosts)})`);
  return `${file}: ssh config directives runbook does not apply (they change where or how ssh connects; runbook connects without them): ${items.join('; ')}`;
}

function newState(): ReadState {
  return { data: new InventoryData(), secretVars: new Set(), varsDirs: [], warnings: [], files: [], listSource: new Map() };
}

/** Parse one inventory's text (INI or YAML); the file name is for messages, relative key paths and group_vars/. */
export function parseInventory(text: string, file: string, ssh?: SshConfigFile): Inventory {
  const st = newState();
  st.varsDirs.push(path.dirname(path.resolve(file)));
  st.files.push(file);
  readInventoryText(text, file, st);
  return finish(st, ssh, file);
}

/**
 * Load Ansible inventory sources (a file, a directory, an `h1,h2,` list, or several of them merged
 * in order, as `ansible -i A -i B`). Hosts get their ~/.ssh/config settings (see LoadInventoryOptions),
 * with the inventory's ansible_* values winning. Bad input throws BadInputError with file and line.
 */
export async function loadInventory(sources: string | readonly string[], opts: LoadInventoryOptions = {}): Promise<Inventory> {
  const list = typeof sources === 'string' ? [sources] : [...sources];
  const st = newState();
  for (const s of list) readSource(s, st);
  const ssh = await loadSshConfig(opts.sshConfigFile);
  const first = list.find((s) => existsPath(s) !== undefined || !s.includes(','));
  return finish(st, ssh, first === undefined ? list[0] : path.resolve(first));
}

export { pluginRefusal };
