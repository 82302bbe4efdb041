// `runbook hosts`: the resolved inventory (hosts, groups in Ansible's order, vars, how each host is
// reached), like `ansible-inventory --list`, so an operator can check it before a run. Read-only.
import { connectionLine, inventoryListing } from '../../engine/inventory/describe.js';
import { EXIT } from '../../engine/errors.js';
import { isSecretName, MASK } from '../../engine/secrets.js';
import { checkedInventoryOptions, hostFilterFor, loadSession, type CommonOptions } from '../session.js';
import { BadInputError } from '../../engine/errors.js';
import { loadInventory } from '../../engine/inventory/inventory.js';
import type { Inventory } from '../../engine/types.js';

export interface HostsOptions extends CommonOptions {
  readonly json?: boolean;
  readonly knownHosts?: string;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The inventory alone (`runbook hosts -i INV`, as `ansible-inventory -i INV --list` is called):
 * no runbook, so no front-matter inventory or vars; -i is then required.
 */
async function inventoryOnly(o: HostsOptions): Promise<{ inventory: Inventory; hostFilter?: string[] }> {
  const given = checkedInventoryOptions(o);
  if (given.length === 0) {
    throw new BadInputError('`runbook hosts` needs a runbook or an inventory', { hint: 'runbook hosts -i INVENTORY, or runbook hosts RUNBOOK [-i INVENTORY]' });
  }
  const inventory = await loadInventory(given, { sshConfigFile: o.sshConfig === false ? null : o.sshConfig });
  return { inventory, hostFilter: o.hosts === undefined ? undefined : hostFilterFor(inventory, o.hosts) };
}

export async function hostsCommand(path: string | undefined, o: HostsOptions, out: (l: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  // Warnings go once: in the listing itself, or on stderr beside the JSON.
  const { inventory, hostFilter } = path === undefined ? await inventoryOnly(o) : await loadSession(path, o, { quietWarnings: !o.json });
  if (path === undefined && o.json) for (const w of inventory.warnings ?? []) process.stderr.write(`runbook: warning: ${w}\n`);
  const co = { knownHostsFile: o.knownHosts };
  if (o.json) {
    out(JSON.stringify(inventoryListing(inventory, co), null, 2));
    return EXIT.OK;
  }
  const secret = new Set(inventory.secretVars);
  const hosts = inventory.hosts.filter((h) => !hostFilter || hostFilter.includes(h.name));
  const sources = inventory.sources?.join(', ') ?? inventory.file ?? 'the default local inventory';
  out(`# inventory: ${sources} (${inventory.hosts.length} host${inventory.hosts.length === 1 ? '' : 's'}, ${Object.keys(inventory.groups).length} groups)`);
  out('\n## groups (members in the order Ansible uses for group[0], group[1:] and groups.NAME)');
  for (const [g, members] of Object.entries(inventory.groups)) {
    const children = inventory.ansible?.tree[g]?.children ?? [];
    out(`${g}: ${members.length ? members.join(', ') : '(no hosts)'}${children.length ? `  (children: ${children.join(', ')})` : ''}`);
  }
  out('\n## hosts');
  for (const h of hosts) {
    out(`${h.name}  ${connectionLine(h, co)}`);
    const groups = h.groups.filter((g) => g !== 'all');
    if (groups.length) out(`  groups: ${groups.join(', ')}`);
    const vars = inventory.ansible?.hostvars[h.name] ?? h.vars;
    for (const [k, v] of Object.entries(vars)) out(`  ${k} = ${secret.has(k) || isSecretName(k) ? MASK : show(v)}`);
  }
  for (const w of inventory.warnings ?? []) out(`! ${w}`);
  return EXIT.OK;
}
