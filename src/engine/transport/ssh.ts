// SSH transport on ssh2: the connection pool (sshConnect.ts) plus two ways of running steps on it,
// persistent shell sessions (sshSession.ts, the default) and one exec channel per step (sshExec.ts),
// chosen per step (ExecOptions.session), else per host (inventory var `runbook_session`).
import { BadInputError } from '../errors.js';
import type { Host } from '../types.js';
import { createSshConnector, type SshConnectOptions } from './sshConnect.js';
import { createSshExec, type SshExecOptions } from './sshExec.js';
import { createSessionExec, type SshSessionOptions } from './sshSession.js';
import { SESSION_MODES, type ExecOptions, type SessionMode, type Transport } from './types.js';
import { untilAbort } from './untilAbort.js';

export interface SshTransportOptions extends SshConnectOptions, SshExecOptions, SshSessionOptions {
  /** Session mode of hosts without a `runbook_session` var (default 'shell'). */
  readonly defaultSession?: SessionMode;
}

/** The inventory var that picks a host's session mode. */
export const SESSION_VAR = 'runbook_session';

/** The session mode a host asks for through its inventory vars (else `fallback`). */
export function hostSessionMode(host: Host, fallback: SessionMode = 'shell'): SessionMode {
  const v = host.vars[SESSION_VAR];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string' && (SESSION_MODES as readonly string[]).includes(v)) return v as SessionMode;
  throw new BadInputError(`host ${host.name}: ${SESSION_VAR} must be ${SESSION_MODES.map((m) => `"${m}"`).join(' or ')}, not ${JSON.stringify(v)}`, {
    hint: `"shell" runs steps in one persistent shell per host (the default), "exec" opens one SSH exec channel per step`,
  });
}

/** A Transport that runs scripts over SSH (ssh2), one shared connection per host. */
export function createSshTransport(opts: SshTransportOptions): Transport {
  const connector = createSshConnector(opts);
  const perStep = createSshExec(connector, opts);
  const { exec: sessions, prepare: prepareSession } = createSessionExec(connector, perStep, opts);
  return {
    exec(host: Host, script: string, eo: ExecOptions = {}) {
      let mode: SessionMode;
      try {
        mode = eo.session ?? hostSessionMode(host, opts.defaultSession);
      } catch (e) {
        return Promise.reject(e);
      }
      return mode === 'exec' ? perStep(host, script, eo) : sessions(host, script, eo);
    },
    async connect(host: Host, signal?: AbortSignal) {
      // The pool's connection: the one prepare() opened (or is opening) when it is up, else a new one
      // that may ask the operator about an unknown key (withdrawn if every step waiting for it is
      // aborted). exec() then finds it in the pool.
      await untilAbort(connector.connect(host, { signal }), signal);
    },
    prepare(hosts: readonly Host[]) {
      for (const host of hosts) {
        let mode: SessionMode;
        try {
          mode = hostSessionMode(host, opts.defaultSession);
        } catch {
          continue; // the step reports the bad value
        }
        if (mode === 'shell') prepareSession(host);
        else connector.connect(host, { ask: false }).catch(() => undefined);
      }
    },
    close: () => connector.close(),
  };
}
