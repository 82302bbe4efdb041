// Everything a command needs, loaded from the operator's options: runbook, inventory, variables,
// state paths, transports. Shared by run, play, plan, lint, status and reset.
import { existsSync, readFileSync } from 'node:fs';
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
import type { Inventory, Runbook } from '../engine/types.js';
import { openState } from '../engine/state/stateFile.js';
import type { SessionRecord } from '../engine/state/journal.js';
import { inventorySource, recall, sessionInfo, type Recalled } from './sessionMemory.js';
import { BUILD_ID } from './version.js';

export interface CommonOptions {
  /** -i values (repeatable: merged in order, as ansible -i A -i B). */
  readonly inventory?: string | readonly string[];
  readonly var?: readonly string[];
  /** --var-file FILE (repeatable): YAML `name: value`, mode 0600. */
  readonly varFile?: readonly string[];
  readonly hosts?: string;
  readonly state?: string;
  readonly sshConfig?: string | false;
  /** --known-hosts (run, play, hosts). */
  readonly knownHosts?: string;
  /** Accept an -i other than the last session's (the state was recorded with another inventory). */
  readonly inventoryChanged?: boolean;
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
  /** The options in effect after session memory (`memory: true`), and the last session. */
  readonly recalled: Recalled;
  /** The --hosts pattern in effect (given or remembered). */
  readonly hostsPattern?: string;
  /** Hosts the state has records for that the inventory no longer holds (never silently dropped). */
  readonly goneHosts: readonly string[];
  /** What a new session started by this command records (see StateHandle.startSession). */
  sessionInfo(command: string): ReturnType<typeof sessionInfo>;
}

/**
 * Load what a command needs. With `savedVars` (run, play) the runbook's vars file
 * (`<state dir>/<name>.vars.yaml`, values saved from the player's prompt) is read too, with
 * precedence just below --var; a malformed one is a BadInputError with its file and line. With
 * `memory` (commands that use the state) the last session's options fill in those not given, the
 * one line saying so goes to standard error, and an -i other than the last session's is refused
 * unless --inventory-changed.
 */
/** The -i sources given (checked before they are read: a FIFO or /dev/zero would hang), after checking --ssh-config too. */
export function checkedInventoryOptions(o: CommonOptions): string[] {
  const given = typeof o.inventory === 'string' ? [o.inventory] : [...(o.inventory ?? [])];
  for (const i of given) checkInputPath('--inventory', i, { allowDirectory: true });
  if (typeof o.sshConfig === 'string') checkInputPath('--ssh-config', o.sshConfig);
  return given;
}

