// Everything a command needs, loaded from the operator's options: runbook, inventory, variables,
// state paths, transports. Shared by run, play, plan, lint, status and reset.
import { homedir } from 'node:os';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BadInputError } from '../engine/errors.js';
import { loadInventory, localInventory } from '../engine/inventory/inventory.js';
import { resolvePattern } from '../engine/inventory/patterns.js';
import { loadRunbook } from '../engine/parser/load.js';
import { parseDuration } from '../engine/parser/attributes.js';
import { durationTooLong } from '../engine/duration.js';
import { checkInputPath, checkStatePaths } from '../engine/pathCheck.js';
import { legacyStateFile, resolveStatePaths, runbookName } from '../engine/state/paths.js';
import { loadSavedVars } from '../engine/state/varsFile.js';
import { parseVarAssignment } from '../engine/template/vars.js';
import { envVars, varFiles } from './varSources.js';
import { createLocalTransport } from '../engine/transport/local.js';
import { createRoutingTransport } from '../engine/transport/routing.js';
import type { SshTransportOptions } from '../engine/transport/ssh.js';
import type { HostKeyPolicy, Transport } from '../engine/transport/types.js';
import type { Inventory, Runbook } from '../engine/types.js';

export interface CommonOptions {
  /** -i values (repeatable: merged in order, as ansible -i A -i B). */
  readonly inventory?: string | readonly string[];
  readonly var?: readonly string[];
  /** --var-file FILE (repeatable): YAML `name: value`, mode 0600. */
  readonly varFile?: readonly string[];
  readonly hosts?: string;
  readonly state?: string;
  readonly sshConfig?: string | false;
}

export interface Session {
  readonly runbook: Runbook;
  readonly inventory: Inventory;
  /** --var, --var-file and RUNBOOK_VAR_* values, over the saved vars file's when the command loads it (`savedVars`). */
  readonly cliVars: Record<string, string>;
  /** What the vars file held (empty unless loaded). */
  readonly savedVars: Record<string, string>;
  readonly hostFilter?: readonly string[];
  readonly paths: ReturnType<typeof resolveStatePaths>;
}

/**
 * Load what a command needs. With `savedVars` (run, play) the runbook's vars file
 * (`<state dir>/<name>.vars.yaml`, values saved from the player's prompt) is read too, with
 * precedence just below --var; a malformed one is a BadInputError with its file and line.
 */
