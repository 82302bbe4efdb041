// Every inventory of the corpus (test/inventory/corpus: written for these tests after kubespray's
// sample, Ansible's inventory guide and k3s-ansible) read by runbook and by Ansible itself
// (`ansible-inventory --list`, and `ansible -m debug -a var=groups` for each group's host order):
// same hosts, groups, group members and their order, vars, address, user and port.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/engine/inventory/inventory.js';
import { resolvePattern } from '../../src/engine/inventory/patterns.js';
import { ansibleMagicVars } from '../../src/engine/template/vars.js';
import type { Inventory } from '../../src/engine/types.js';

const run = promisify(execFile);
const CORPUS = path.join(import.meta.dirname, 'corpus');

/** Inventory sources of each case, as given to -i (relative to the corpus). */
const CASES: Record<string, string[]> = {
  'kubespray sample, INI with group_vars dirs': ['kubespray-ini/inventory.ini'],
  'kubespray sample, YAML with reordered control plane': ['kubespray-yaml/hosts.yaml'],
  "Ansible guide examples, INI without extension, group_vars file without extension": ['guide-ini/hosts'],
  'Ansible guide examples, YAML': ['guide-yaml/hosts.yml'],
  'k3s-ansible inventory.yml (Jinja, block scalars, IP host names)': ['k3s-ansible/inventory.yml'],
  'ansible_group_priority and depth, group_vars .yml/.yaml/.json': ['priorities/inventory'],
  'inventory directory: YAML and INI files, subdirectory, skipped .ini/.md, group_vars dir': ['inventory-dir/inv'],
  'several -i merged (YAML then INI, group_vars beside each)': ['multi/a/hosts.yml', 'multi/b/hosts.ini'],
  'INI value typing, ranges, strides, host:port, IPv6': ['types/hosts'],
  'INI children named before their groups, reordered members': ['pending/hosts.ini'],
  'comma-separated host list': ['h1,h2:2222,10.0.0.5,'],
};

interface AnsibleView {
  readonly list: Record<string, { hosts?: string[]; children?: string[] }> & { _meta: { hostvars: Record<string, Record<string, unknown>> } };
  readonly groups: Record<string, string[]>;
  /** Per host: [inventory_file, inventory_dir, inventory_hostname, inventory_hostname_short, group_names]. */
  readonly magic: Record<string, unknown[]>;
}

/** Ansible's magic vars of an inventory host that runbook's templates also see. */
const MAGIC = ['inventory_file', 'inventory_dir', 'inventory_hostname', 'inventory_hostname_short', 'group_names'];

const ENV = {
  ...process.env,
  ANSIBLE_LOCALHOST_WARNING: 'False',
  ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_DEPRECATION_WARNINGS: 'False',
};

async function ansibleView(sources: string[]): Promise<AnsibleView> {
  const args = sources.flatMap((s) => ['-i', s.includes(',') ? s : path.join(CORPUS, s)]);
  const [list, dbg, magicOut] = await Promise.all([
    run('ansible-inventory', [...args, '--list'], { env: ENV, cwd: CORPUS, maxBuffer: 1 << 24 }),
    run('ansible', [...args, 'localhost', '-m', 'debug', '-a', 'var=groups', '-o'], { env: ENV, cwd: CORPUS, maxBuffer: 1 << 24 }),
    run('ansible', [...args, 'all', '-m', 'debug', '-a', `var=[${MAGIC.join(',')}]`, '-o'], { env: ENV, cwd: CORPUS, maxBuffer: 1 << 24 }),
  ]);
  const json = dbg.stdout.slice(dbg.stdout.indexOf('{'));
  const magic: Record<string, unknown[]> = {};
  for (const line of magicOut.stdout.split('\n')) {
    const m = /^(\S+) \| SUCCESS => (\{.*\})$/.exec(line);
    if (m) magic[m[1]] = (JSON.parse(m[2]) as Record<string, unknown[]>)[`[${MAGIC.join(',')}]`];
  }
  return { list: JSON.parse(list.stdout), groups: (JSON.parse(json) as { groups: Record<string, string[]> }).groups, magic };
}