/** The names of the hosts --hosts PATTERN selects; bad input naming what matches nothing (`why`: where the pattern came from). */
export function hostFilterFor(inventory: Inventory, pattern: string, why = ''): string[] {
  const { hosts, unknown } = resolvePattern(inventory, pattern);
  if (unknown.length) {
    throw new BadInputError(`--hosts ${pattern}: ${unknown.map((u) => `\`${u}\``).join(', ')} matches no host or group in ${inventory.file ?? inventory.sources?.join(', ') ?? 'the default local inventory'}${why}`);
  }
  return hosts.map((h) => h.name);
}

export async function loadSession(path: string, o: CommonOptions, opts: { savedVars?: boolean; quietWarnings?: boolean; memory?: boolean; executes?: boolean } = {}): Promise<Session> {
  // Every path is checked before it is read (a FIFO or /dev/zero would hang) or written.
  checkInputPath('runbook', path, { allowDirectory: true });
  const given = checkedInventoryOptions(o);
  for (const f of o.varFile ?? []) checkInputPath('--var-file', f);
  const runbook = await loadRunbook(path, { cacheBuildId: BUILD_ID });
  const paths = resolveStatePaths(runbook.path, { stateFile: o.state });
  checkStatePaths(paths);
  if (o.state === undefined) await refuseLegacyState(runbook.path, paths.stateFile);
  const recorded = opts.memory ? await recordedSessionsAndHosts(paths.stateFile, runbook.path) : undefined;
  const recalled = recall(o, recorded?.last, runbook.inventory ? [runbook.inventory] : [], paths.stateFile);
  const invSources = given.length ? given : recalled.inventory;
  for (const i of invSources) checkInputPath('inventory', i, { allowDirectory: true });
  if (typeof recalled.sshConfig === 'string') checkInputPath('--ssh-config', recalled.sshConfig);
  const sshConfigFile = recalled.sshConfig === false ? null : recalled.sshConfig;
  const inventory = invSources.length ? await loadInventory(invSources, { sshConfigFile }) : localInventory();
  // What the inventory holds but runbook does not honour is said once, before anything runs.
  if (!opts.quietWarnings) for (const w of inventory.warnings ?? []) process.stderr.write(`runbook: warning: ${w}\n`);
  const givenVars: Record<string, string> = {};
  for (const a of o.var ?? []) {
    const [k, v] = parseVarAssignment(a);
    givenVars[k] = v;
  }
  const fromEnv = envVars();
  const files = await varFiles(o.varFile ?? []);
  // Names a --var-file marks secret are masked like the runbook's own secret vars.
  const runbookWithSecrets: Runbook = files.secret.length ? { ...runbook, secretVars: [...new Set([...runbook.secretVars, ...files.secret])] } : runbook;
  let hostFilter: string[] | undefined;
  const hostsPattern = recalled.hosts;
  if (hostsPattern) {
    hostFilter = hostFilterFor(inventory, hostsPattern, o.hosts === undefined ? ` (remembered from session ${recalled.last?.id})` : '');
  }
  const savedVars = opts.savedVars ? await loadSavedVars(paths.varsFile) : {};
  // Later wins: saved prompt values < remembered --var < RUNBOOK_VAR_* < --var-file < --var.
  const cliVars = { ...savedVars, ...recalled.vars, ...fromEnv, ...files.vars, ...givenVars };
  const known = new Set(inventory.hosts.map((h) => h.name));
  const goneHosts = (recorded?.hosts ?? []).filter((n) => !known.has(n));
  if (recalled.line) {
    // Only a command that runs steps needs the secrets the last session was given.
    const secretsAgain = opts.executes ? (recalled.last?.secretVars ?? []).filter((n) => !(n in cliVars)) : [];
    const secrets = secretsAgain.length ? `; secret ${secretsAgain.map((n) => `--var ${n}`).join(', ')} is never kept: give it again` : '';
    process.stderr.write(`runbook: ${recalled.line}${secrets}\n`);
  }
  const secretNames = new Set([...runbookWithSecrets.secretVars, ...inventory.secretVars]);
  const memoryVars = { ...recalled.vars, ...givenVars };
  return {
    runbook: runbookWithSecrets,
    inventory,
    cliVars,
    savedVars,
    hostFilter,
    paths,
    recalled,
    hostsPattern,
    goneHosts,
    sessionInfo: (command) => sessionInfo(command, { inventory: invSources.map(inventorySource), vars: memoryVars, hosts: hostsPattern, knownHosts: recalled.knownHosts, sshConfig: recalled.sshConfig }, secretNames),
  };
}

/**
 * The last session and the hosts with records (sorted naturally), from a read-only look at the
 * state; nothing when it cannot be read (the command itself then reports why, or sets it aside).
 */
async function recordedSessionsAndHosts(stateFile: string, runbookPath: string): Promise<{ last?: SessionRecord; hosts: string[] } | undefined> {
  try {
    const st = await openState({ stateFile, runbookPath, mode: 'read' });
    await st.close();
    const hosts = [...new Set(Object.values(st.snapshot()).flatMap((byHost) => Object.keys(byHost)))];
    return { last: st.sessions.at(-1), hosts: hosts.sort((x, y) => x.localeCompare(y, undefined, { numeric: true })) };
  } catch {
    return undefined;
  }
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
    header = JSON.parse(readFileSync(legacy, 'utf8').split('\n', 1)[0]) as { runbook?: unknown };
  } catch {
    header = undefined;
  }
  if (header?.runbook !== runbookPath) return; // another runbook's file with the same name
  throw new BadInputError(`this runbook's progress is recorded in ${legacy} (under the current directory, where older versions kept it), but its state now lives beside the runbook: ${stateFile}`, {
    hint: `move it, its logs (${join(dirname(legacy), 'logs', runbookName(runbookPath))}/) and saved vars (${join(dirname(legacy), `${runbookName(runbookPath)}.vars.yaml`)}) to ${dirname(stateFile)}/, or pass --state ${legacy}`,
  });
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
