// How an inventory reads back to the operator: one line per host saying how runbook will connect,
// and the `ansible-inventory --list` view (secrets masked) for `runbook hosts --json`.
import os from 'node:os';
import { isSecretName, MASK } from '../secrets.js';
import type { Host, Inventory } from '../types.js';

const home = (p: string): string => (p.startsWith(os.homedir() + '/') ? '~' + p.slice(os.homedir().length) : p);

export interface ConnectionOptions {
  /** known_hosts file used when the host names none (--known-hosts, default ~/.ssh/known_hosts). */
  readonly knownHostsFile?: string;
  /** Login user when neither inventory nor ssh config names one. */
  readonly localUser?: string;
}

function localUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

export interface ConnectionDescription {
  readonly transport: 'ssh' | 'local';
  readonly target: string;
  readonly via?: string;
  readonly key: string;
  readonly knownHosts?: string;
  readonly sudo?: string;
}

/** How runbook will reach this host, part by part. */
export function describeConnection(h: Host, o: ConnectionOptions = {}): ConnectionDescription {
  const sudo = h.become ? `every step through sudo as ${h.become.user}` : undefined;
  if (h.connection === 'local') return { transport: 'local', target: 'this machine', key: 'none (local)', ...(sudo ? { sudo } : {}) };
  const user = h.user ?? o.localUser ?? localUserName();
  const hop = (u: string | undefined, a: string, p: number): string => `${u ?? user}@${a}:${p}`;
  let via: string | undefined;
  if (h.proxyCommand) via = `ProxyCommand ${h.proxyCommand}`;
  else if (h.jump?.length) via = `ProxyJump ${h.jump.map((j) => hop(j.user, j.address, j.port)).join(' -> ')}`;
  // The order runbook offers keys in, as OpenSSH: the agent's (those matching a key file first), then the files.
  const agentName = h.identityAgent === undefined || h.identityAgent === 'SSH_AUTH_SOCK' ? 'ssh-agent' : h.identityAgent.startsWith('$') ? `ssh-agent at ${h.identityAgent}` : `ssh-agent at ${home(h.identityAgent)}`;
  const agent = h.identityAgent?.toLowerCase() === 'none' ? undefined : h.identitiesOnly ? `${agentName} (only keys matching the key files)` : agentName;
  const files = h.privateKeyFile
    ? `${home(h.privateKeyFile)}${h.keySource ? ` (from ${h.keySource})` : ''}${h.identityFiles?.length ? ` and ${h.identityFiles.length} more IdentityFile` : ''}`
    : '~/.ssh/id_ed25519, id_ecdsa, id_rsa';
  const key = [agent, files].filter(Boolean).join(', then ');
  const knownHosts = home(h.knownHostsFile ?? o.knownHostsFile ?? `${os.homedir()}/.ssh/known_hosts`) +
    (h.hostKeyAlias ? ` (HostKeyAlias ${h.hostKeyAlias})` : '') +
    (h.strictHostKeyChecking ? ` (StrictHostKeyChecking ${h.strictHostKeyChecking})` : '');
  return { transport: 'ssh', target: hop(h.user, h.address, h.port), ...(via ? { via } : {}), key, knownHosts, ...(sudo ? { sudo } : {}) };
}

/** One line: `ssh deploy@10.0.0.1:22 via ProxyJump ... key ... known_hosts ...`. */
export function connectionLine(h: Host, o: ConnectionOptions = {}): string {
  const d = describeConnection(h, o);
  if (d.transport === 'local') return `local (this machine)${d.sudo ? `, ${d.sudo}` : ''}`;
  return [`ssh ${d.target}`, d.via && `via ${d.via}`, `key: ${d.key}`, `known_hosts: ${d.knownHosts}`, d.sudo].filter(Boolean).join(', ');
}

function maskVars(vars: Readonly<Record<string, unknown>>, secret: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) out[k] = secret.has(k) || isSecretName(k) ? MASK : v;
  return out;
}

/**
 * The `ansible-inventory --list` JSON of the inventory (groups with their own hosts and children,
 * `_meta.hostvars`), secret values masked, plus `_runbook`: each group's members in Ansible's order
 * and each host's connection.
 */
export function inventoryListing(inv: Inventory, o: ConnectionOptions = {}): Record<string, unknown> {
  const secret = new Set(inv.secretVars);
  const out: Record<string, unknown> = {};
  const tree = inv.ansible?.tree ?? Object.fromEntries(Object.entries(inv.groups).map(([g, hosts]) => [g, { hosts: [...hosts], children: [] }]));
  const seen = new Set<string>();
  const visit = (g: string): void => {
    if (seen.has(g)) return;
    seen.add(g);
    const node = tree[g];
    if (!node) return;
    const entry: Record<string, string[]> = {};
    if (g !== 'all' && node.hosts.length) entry.hosts = [...node.hosts];
    if (node.children.length) entry.children = [...node.children];
    if (Object.keys(entry).length) out[g] = entry;
    node.children.forEach(visit);
  };
  visit('all');
  const hostvars: Record<string, unknown> = {};
  for (const h of inv.hosts) {
    const v = inv.ansible?.hostvars[h.name] ?? h.vars;
    if (Object.keys(v).length) hostvars[h.name] = maskVars(v, secret);
  }
  out._meta = { hostvars };
  out._runbook = {
    groups: inv.groups,
    hosts: Object.fromEntries(inv.hosts.map((h) => [h.name, describeConnection(h, o)])),
    ...(inv.warnings?.length ? { warnings: inv.warnings } : {}),
  };
  return out;
}
