// What `run` and `play` both open before any work: the session, a preflight check of every step,
// the state file (locked), the store and the player over a transport.
import { accessSync, constants as fsConstants } from 'node:fs';
import { BadInputError } from '../engine/errors.js';
import { agentSocket } from '../engine/transport/agentSocket.js';
import { resolvePattern } from '../engine/inventory/patterns.js';
import type { Host } from '../engine/types.js';
import type { PlayerEventListener } from '../engine/run/events.js';
import { gateController } from '../engine/run/checkGate.js';
import { createPlayer } from '../engine/run/player.js';
import { preflight, preflightHosts, preflightInSlices } from '../engine/run/preflight.js';
import { openState, type StateHandle } from '../engine/state/stateFile.js';
import { createRunStore, loadRecords, requestPrompt, setChecking, setHostFilter, type RunStore } from '../engine/store.js';
import { loadSession, parseIntOption, type CommonOptions, type Session } from './session.js';
import { checkTransportOptions, createTransport, type TransportOptions } from './transports.js';

export interface RunOptions extends CommonOptions, TransportOptions {
  readonly only?: readonly string[];
  readonly from?: string;
  readonly yes?: boolean;
  readonly forks?: string;
  readonly force?: boolean;
  readonly retryInterrupted?: boolean;
  readonly json?: boolean;
  /** Print every host's output live, `host | line` (run -v / --follow). */
  readonly follow?: boolean;
  /** How often `run` says which hosts a long step is still running on (default 10s). */
  readonly heartbeat?: string;
  /** run: write a report here when the run ends. */
  readonly report?: string;
}

export interface PlayerSession {
  readonly session: Session;
  /** With `deferChecks`, a read-only view until runChecks() opened the state for writing. */
  readonly state: StateHandle;
  readonly store: RunStore;
  readonly player: ReturnType<typeof createPlayer>;
  /**
   * Run the checks left for later (`deferChecks`: the preflight, then the state's write-open and
   * the journal's session line) and start connecting to the targeted hosts meanwhile, showing their progress in the store (`checking`); the player's
   * commands that run or record wait for them. Rejects with the first bad input found
   * (exit 2, state untouched) or the state's error (locked: exit 4). Resolves at once without
   * `deferChecks` (everything ran before the state was opened).
   */
  runChecks(): Promise<void>;
}

/** Hosts some step targets (within --hosts), in inventory order. */
function targetedHosts(session: Session): Host[] {
  const names = new Set<string>();
  for (const s of session.runbook.steps) {
    try {
      for (const h of resolvePattern(session.inventory, s.hosts).hosts) names.add(h.name);
    } catch {
      // a bad pattern is reported by the preflight
    }
  }
  const filter = session.hostFilter ? new Set(session.hostFilter) : undefined;
  return session.inventory.hosts.filter((h) => names.has(h.name) && (!filter || filter.has(h.name)));
}

/**
 * A run that would run nothing is bad input (exit 2), never "every step is complete": an inventory
 * without hosts, or no step in scope (--only/--from) targeting any host of the session (--hosts).
 */
function nothingToRun(session: Session, o: RunOptions): void {
  const { runbook, inventory, hostFilter } = session;
  const where = inventory.file ?? 'the default local inventory';
  if (inventory.hosts.length === 0) {
    throw new BadInputError(`nothing to run: the inventory has no hosts`, { file: inventory.file, hint: 'add hosts to the inventory, or pass the right -i' });
  }
  const from = o.from ? runbook.steps.findIndex((s) => s.id === o.from) : 0;
  const inScope = runbook.steps.slice(Math.max(0, from)).filter((s) => !o.only?.length || o.only.includes(s.id));
  const targeted = inScope.some((s) => {
    try {
      return resolvePattern(inventory, s.hosts).hosts.some((h) => !hostFilter || hostFilter.includes(h.name));
    } catch {
      return false;
    }
  });
  if (!targeted) {
    if (runbook.steps.length === 0) throw new BadInputError('nothing to run: the runbook has no executable step', { file: runbook.path });
    const scope = o.only?.length || o.from ? 'no step selected by --only/--from' : 'no step';
    throw new BadInputError(`nothing to run: ${scope} targets any host of ${where}${hostFilter ? ` within --hosts ${o.hosts}` : ''}`, {
      hint: 'check the steps\' hosts= patterns against the inventory (`runbook plan PATH -i INV`)',
    });
  }
}

