import { describe, it, expect } from 'vitest';
import { createRoutingTransport } from '../../src/engine/transport/routing.js';
import type { ExecResult, Transport } from '../../src/engine/transport/types.js';
import type { Host } from '../../src/engine/types.js';
import { LOCAL_HOST } from './support.js';

/** A fake transport that records which hosts it ran on. */
function recorder(): Transport & { ran: string[]; closed: boolean } {
  const t = {
    ran: [] as string[],
    closed: false,
    async exec(host: Host): Promise<ExecResult> {
      t.ran.push(host.name);
      return { exitCode: 0, signal: null, durationMs: 0, aborted: false };
    },
    async close() {
      t.closed = true;
    },
  };
  return t;
}

describe('routing transport', () => {
  const sshHost: Host = { ...LOCAL_HOST, name: 'web1', connection: 'ssh' };

  it('sends local hosts to the local transport and ssh hosts to the ssh transport', async () => {
    const ssh = recorder();
    const local = recorder();
    const routing = createRoutingTransport(ssh, local);
    await routing.exec(LOCAL_HOST, 'true');
    await routing.exec(sshHost, 'true');
    expect(local.ran).toEqual(['localhost']);
    expect(ssh.ran).toEqual(['web1']);
  });

  it('close() closes both transports', async () => {
    const ssh = recorder();
    const local = recorder();
    await createRoutingTransport(ssh, local).close();
    expect([ssh.closed, local.closed]).toEqual([true, true]);
  });
});
