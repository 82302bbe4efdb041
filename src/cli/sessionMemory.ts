// Session memory (issue 9 item 15): the options of the last session recorded in the state file
// (inventory, non-secret --vars, --hosts, --known-hosts, --ssh-config) are reused by a command that
// does not give them, and said so in one line; a different inventory for an existing state is
// refused unless --inventory-changed. Secrets are never stored, so never reused.
import os from 'node:os';
import path from 'node:path';
import { BadInputError } from '../engine/errors.js';
import { isSecretName } from '../engine/secrets.js';
import type { SessionRecord } from '../engine/state/journal.js';

/** The options session memory knows about, as the operator gave them. */
export interface RememberedOptions {
  readonly inventory?: string | readonly string[];
  readonly var?: readonly string[];
  readonly hosts?: string;
  readonly knownHosts?: string;
  readonly sshConfig?: string | false;
  readonly inventoryChanged?: boolean;
}

/** The options in effect after memory was applied, and what memory contributed. */
export interface Recalled {
  /** -i sources in effect (given, remembered, else the front matter's). */
  readonly inventory: readonly string[];
  /** Remembered non-secret --var values not given again (below every source given now). */
  readonly vars: Readonly<Record<string, string>>;
  readonly hosts?: string;
  readonly knownHosts?: string;
  readonly sshConfig?: string | false;
  /** The session the options came from, when some were reused. */
  readonly from?: SessionRecord;
  /** The last session recorded in the state, if any. */
  readonly last?: SessionRecord;
  /** The one line saying what was reused (undefined when nothing was). */
  readonly line?: string;
  /** --inventory-changed was needed and given: the inventory of the last session, for the record. */
  readonly previousInventory?: readonly string[];
}

/** An inventory source as recorded: a path made absolute, a `h1,h2,` list kept as written. */
export function inventorySource(source: string): string {
  return source.includes(',') ? source : path.resolve(source);
}

function sameInventory(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `2026-12-01 13:20Z`: when a session started, short. */
export function sessionWhen(s: SessionRecord): string {
  return s.startedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
}

/** How a session is named to the operator: `s3: run at 2026-12-01 13:20Z by alice@ops1`. */
export function describeSession(s: SessionRecord): string {
  return `${s.id}: ${s.command} at ${sessionWhen(s)} by ${s.user}@${s.hostname}`;
}

function shown(p: string): string {
  if (p.includes(',')) return p;
  const rel = path.relative(process.cwd(), p);
  return rel.length < p.length && !rel.startsWith('..') ? rel : p;
}

/**
 * Apply the last session's options to those not given now. `defaultInventory` is what would be
 * used without -i and without memory (the front matter's). Throws BadInputError (exit 2) when -i
 * names another inventory than the last session's and `inventoryChanged` is not set.
 */
export function recall(o: RememberedOptions, last: SessionRecord | undefined, defaultInventory: readonly string[], stateFile: string): Recalled {
  const given = (typeof o.inventory === 'string' ? [o.inventory] : (o.inventory ?? [])).map(inventorySource);
  const defaults = defaultInventory.map(inventorySource);
  if (!last) return { inventory: given.length ? given : defaults, vars: {}, hosts: o.hosts, knownHosts: o.knownHosts, sshConfig: o.sshConfig };

  const reused: string[] = [];
  let inventory: readonly string[];
  let previousInventory: readonly string[] | undefined;
  if (given.length) {
    inventory = given;
    // A state recorded on the local machine (no inventory) may be given one: that is no change of inventory.
    if (last.inventory.length && !sameInventory(given, last.inventory)) {
      const before = last.inventory.join(', ');
      if (!o.inventoryChanged) {
        throw new BadInputError(`-i ${given.join(', ')} is not the inventory this state was recorded with: ${before} (session ${describeSession(last)}; state ${stateFile})`, {
          hint: `pass --inventory-changed to use ${given.join(', ')} from now on (hosts recorded in the state that it no longer has are shown, not dropped), or leave -i out to keep ${before}`,
        });
      }
      previousInventory = last.inventory;
    }
  } else if (last.inventory.length && !sameInventory(last.inventory, defaults)) {
    inventory = last.inventory;
    reused.push(`inventory ${last.inventory.map(shown).join(', ')}`);
  } else inventory = last.inventory.length ? last.inventory : defaults;

  const givenVarNames = new Set((o.var ?? []).map((a) => a.slice(0, Math.max(0, a.indexOf('=')))));
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(last.vars)) if (!givenVarNames.has(k)) vars[k] = v;
  const varNames = Object.keys(vars);
  if (varNames.length) reused.push(`--var ${varNames.map((k) => `${k}=${vars[k]}`).join(' --var ')}`);

  let hosts = o.hosts;
  if (hosts === undefined && last.hosts !== undefined) {
    hosts = last.hosts;
    reused.push(`--hosts ${hosts}`);
  }
  let knownHosts = o.knownHosts;
  if (knownHosts === undefined && last.knownHosts !== undefined) {
    knownHosts = last.knownHosts;
    reused.push(`--known-hosts ${shown(knownHosts)}`);
  }
  let sshConfig = o.sshConfig;
  // commander gives undefined for neither option, false for --no-ssh-config.
  if (sshConfig === undefined && last.sshConfig !== undefined) {
    sshConfig = last.sshConfig;
    reused.push(sshConfig === false ? '--no-ssh-config' : `--ssh-config ${shown(sshConfig)}`);
  }
  const flags = [
    reused.some((r) => r.startsWith('inventory')) && '-i',
    varNames.length && '--var',
    reused.some((r) => r.startsWith('--hosts')) && '--hosts',
    reused.some((r) => r.startsWith('--known-hosts')) && '--known-hosts',
    reused.some((r) => r.startsWith('--ssh-config') || r === '--no-ssh-config') && '--ssh-config',
  ].filter(Boolean);
  const line = reused.length
    ? `using ${reused.join(', ')} from the session of ${sessionWhen(last)} (${last.id}, ${last.command} by ${last.user}@${last.hostname}); pass ${flags.join('/')} to change`
    : undefined;
  return { inventory, vars, hosts, knownHosts, sshConfig, last, ...(reused.length && { from: last }), ...(line && { line }), ...(previousInventory && { previousInventory }) };
}

/** What a new session records: who, where, and the options in effect, secrets by name only. */
export function sessionInfo(command: string, r: { inventory: readonly string[]; vars: Readonly<Record<string, string>>; hosts?: string; knownHosts?: string; sshConfig?: string | false }, secretNames: ReadonlySet<string>): Omit<SessionRecord, 'id' | 'endedAt' | 'outcome'> {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  const vars: Record<string, string> = {};
  const secretVars: string[] = [];
  for (const [k, v] of Object.entries(r.vars)) {
    if (secretNames.has(k) || isSecretName(k)) secretVars.push(k);
    else vars[k] = v;
  }
  return {
    user,
    hostname: os.hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    command,
    inventory: [...r.inventory],
    vars,
    secretVars,
    ...(r.hosts !== undefined && { hosts: r.hosts }),
    ...(r.knownHosts !== undefined && { knownHosts: path.resolve(r.knownHosts) }),
    ...(r.sshConfig !== undefined && { sshConfig: r.sshConfig === false ? false : path.resolve(r.sshConfig) }),
  };
}
