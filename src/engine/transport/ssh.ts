// SSH transport on ssh2: the connection pool (sshConnect.ts) plus running steps on it (sshExec.ts).
import { createSshConnector, type SshConnectOptions } from './sshConnect.js';
import { createSshExec, type SshExecOptions } from './sshExec.js';
import type { Transport } from './types.js';

export interface SshTransportOptions extends SshConnectOptions, SshExecOptions {}

/** A Transport that runs scripts over SSH (ssh2), one shared connection per host. */
export function createSshTransport(opts: SshTransportOptions): Transport {
  const connector = createSshConnector(opts);
  const exec = createSshExec(connector, opts);
  return { exec, close: () => connector.close() };
}
