// Picks the transport for each host from host.connection ('ssh' or 'local').
import type { Host } from '../types.js';
import type { ExecOptions, ExecResult, Transport } from './types.js';

/** A Transport that sends 'local' hosts to `local` and every other host to `ssh`. */
export function createRoutingTransport(ssh: Transport, local: Transport): Transport {
  return {
    exec(host: Host, script: string, opts?: ExecOptions): Promise<ExecResult> {
      return (host.connection === 'local' ? local : ssh).exec(host, script, opts);
    },
    async connect(host: Host, signal?: AbortSignal): Promise<void> {
      const t = host.connection === 'local' ? local : ssh;
      await t.connect?.(host, signal);
    },
    prepare(hosts: readonly Host[]): void {
      ssh.prepare?.(hosts.filter((h) => h.connection !== 'local'));
    },
    async close(): Promise<void> {
      await Promise.all([ssh.close(), local.close()]);
    },
  };
}