/**
 * Ansible walks a group's descendants below its children through a Python set, so the order of
 * their hosts is only fixed when at most one group per level has children of its own.
 */
function ansibleOrderIsFixed(tree: Inventory['ansible'], group: string): boolean {
  const seen = new Set([group, ...(tree!.tree[group]?.children ?? [])]);
  let level = [...(tree!.tree[group]?.children ?? [])];
  while (level.length) {
    const withKids = level.filter((g) => (tree!.tree[g]?.children ?? []).some((c) => !seen.has(c)));
    if (withKids.length > 1) return false;
    const next = withKids.flatMap((g) => tree!.tree[g].children.filter((c) => !seen.has(c)));
    next.forEach((c) => seen.add(c));
    level = next;
  }
  return true;
}

describe.each(Object.entries(CASES))('%s: read as ansible-inventory reads it', (_name, sources) => {
  let ours: Inventory;
  let theirs: AnsibleView;
  beforeAll(async () => {
    const paths = sources.map((s) => (s.includes(',') ? s : path.join(CORPUS, s)));
    [ours, theirs] = await Promise.all([loadInventory(paths, { sshConfigFile: null }), ansibleView(sources)]);
  }, 120_000);

  it('has the same hosts', () => {
    expect(ours.hosts.map((h) => h.name).sort()).toEqual([...theirs.groups.all].sort());
  });

  it('has the same groups', () => {
    expect(Object.keys(ours.groups).sort()).toEqual(Object.keys(theirs.groups).sort());
  });

  it("gives each group its own hosts and children in Ansible's order", () => {
    for (const [g, node] of Object.entries(ours.ansible!.tree)) {
      const t = theirs.list[g] ?? {};
      if (g !== 'all') expect({ group: g, hosts: node.hosts }).toEqual({ group: g, hosts: t.hosts ?? [] });
      expect({ group: g, children: node.children }).toEqual({ group: g, children: t.children ?? [] });
    }
  });

  it('lists every group\'s members in the order Ansible does, so group[0] and group[1:] pick the same hosts', () => {
    for (const [g, members] of Object.entries(theirs.groups)) {
      if (ansibleOrderIsFixed(ours.ansible, g)) {
        expect({ group: g, members: ours.groups[g] }).toEqual({ group: g, members });
        expect(resolvePattern(ours, `${g}[0]`).hosts.map((h) => h.name)).toEqual(members.slice(0, 1));
        expect(resolvePattern(ours, `${g}[1:]`).hosts.map((h) => h.name)).toEqual(members.slice(1));
      } else {
        expect({ group: g, members: [...ours.groups[g]].sort() }).toEqual({ group: g, members: [...members].sort() });
      }
    }
  });

  it('gives every host the same vars (group_vars, host_vars and precedence included)', () => {
    for (const h of ours.hosts) {
      expect({ host: h.name, vars: ours.ansible!.hostvars[h.name] }).toEqual({ host: h.name, vars: theirs.list._meta.hostvars[h.name] ?? {} });
    }
  });

  it("gives templates Ansible's magic vars: inventory_file, inventory_dir, inventory_hostname(_short), group_names", () => {
    expect(Object.keys(theirs.magic).sort()).toEqual(ours.hosts.map((h) => h.name).sort());
    for (const h of ours.hosts) {
      const vars = ansibleMagicVars(h);
      expect({ host: h.name, magic: MAGIC.map((k) => vars[k]) }).toEqual({ host: h.name, magic: theirs.magic[h.name] });
    }
  });

  it('connects to the address, port and user those vars name', () => {
    for (const h of ours.hosts) {
      const v = theirs.list._meta.hostvars[h.name] ?? {};
      const address = (v.ansible_host ?? v.ansible_ssh_host ?? (v.ansible_connection === 'local' ? 'localhost' : h.name)) as string;
      if (String(address).includes('{{')) continue; // templated: checked by the Jinja tests
      expect({ host: h.name, address: h.address, port: h.port, user: h.user }).toEqual({
        host: h.name,
        address: address.toLowerCase(), // Ansible hands it to ssh, which connects to it lowercased
        port: Number(v.ansible_port ?? 22),
        user: v.ansible_user,
      });
    }
  });
});
