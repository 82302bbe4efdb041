// From a host's merged inventory vars to how runbook connects to it: ansible_host/port/user/key,
// ansible_connection, ansible_become, ssh args (ProxyJump, ProxyCommand, -F, -i, -p), ~/.ssh/config
// beneath them; and what cannot be honoured (passwords, other connection and become plugins) refused.
import path from 'node:path';
import { BadInputError } from '../errors.js';
import type { Host, JumpHost } from '../types.js';
import type { VarEntry } from './inventoryData.js';
import { renderInventoryVars } from './jinjaVars.js';
import { parseSshArgs } from './sshArgs.js';
import { expandHome, hopOptions, parsePort, resolveJumpChain, strictValue, type SshConfigFile } from './sshConfig.js';

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
  'ansible_become',
  'ansible_become_user',
  'ansible_become_method',
  'ansible_sudo',
  'ansible_sudo_user',
] as const;
const CONNECTION_SET = new Set<string>(CONNECTION_VARS);

/** Vars that hold a login or sudo password: refused (keys or an agent only). */
const PASSWORD_VARS = ['ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password', 'ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass'];

export interface BuildHostInput {
  readonly name: string;
  readonly merged: Map<string, VarEntry>;
  readonly groups: string[];
  readonly ssh: SshConfigFile | undefined;
  readonly baseDir: string;
  readonly warnings: string[];
  /** ssh config directive -> the hosts (and jump hosts) it is set for, when runbook does not apply it: warned once per run. */
  readonly unsupported?: Map<string, Set<string>>;
  /** Ansible's inventory_file / inventory_dir for this host (Jinja in its vars may name them). */
  readonly origin?: { readonly inventoryFile: string; readonly inventoryDir: string };
}

function fail(message: string, e: VarEntry | undefined, hint?: string): never {
  throw new BadInputError(message, { file: e?.file, line: e?.line, hint });
}

function stringVar(vars: Map<string, VarEntry>, ...names: string[]): (VarEntry & { value: string; name: string }) | undefined {
  for (const n of names) {
    const e = vars.get(n);
    if (!e || e.value === null || e.value === undefined) continue;
    if (typeof e.value !== 'string' && typeof e.value !== 'number') fail(`\`${n}\` must be a string`, e);
    return { ...e, value: String(e.value), name: n };
  }
  return undefined;
}

/** Ansible's boolean(): yes/no, true/false, on/off, 1/0, y/n. */
function boolVar(vars: Map<string, VarEntry>, name: string): boolean | undefined {
  const e = vars.get(name);
  if (!e || e.value === null || e.value === undefined) return undefined;
  if (typeof e.value === 'boolean') return e.value;
  const s = String(e.value).toLowerCase();
  if (['yes', 'on', '1', 'true', 't', 'y', '1.0'].includes(s)) return true;
  if (['no', 'off', '0', 'false', 'f', 'n', '0.0'].includes(s)) return false;
  return fail(`\`${name}\` must be a boolean (true/false, yes/no), not \`${String(e.value)}\``, e);
}

/** A path from the inventory: `~` expanded, relative paths against the file that set it. */
function inventoryPath(p: string, e: VarEntry, baseDir: string): string {
  const dir = e.file && e.file !== '-i' ? path.dirname(e.file) : baseDir;
  return path.resolve(dir, expandHome(p));
}

/** Ansible's group_names: the host's groups but `all`, sorted. */
export function groupNames(groups: readonly string[]): string[] {
  return groups.filter((g) => g !== 'all').sort();
}

