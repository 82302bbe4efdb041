// group_vars/ and host_vars/ beside an inventory source, found as Ansible's host_group_vars plugin
// finds them: NAME, NAME.yml, NAME.yaml or NAME.json (the first that exists), or a directory NAME/
// whose files (no extension or one of those, hidden and `~` backups skipped) are read in name order.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../errors.js';
import type { VarEntry } from './inventoryData.js';
import { parseYamlDocument, YamlReader } from './yamlInventory.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

// A missing file is the common case (most hosts have no host_vars): no exception for it, whose
// Error and stack cost more than the stat itself (200 hosts: ~100 ms).
function isDir(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

function dirFiles(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new BadInputError(`cannot read directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: dir });
  }
  for (const n of names) {
    if (n.startsWith('.') || n.endsWith('~')) continue;
    const ext = path.extname(n);
    const full = path.join(dir, n);
    if (isDir(full)) {
      if (!ext) out.push(...dirFiles(full));
    } else if (!ext || EXTENSIONS.includes(ext)) out.push(full);
  }
  return out;
}

/** The vars files for one group or host name under `dir` (group_vars or host_vars), in load order. */
export function findVarsFiles(dir: string, name: string): string[] {
  if (name.startsWith('/')) return [];
  for (const ext of EXTENSIONS) {
    const full = path.join(dir, name + ext);
    if (!exists(full)) continue;
    return isDir(full) ? dirFiles(full) : [full];
  }
  return [];
}

export interface VarsFileContent {
  readonly vars: Map<string, VarEntry>;
  readonly secretVars: Set<string>;
}

/** Reads and caches vars files; a bad one throws BadInputError naming its file and line. */
export class VarsFileCache {
  private readonly files = new Map<string, VarsFileContent>();
  /** `<base>/<kind>` -> its real path, or null when it is not a directory (looked up once per load). */
  private readonly dirs = new Map<string, string | null>();

  load(file: string): VarsFileContent {
    const hit = this.files.get(file);
    if (hit) return hit;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new BadInputError(`cannot read vars file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
        file,
        hint: 'group_vars/ and host_vars/ files must be readable by the user running runbook',
      });
    }
    const hint = 'a group_vars/host_vars file is a YAML (or JSON) mapping of variable names to values';
    const { doc, lc } = parseYamlDocument(text, file, 'vars file', hint);
    const r = new YamlReader(file, doc, lc);
    const vars = new Map<string, VarEntry>();
    r.readVars(doc.contents, vars, 'a vars file', hint);
    const out = { vars, secretVars: r.secretVars };
    this.files.set(file, out);
    return out;
  }

  /** Merged vars of `name` from `<base>/<kind>/`, later files over earlier ones. */
  varsFor(base: string, kind: 'group_vars' | 'host_vars', name: string, secretVars: Set<string>): Map<string, VarEntry> {
    const out = new Map<string, VarEntry>();
    const dir = this.varsDir(base, kind);
    if (dir === null) return out;
    for (const f of findVarsFiles(dir, name)) {
      const c = this.load(f);
      for (const [k, v] of c.vars) out.set(k, v);
      for (const s of c.secretVars) secretVars.add(s);
    }
    return out;
  }

  private varsDir(base: string, kind: 'group_vars' | 'host_vars'): string | null {
    const key = path.join(base, kind);
    let dir = this.dirs.get(key);
    if (dir === undefined) {
      dir = null;
      if (isDir(key)) {
        try {
          dir = realpathSync(key);
        } catch {
          dir = null;
        }
      }
      this.dirs.set(key, dir);
    }
    return dir;
  }
}