export async function loadSession(path: string, o: CommonOptions, opts: { savedVars?: boolean; quietWarnings?: boolean } = {}): Promise<Session> {
  // Every path is checked before it is read (a FIFO or /dev/zero would hang) or written.
  checkInputPath('runbook', path, { allowDirectory: true });
  const given = typeof o.inventory === 'string' ? [o.inventory] : (o.inventory ?? []);
  for (const i of given) checkInputPath('--inventory', i, { allowDirectory: true });
  if (typeof o.sshConfig === 'string') checkInputPath('--ssh-config', o.sshConfig);
  for (const f of o.varFile ?? []) checkInputPath('--var-file', f);
  const runbook = await loadRunbook(path);
  const invSources = given.length ? given : runbook.inventory ? [runbook.inventory] : [];
  for (const i of invSources) checkInputPath('inventory', i, { allowDirectory: true });
  const sshConfigFile = o.sshConfig === false ? null : o.sshConfig;
  const inventory = invSources.length ? await loadInventory(invSources, { sshConfigFile }) : localInventory();
  // What the inventory holds but runbook does not honour is said once, before anything runs.
  if (!opts.quietWarnings) for (const w of inventory.warnings ?? []) process.stderr.write(`runbook: warning: ${w}\n`);
  const cliVars: Record<string, string> = {};
  for (const a of o.var ?? []) {
    const [k, v] = parseVarAssignment(a);
    cliVars[k] = v;
  }
  const fromEnv = envVars();
  const files = await varFiles(o.varFile ?? []);
  // Names a --var-file marks secret are masked like the runbook's own secret vars.
  const runbookWithSecrets: Runbook = files.secret.length ? { ...runbook, secretVars: [...new Set([...runbook.secretVars, ...files.secret])] } : runbook;
  let hostFilter: string[] | undefined;
  if (o.hosts) {
    const { hosts, unknown } = resolvePattern(inventory, o.hosts);
    if (unknown.length) {
      throw new BadInputError(`--hosts ${o.hosts}: ${unknown.map((u) => `\`${u}\``).join(', ')} matches no host or group in ${inventory.file ?? 'the default local inventory'}`);
    }
    hostFilter = hosts.map((h) => h.name);
  }
  const paths = resolveStatePaths(runbook.path, { stateFile: o.state });
  checkStatePaths(paths);
  if (o.state === undefined) await refuseLegacyState(runbook.path, paths.stateFile);
  const savedVars = opts.savedVars ? await loadSavedVars(paths.varsFile) : {};
  // Later wins: saved prompt values < RUNBOOK_VAR_* < --var-file < --var.
  return { runbook: runbookWithSecrets, inventory, cliVars: { ...savedVars, ...fromEnv, ...files.vars, ...cliVars }, savedVars, hostFilter, paths };
}

/**
 * The state used to live under the current directory. A state for this runbook left there by an
 * older version (and none beside the runbook yet) is not silently ignored, which would run every
 * done step again: refused with both paths.
 */
async function refuseLegacyState(runbookPath: string, stateFile: string): Promise<void> {
  const legacy = legacyStateFile(runbookPath);
  if (!legacy || existsSync(stateFile) || !existsSync(legacy)) return;
  let header: { runbook?: unknown } | undefined;
  try {
    header = JSON.parse((await readFile(legacy, 'utf8')).split('\n', 1)[0]) as { runbook?: unknown };
  } catch {
    header = undefined;
  }
  if (header?.runbook !== runbookPath) return; // another runbook's file with the same name
  throw new BadInputError(`this runbook's progress is recorded in ${legacy} (under the current directory, where older versions kept it), but its state now lives beside the runbook: ${stateFile}`, {
    hint: `move it, its logs (${join(dirname(legacy), 'logs', runbookName(runbookPath))}/) and saved vars (${join(dirname(legacy), `${runbookName(runbookPath)}.vars.yaml`)}) to ${dirname(stateFile)}/, or pass --state ${legacy}`,
  });
}

export interface TransportOptions {
  readonly acceptNew?: boolean;
  readonly knownHosts?: string;
  readonly connectTimeout?: string;
}

export function parseDurationOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new BadInputError(`${name} ${value}: not a duration (examples: 500ms, 15s, 2m)`);
  const tooLong = durationTooLong(ms);
  if (tooLong) throw new BadInputError(`${name} ${value}: ${tooLong}`);
  return ms;
}

export function parseIntOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new BadInputError(`${name} ${value}: expected a whole number >= ${min}`);
  return Number(value);
}

/** Check the transport options (bad input, exit 2) before anything is written. */
export function checkTransportOptions(o: TransportOptions): void {
  checkInputPath(o.knownHosts ? '--known-hosts' : 'known_hosts file', knownHostsPath(o));
  parseDurationOption('--connect-timeout', o.connectTimeout);
}

function knownHostsPath(o: TransportOptions): string {
  return o.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
}

export function createTransport(o: TransportOptions, onUnknownKey?: HostKeyPolicy['onUnknownKey']): Transport {
  const knownHostsFile = knownHostsPath(o);
  const hostKeys: HostKeyPolicy = {
    knownHostsFile,
    acceptNew: Boolean(o.acceptNew),
    onUnknownKey,
  };
  const ssh = lazySshTransport({ hostKeys, connectTimeoutMs: parseDurationOption('--connect-timeout', o.connectTimeout) });
  return createRoutingTransport(ssh, createLocalTransport());
}

/** The ssh transport, with ssh2 loaded only when a step (or prepare) first needs an SSH host. */
function lazySshTransport(opts: SshTransportOptions): Transport {
  let loaded: Promise<Transport> | undefined;
  const load = (): Promise<Transport> => (loaded ??= import('../engine/transport/ssh.js').then((m) => m.createSshTransport(opts)));
  return {
    exec: async (host, script, eo) => (await load()).exec(host, script, eo),
    prepare(hosts) {
      if (hosts.length) void load().then((t) => t.prepare?.(hosts), () => undefined);
    },
    async close() {
      if (loaded) await (await loaded).close();
    },
  };
}