/** Build one Host from its merged vars. Throws BadInputError (file:line) on what cannot be honoured. */
export function buildHost(input: BuildHostInput): Host {
  const { name, ssh } = input;
  const merged = renderInventoryVars(name, input.merged, input.warnings, { ...(input.origin ? { inventory_file: input.origin.inventoryFile, inventory_dir: input.origin.inventoryDir } : {}), group_names: groupNames(input.groups) });

  for (const pv of PASSWORD_VARS) {
    const e = merged.get(pv);
    if (e && e.value !== null && e.value !== '') {
      fail(`\`${pv}\` (a password) is set for host \`${name}\`; runbook logs in with keys or an ssh-agent only and never types passwords`, e,
        pv.includes('become') || pv.includes('sudo')
          ? 'allow passwordless sudo for the login user (NOPASSWD) and remove the variable'
          : 'install a public key on the host (ssh-copy-id), point ansible_ssh_private_key_file at the private key or load it into ssh-agent, and remove the variable');
    }
  }

  const vars: Record<string, unknown> = {};
  for (const [k, v] of merged) if (!CONNECTION_SET.has(k)) vars[k] = v.value;

  // Connection type.
  const connVar = stringVar(merged, 'ansible_connection');
  let connection: Host['connection'] = 'ssh';
  if (connVar) {
    if (connVar.value === 'local') connection = 'local';
    else if (!['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'ansible.builtin.ssh', 'ansible.builtin.paramiko_ssh', 'ansible.builtin.local'].includes(connVar.value)) {
      fail(`unsupported ansible_connection \`${connVar.value}\` for host \`${name}\``, connVar, 'use ssh (the default) or local');
    } else if (connVar.value === 'ansible.builtin.local') connection = 'local';
  }

  // Privilege escalation: ansible_become means every step on this host runs through sudo.
  const becomeOn = boolVar(merged, 'ansible_become') ?? boolVar(merged, 'ansible_sudo');
  let become: Host['become'];
  if (becomeOn) {
    const method = stringVar(merged, 'ansible_become_method');
    if (method && method.value !== 'sudo' && method.value !== 'ansible.builtin.sudo') {
      fail(`ansible_become_method \`${method.value}\` for host \`${name}\` is not supported`, method, 'runbook escalates with sudo -n only; use ansible_become_method: sudo');
    }
    const becomeUser = stringVar(merged, 'ansible_become_user', 'ansible_sudo_user');
    if (becomeUser && !/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(becomeUser.value)) fail(`bad ansible_become_user \`${becomeUser.value}\` for host \`${name}\``, becomeUser, 'a user name: letters, digits, _ . -');
    become = { user: becomeUser?.value ?? 'root' };
  }

  const ansibleHost = stringVar(merged, 'ansible_host', 'ansible_ssh_host');
  const userVar = stringVar(merged, 'ansible_user', 'ansible_ssh_user')?.value;
  const portEntry = merged.get('ansible_port') ?? merged.get('ansible_ssh_port');
  let port: number | undefined;
  if (portEntry && portEntry.value !== null) {
    port = parsePort(portEntry.value);
    if (port === undefined) fail(`bad ansible_port \`${String(portEntry.value)}\` for host \`${name}\``, portEntry, 'a port is a number from 1 to 65535');
  }
  const keyEntry = stringVar(merged, 'ansible_ssh_private_key_file', 'ansible_private_key_file');
  const keyFile = keyEntry ? inventoryPath(keyEntry.value, keyEntry, input.baseDir) : undefined;

  if (connection === 'local') {
    return { name, address: ansibleHost?.value ?? 'localhost', port: port ?? 22, ...(userVar ? { user: userVar } : {}), connection, groups: input.groups, vars, ...(become ? { become } : {}) };
  }

  // ansible_ssh_common_args then ansible_ssh_extra_args, as Ansible puts them on the ssh command line.
  const args = [stringVar(merged, 'ansible_ssh_common_args'), stringVar(merged, 'ansible_ssh_extra_args')].filter((a) => a !== undefined);
  const sshArgs = parseSshArgs(args.map((a) => ({ text: a.value, name: a.name, file: a.file, line: a.line })));
  const argsAt = args[0];
  if (sshArgs.ignored.length) {
    input.warnings.push(`${argsAt?.file}:${argsAt?.line}: ssh args that runbook does not apply: ${sshArgs.ignored.join(' ')}`);
  }
  if (sshArgs.configFile !== undefined && sshArgs.configFile !== (ssh?.file ?? null)) {
    fail(`ssh args of host \`${name}\` name another ssh config (-F ${sshArgs.configFile})`, argsAt, `runbook reads one ssh config per session: pass --ssh-config ${sshArgs.configFile}`);
  }

  // ~/.ssh/config: looked up by ansible_host when set, gaps filled from the inventory name. Ansible
  // passes ansible_user as `-o User=`: set before the config is read, so `Match user` sees it.
  const alias = ansibleHost?.value ?? name;
  const lookupUser = userVar ?? sshArgs.user;
  const lookupOpts = lookupUser !== undefined ? { user: lookupUser } : {};
  const s1 = ssh?.lookup(alias, lookupOpts) ?? {};
  const s2 = ssh && alias !== name ? ssh.lookup(name, lookupOpts) : {};
  // ansible_host may itself be an ssh config alias: its HostName applies, as when ssh is given it.
  // ssh lowercases the name it connects to (and looks up in known_hosts), as `ssh -G` shows.
  const address = (s1.hostName ?? ansibleHost?.value ?? s2.hostName ?? name).toLowerCase();
  const user = userVar ?? sshArgs.user ?? s1.user ?? s2.user;
  const argKey = sshArgs.identityFile ? path.resolve(input.baseDir, expandHome(sshArgs.identityFile)) : undefined;
  const privateKeyFile = keyFile ?? argKey ?? s1.identityFile ?? s2.identityFile;
  const keySource = keyFile ? `${keyEntry?.name} (${keyEntry?.file}:${keyEntry?.line})` : argKey ? `-i in ${argsAt?.name}` : privateKeyFile ? `IdentityFile in ${ssh?.file}` : undefined;
  const where = { file: argsAt?.file, line: argsAt?.line };
  const proxyCommand = sshArgs.proxyCommand ?? (sshArgs.proxyJump === undefined ? (s1.proxyCommand ?? s2.proxyCommand) : undefined);
  const proxy = sshArgs.proxyCommand !== undefined ? undefined : (sshArgs.proxyJump ?? (proxyCommand === undefined ? (s1.proxyJump ?? s2.proxyJump) : undefined));
  const jump: JumpHost[] | undefined = proxy ? resolveJumpChain(ssh, proxy, where, new Set([alias]), input.unsupported) : undefined;
  for (const d of new Set([...(s1.unsupported ?? []), ...(s2.unsupported ?? [])])) input.unsupported?.set(d, (input.unsupported.get(d) ?? new Set()).add(name));
  const moreIds = keyFile || argKey ? [] : (s1.identityFiles ?? s2.identityFiles ?? []).filter((i) => i !== privateKeyFile);
  const khRaw = sshArgs.userKnownHostsFile ?? s1.userKnownHostsFile ?? s2.userKnownHostsFile;
  const knownHostsFile = khRaw === undefined ? undefined : path.resolve(expandHome(khRaw));
  const strictRaw = sshArgs.strictHostKeyChecking ?? s1.strictHostKeyChecking ?? s2.strictHostKeyChecking;
  const strictHostKeyChecking = strictValue(strictRaw, { file: argsAt?.file, line: argsAt?.line, host: name });
  // IdentityAgent, IdentitiesOnly, HostKeyAlias, ConnectTimeout: first value wins, ansible_host's lookup first.
  const more = { ...hopOptions(s2, ssh?.file, name), ...hopOptions(s1, ssh?.file, name) };
  if (strictHostKeyChecking === 'no') {
    input.warnings.push(`WARNING: StrictHostKeyChecking=no (${argsAt && sshArgs.strictHostKeyChecking ? `${argsAt.file}:${argsAt.line}` : ssh?.file}): unknown host keys of the hosts it applies to are accepted and recorded WITHOUT verification (a changed key is still refused)`);
  }
  const finalPort = port ?? sshArgs.port ?? s1.port ?? s2.port ?? 22;
  return {
    name,
    address,
    port: finalPort,
    ...(user !== undefined ? { user } : {}),
    ...(privateKeyFile !== undefined ? { privateKeyFile, keySource } : {}),
    ...(moreIds.length ? { identityFiles: moreIds } : {}),
    ...(knownHostsFile !== undefined ? { knownHostsFile } : {}),
    ...(strictHostKeyChecking !== undefined ? { strictHostKeyChecking } : {}),
    ...(more.identityAgent !== undefined ? { identityAgent: more.identityAgent } : {}),
    ...(more.identitiesOnly !== undefined ? { identitiesOnly: more.identitiesOnly } : {}),
    ...(more.hostKeyAlias !== undefined ? { hostKeyAlias: more.hostKeyAlias } : {}),
    ...(more.connectTimeoutMs !== undefined ? { connectTimeoutMs: more.connectTimeoutMs } : {}),
    ...(keyFile !== undefined && keyEntry?.file ? { privateKeyFileFrom: { file: keyEntry.file, line: keyEntry.line } } : {}),
    ...(!keyFile && !argKey && privateKeyFile !== undefined && (s1.identityFileFrom ?? s2.identityFileFrom) ? { identityFileFrom: (s1.identityFile !== undefined ? s1.identityFileFrom : s2.identityFileFrom)! } : {}),
    connection,
    ...(jump && jump.length ? { jump } : {}),
    ...(proxyCommand !== undefined && proxyCommand !== 'none' ? { proxyCommand } : {}),
    ...(become ? { become } : {}),
    groups: input.groups,
    vars,
  };
}