/**
 * A private key file the inventory names must be readable before anything connects: a missing key
 * is bad input at the inventory's line (exit 2), not an unreachable host half-way through a run.
 */
function keyFilesReadable(session: Session): void {
  const { runbook, inventory, hostFilter } = session;
  const checked = new Set<string>();
  for (const s of runbook.steps) {
    let hosts;
    try {
      hosts = resolvePattern(inventory, s.hosts).hosts;
    } catch {
      continue;
    }
    for (const h of hosts) {
      if (h.connection !== 'ssh' || !h.privateKeyFile || checked.has(h.name) || (hostFilter && !hostFilter.includes(h.name))) continue;
      checked.add(h.name);
      if (h.identityFileFrom) {
        sshConfigIdentityUsable(h);
        continue;
      }
      try {
        accessSync(h.privateKeyFile, fsConstants.R_OK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new BadInputError(`private key file ${h.privateKeyFile} of host \`${h.name}\` ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(e)})`}`, {
          file: h.privateKeyFileFrom?.file ?? inventory.file,
          line: h.privateKeyFileFrom?.line,
          hint: 'fix ansible_ssh_private_key_file (relative paths are relative to the inventory file), or create the key',
        });
      }
    }
  }
}

/**
 * Keys from the ssh config's IdentityFile lines: like ssh, a missing one is skipped while another
 * identity can be used (another IdentityFile, or an ssh-agent); none at all is bad input naming the
 * ssh config's IdentityFile line (exit 2), before anything connects.
 */
function sshConfigIdentityUsable(h: Host): void {
  const files = [h.privateKeyFile!, ...(h.identityFiles ?? [])];
  const readable = (f: string): boolean => {
    try {
      accessSync(f, fsConstants.R_OK);
      return true;
    } catch {
      return false;
    }
  };
  // An agent may log in instead (under IdentitiesOnly only with keys matching a configured file).
  if (files.some(readable) || (agentSocket(h.identityAgent, process.env.SSH_AUTH_SOCK) && !h.identitiesOnly)) return;
  const from = h.identityFileFrom!;
  throw new BadInputError(`no usable SSH identity for host \`${h.name}\`: the ssh config's IdentityFile ${files.length > 1 ? `files ${files.join(', ')} do` : `file ${files[0]} does`} not exist or cannot be read, and no ssh-agent is available`, {
    file: from.file,
    ...(from.line !== undefined ? { line: from.line } : {}),
    hint: 'fix the IdentityFile line, create the key, or load a key into ssh-agent',
  });
}

/**
 * Bad input fails here, before the state file is opened (exit 2, state untouched). `interactive`:
 * the operator is there to be asked, so unknown host keys raise a prompt in the store, and
 * variables nothing defines are left for the player's prompt instead of failing the preflight.
 * `deferChecks` (play): the player can go on screen at once. The state is only read (no lock, no
 * write), and the preflight (every step rendered for every host), the state's write-open (lock,
 * repair, interrupted steps) and the session line are left to `runChecks()`, run once the player
 * is on screen; until they are done, a command that runs a step or writes a record waits for them
 * (refused if they fail). Bad input the preflight finds still leaves the state untouched.
 */
export async function openPlayerSession(path: string, o: RunOptions, opts: { interactive: boolean; deferChecks?: boolean; onEvent?: PlayerEventListener; onOutput?: (stepId: string, host: string, text: string) => void }): Promise<PlayerSession> {
  const forks = parseIntOption('--forks', o.forks, 1);
  const session = await loadSession(path, o, { savedVars: true, memory: true, executes: true });
  // --known-hosts may come from the last session.
  const transportOptions: TransportOptions = { ...o, knownHosts: session.recalled.knownHosts };
  for (const id of [...(o.only ?? []), ...(o.from ? [o.from] : [])]) {
    if (!session.runbook.steps.some((s) => s.id === id)) {
      throw new BadInputError(`no step with id \`${id}\` in ${session.runbook.title}`, { hint: 'list the step ids with `runbook plan PATH`' });
    }
  }
  checkTransportOptions(transportOptions);
  keyFilesReadable(session);
  // Connect to the hosts while the runbook is validated and the state opened (the player: once its
  // first frame is drawn, with its checks, so that the key exchanges and logins do not hold the
  // frame up). An unknown host key met meanwhile is asked about once the store exists.
  let storeReady!: (s: RunStore) => void;
  const storeLater = new Promise<RunStore>((resolve) => (storeReady = resolve));
  const transport = createTransport(transportOptions, opts.interactive ? async (info, signal) => requestPrompt<boolean>(await storeLater, { kind: 'host-key', ...info }, { signal, answer: false }) : undefined);
  const command = opts.interactive ? 'play' : 'run';
  const openForWriting = (): Promise<StateHandle> => openState({ stateFile: session.paths.stateFile, runbookPath: session.runbook.path, mode: 'write', command: `runbook ${command}` });
  let state: StateHandle;
  let store: RunStore;
  try {
    if (!opts.deferChecks) {
      transport.prepare?.(targetedHosts(session));
      preflight(session.runbook, session.inventory, session.cliVars, { allowMissingVars: opts.interactive });
    }
    // Host patterns are the cheap half of the preflight: a bad one is reported at its line, before
    // the screen opens and before "nothing to run" would hide it.
    if (opts.deferChecks) preflightHosts(session.runbook, session.inventory);
    nothingToRun(session, o);
    state = opts.deferChecks ? await openState({ stateFile: session.paths.stateFile, runbookPath: session.runbook.path, mode: 'read' }) : await openForWriting();
    // Who runs this, from where, with which options: in the journal before any record it makes.
    if (!opts.deferChecks) state.startSession(session.sessionInfo(command));
    store = createRunStore({ runbook: session.runbook, inventory: session.inventory, records: state.snapshot(), interruptedOnLoad: state.interruptedOnLoad });
  } catch (e) {
    await transport.close();
    throw e;
  }
  storeReady(store);
  setHostFilter(store, session.hostFilter);
  const playerOver = (st: StateHandle): ReturnType<typeof createPlayer> =>
    createPlayer({
      runbook: session.runbook,
      inventory: session.inventory,
      transport,
      state: st,
      paths: session.paths,
      store,
      cliVars: session.cliVars,
      forks,
      onEvent: opts.onEvent,
      onOutput: opts.onOutput,
    });
  if (!opts.deferChecks) return { session, state, store, player: playerOver(state), runChecks: () => Promise.resolve() };

  const gate = gateController(playerOver(state), store);
  // The first frame already says what is left to check.
  setChecking(store, `preflight 0/${session.runbook.steps.length} steps`);
  const runChecks = async (): Promise<void> => {
    transport.prepare?.(targetedHosts(session));
    try {
      const passed = await preflightInSlices(session.runbook, session.inventory, session.cliVars, {
        allowMissingVars: opts.interactive,
        signal: gate.signal,
        onProgress: (done, total) => setChecking(store, `preflight ${done}/${total} steps`),
      });
      if (!passed) return;
      setChecking(store, 'opening the state file');
      const written = await openForWriting();
      if (gate.signal.aborted) {
        await written.close();
        return;
      }
      state = written;
      // What the state holds now: steps found running are interrupted, and another command may have
      // recorded something since the first frame.
      loadRecords(store, written.snapshot(), written.interruptedOnLoad);
      written.startSession(session.sessionInfo(command));
      gate.open(playerOver(written));
    } catch (e) {
      gate.fail(e);
      throw e;
    } finally {
      setChecking(store, undefined);
    }
  };
  return {
    session,
    get state() {
      return state;
    },
    store,
    player: gate.controller,
    runChecks,
  };
}
