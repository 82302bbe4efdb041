// The transports of the commands that run steps (run, play): kept apart from session.ts so that
// the commands that only read (status, plan, report...) never load child_process (the local
// transport) nor the routing and ssh modules.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkInputPath } from '../engine/pathCheck.js';
import { createLocalTransport } from '../engine/transport/local.js';
import { createRoutingTransport } from '../engine/transport/routing.js';
import type { SshTransportOptions } from '../engine/transport/ssh.js';
import type { HostKeyPolicy, Transport } from '../engine/transport/types.js';
import { parseDurationOption } from './session.js';

export interface TransportOptions {
  readonly acceptNew?: boolean;
  readonly knownHosts?: string;
  readonly connectTimeout?: string;
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
    connect: async (host, signal) => (await load()).connect?.(host, signal),
    prepare(hosts) {
      if (hosts.length) void load().then((t) => t.prepare?.(hosts), () => undefined);
    },
    async close() {
      if (loaded) await (await loaded).close();
    },
  };
}
