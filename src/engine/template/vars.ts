// The variables a step is rendered with, for one host: precedence merge plus reserved names.
import { createRequire } from 'node:module';
import { BadInputError } from '../errors.js';
import type { Host, Inventory, Runbook } from '../types.js';

/**
 * Values captured by steps so far.
 * `byHost[host][name]`: every capture, under the host that made it.
 * `global[name]`: captures made by single-host steps, usable plainly (`{{ name }}`) by every host.
 */
export interface Captures {
  readonly byHost: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly global: Readonly<Record<string, string>>;
}

/** What templates see as `host`, as items of `groups.<name>` and as values of `hosts`. */
export interface HostView {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** null when neither the inventory nor ~/.ssh/config names a user. */
  readonly user: string | null;
  readonly groups: readonly string[];
  readonly vars: Readonly<Record<string, unknown>>;
  /** Everything this host captured so far. */
  readonly captured: Readonly<Record<string, string>>;
}

/** Names always set by buildVars, overriding any variable of the same name. */
export const RESERVED_VARS = ['host', 'groups', 'hosts'] as const;

export interface BuildVarsInput {
  readonly runbook: Runbook;
  readonly inventory: Inventory;
  readonly host: Host;
  readonly cliVars: Readonly<Record<string, string>>;
  readonly captures: Captures;
}

function hostView(h: Host, captures: Captures): HostView {
  return {
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user ?? null,
    groups: [...h.groups],
    vars: h.vars,
    captured: { ...(captures.byHost[h.name] ?? {}) },
  };
}

const isIp = (name: string): boolean => (createRequire(import.meta.url)('node:net') as typeof import('node:net')).isIP(name) !== 0;

/** Ansible's inventory_hostname_short: up to the first dot, an IP address whole. */
export function inventoryHostnameShort(name: string): string {
  if (!name.includes('.')) return name;
  // An IPv4 address is digits and dots, an IPv6 one has a `:`: only those are worth node's isIP,
  // which is loaded then (node:net pulls in the stream modules, and the first isIP call compiles a
  // large pattern: ~40 ms of CPU at every start-up otherwise).
  const maybeIp = name.includes(':') || /^[0-9.]+$/.test(name);
  return maybeIp && isIp(name) ? name : name.split('.')[0];
}

/**
 * Ansible's magic vars of a host, as Ansible defines them: inventory_hostname, inventory_hostname_short
 * (up to the first dot), group_names (its groups but `all`, sorted), inventory_file and inventory_dir
 * (the source it was first read from). Ansible's own `groups` (group -> names) is runbook's `groups`
 * of host views: `groups.web[0].name` is Ansible's `groups.web[0]`.
 */
export function ansibleMagicVars(host: Host): Record<string, unknown> {
  return {
    inventory_hostname: host.name,
    inventory_hostname_short: inventoryHostnameShort(host.name),
    group_names: host.groups.filter((g) => g !== 'all').sort(),
    ...(host.inventoryFile !== undefined ? { inventory_file: host.inventoryFile } : {}),
    ...(host.inventoryDir !== undefined ? { inventory_dir: host.inventoryDir } : {}),
  };
}

/** The views of every inventory host (`groups`, `hosts`): the same for every host rendered with the same captures. */
export interface HostViews {
  readonly views: ReadonlyMap<string, HostView>;
  readonly groups: Readonly<Record<string, readonly HostView[]>>;
  readonly hosts: Readonly<Record<string, HostView>>;
}

/** Build the host views once per set of captures (buildVars for each of N hosts would otherwise build N x N views). */
export function buildHostViews(inventory: Inventory, captures: Captures): HostViews {
  const views = new Map<string, HostView>();
  for (const h of inventory.hosts) views.set(h.name, hostView(h, captures));
  const groups: Record<string, HostView[]> = {};
  for (const [g, names] of Object.entries(inventory.groups)) {
    groups[g] = names.map((n) => views.get(n)).filter((v): v is HostView => v !== undefined);
  }
  return { views, groups, hosts: Object.fromEntries(views) };
}

/**
 * Variables for rendering a step on `host`. Later wins: runbook front matter vars < inventory
 * vars of the host (group vars, then host vars) < --var values < global captures < the host's own
 * captures < Ansible's magic vars (ansibleMagicVars). Then the reserved `host`, `groups` (group -> host views, inventory order) and `hosts`
 * (name -> host view) override anything of the same name. `shared`: the host views built by
 * buildHostViews with the same inventory and captures (built here when absent).
 */
export function buildVars(input: BuildVarsInput, shared: HostViews = buildHostViews(input.inventory, input.captures)): Record<string, unknown> {
  const { runbook, host, cliVars, captures } = input;
  // The synthetic `local` host (or any host outside the inventory) still gets its own view.
  const self = shared.views.get(host.name) ?? hostView(host, captures);
  const hosts = shared.views.has(host.name) ? shared.hosts : { ...shared.hosts, [host.name]: self };

  return {
    ...runbook.vars,
    ...host.vars,
    ...cliVars,
    ...captures.global,
    ...(captures.byHost[host.name] ?? {}),
    ...ansibleMagicVars(host),
    host: self,
    groups: shared.groups,
    hosts,
  };
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parse a `--var name=value` assignment (the value may be empty or contain `=`). */
export function parseVarAssignment(text: string): [string, string] {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq).trim();
  if (eq < 0 || !VAR_NAME.test(name)) {
    throw new BadInputError(`malformed --var \`${text}\``, {
      hint: 'use --var name=value, where the name is letters, digits and _ (not starting with a digit)',
    });
  }
  if ((RESERVED_VARS as readonly string[]).includes(name)) {
    throw new BadInputError(`--var ${name}: \`${name}\` is a reserved variable name`, { hint: `reserved names: ${RESERVED_VARS.join(', ')}` });
  }
  return [name, text.slice(eq + 1)];
}
