// The inventory as Ansible builds it (ansible/inventory/data.py): groups with ordered hosts and
// children, hosts with their vars, `all` and `ungrouped`, reconciled after every source is read.
// Both the INI and the YAML readers fill one of these, so both read the way Ansible does.
import { BadInputError } from '../errors.js';

/** Where something was written: file and 1-based line. */
export interface At {
  readonly file: string;
  readonly line: number;
}

export interface VarEntry extends At {
  readonly value: unknown;
}

export interface GroupNode {
  readonly name: string;
  /** Hosts added directly to this group, in the order they were added. */
  readonly hosts: string[];
  /** Child groups, in the order they were added. */
  readonly children: string[];
  readonly parents: string[];
  readonly vars: Map<string, VarEntry>;
  /** ansible_group_priority set in the inventory source (default 1). */
  priority: number;
  readonly at?: At;
}

export interface HostNode {
  readonly name: string;
  readonly vars: Map<string, VarEntry>;
  /** Groups the host was added to directly, in order. */
  readonly direct: string[];
  readonly at: At;
}

export class InventoryData {
  readonly groups = new Map<string, GroupNode>();
  readonly hosts = new Map<string, HostNode>();

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  addGroup(name: string, at?: At): GroupNode {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = { name, hosts: [], children: [], parents: [], vars: new Map(), priority: 1, at }));
    return g;
  }

  /** Adds a host (first declaration fixes its `name:port` port, as Ansible's Host(name, port)). */
  addHost(name: string, group: string | undefined, port: number | undefined, at: At): HostNode {
    let h = this.hosts.get(name);
    if (!h) {
      this.hosts.set(name, (h = { name, vars: new Map(), direct: [], at }));
      if (port !== undefined) h.vars.set('ansible_port', { value: port, ...at });
    }
    if (group !== undefined) {
      const g = this.groups.get(group) ?? this.addGroup(group, at);
      if (!g.hosts.includes(name)) {
        g.hosts.push(name);
        h.direct.push(group);
      }
    }
    return h;
  }

  /** Ansible's Group.add_child_group, with its loop check. */
  addChild(parent: string, child: string, at?: At): void {
    const p = this.groups.get(parent) ?? this.addGroup(parent, at);
    const c = this.groups.get(child) ?? this.addGroup(child, at);
    if (parent === child) {
      throw new BadInputError(`group \`${child}\` cannot be a child of itself`, { file: at?.file, line: at?.line });
    }
    if (p.children.includes(child)) return;
    if (this.ancestors(parent).has(child)) {
      throw new BadInputError(`adding group \`${child}\` as child to \`${parent}\` creates a loop`, {
        file: at?.file,
        line: at?.line,
        hint: 'a group cannot be its own ancestor',
      });
    }
    p.children.push(child);
    if (!c.parents.includes(parent)) c.parents.push(parent);
  }

  setGroupVar(group: string, key: string, entry: VarEntry): void {
    const g = this.groups.get(group) ?? this.addGroup(group, entry);
    // As Ansible's Group.set_variable: the priority is a property of the group, not a var.
    if (key !== 'ansible_group_priority') g.vars.set(key, entry);
    else {
      const n = typeof entry.value === 'number' ? entry.value : typeof entry.value === 'string' && /^\s*-?\d+\s*$/.test(entry.value) ? Number(entry.value) : NaN;
      if (!Number.isInteger(n)) {
        throw new BadInputError(`ansible_group_priority of group \`${group}\` must be a whole number, not \`${String(entry.value)}\``, { file: entry.file, line: entry.line });
      }
      g.priority = n;
    }
  }

  setHostVar(host: string, key: string, entry: VarEntry): void {
    this.hosts.get(host)?.vars.set(key, entry);
  }

  /** Every ancestor group (itself excluded). */
  ancestors(group: string): Set<string> {
    const out = new Set<string>();
    const stack = [...(this.groups.get(group)?.parents ?? [])];
    while (stack.length) {
      const g = stack.pop() as string;
      if (out.has(g)) continue;
      out.add(g);
      stack.push(...(this.groups.get(g)?.parents ?? []));
    }
    return out;
  }

  /** Ansible's reconcile_inventory: orphan groups under `all`, group-less hosts in `ungrouped`. */
  reconcile(): void {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name);
    }
    const ungrouped = this.groups.get('ungrouped') as GroupNode;
    for (const h of this.hosts.values()) {
      const groups = this.hostGroups(h.name);
      if (groups.has('ungrouped')) {
        const others = [...groups].filter((g) => g !== 'all' && g !== 'ungrouped');
        if (others.length > 0) {
          const i = ungrouped.hosts.indexOf(h.name);
          if (i >= 0) ungrouped.hosts.splice(i, 1);
          h.direct.splice(h.direct.indexOf('ungrouped'), 1);
        }
      } else if ([...groups].every((g) => g === 'all')) {
        this.addHost(h.name, 'ungrouped', undefined, h.at);
      }
    }
  }

  /** The host's groups: its direct groups and all their ancestors. */
  hostGroups(host: string): Set<string> {
    const out = new Set<string>();
    for (const g of this.hosts.get(host)?.direct ?? []) {
      out.add(g);
      for (const a of this.ancestors(g)) out.add(a);
    }
    return out;
  }

  /** Longest path from `all` (all = 0), as Ansible's Group.depth. */
  depth(group: string, seen: Set<string> = new Set()): number {
    if (group === 'all' || seen.has(group)) return 0;
    const parents = this.groups.get(group)?.parents ?? [];
    if (parents.length === 0) return 0;
    const next = new Set(seen).add(group);
    return 1 + Math.max(...parents.map((p) => this.depth(p, next)));
  }

  /** Ansible's sort_groups: by depth, then ansible_group_priority, then name. */
  sortGroups(names: Iterable<string>): string[] {
    const key = (g: string): [number, number, string] => [this.depth(g), this.groups.get(g)?.priority ?? 1, g];
    return [...names].sort((a, b) => {
      const [da, pa, na] = key(a);
      const [db, pb, nb] = key(b);
      return da - db || pa - pb || (na < nb ? -1 : na > nb ? 1 : 0);
    });
  }

  /**
   * Ansible's Group.get_hosts(): the group's own hosts, then its children's, breadth first
   * (the group itself, its children in order, then their children level by level), each host once.
   * Ansible walks the levels below the first through a set; here they go in declaration order.
   */
  groupHosts(group: string): string[] {
    const ordered: string[] = [group, ...(this.groups.get(group)?.children ?? [])];
    const seen = new Set<string>(ordered);
    let level = [...(this.groups.get(group)?.children ?? [])];
    while (level.length) {
      const next: string[] = [];
      for (const g of level) {
        for (const c of this.groups.get(g)?.children ?? []) {
          if (!seen.has(c)) {
            seen.add(c);
            ordered.push(c);
            next.push(c);
          }
        }
      }
      level = next;
    }
    const out: string[] = [];
    const have = new Set<string>();
    for (const g of ordered) {
      for (const h of this.groups.get(g)?.hosts ?? []) {
        if (!have.has(h)) {
          have.add(h);
          out.push(h);
        }
      }
    }
    return out;
  }
}
