// A host that streams to a client too busy to keep up is alive: the bytes it sends are its answer.
// ssh2 counts a keepalive as answered only once the reply is parsed, and the reply waits behind up to
// a window (2 MB) of the channel's data in the client's read queue; with 30 hosts streaming on a
// loaded 2-core machine the player read that slowly and called every host dead after 15 s (all
// steps interrupted, one exit 141). OpenSSH counts only silence the same way (ServerAliveInterval).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { SESSION_MODES } from '../../src/engine/transport/types.js';
import { fixtureHost, fixtureTransport } from './support.js';

let f: SshFixture;
beforeAll(async () => {
  f = await startSshHosts(1, { namePrefix: 'busy' });
});
afterAll(async () => {
  await f?.stop();
});

/** Keep the event loop busy for `ms` (a slow consumer: CPU spent, not a timer waited for). */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe.each(SESSION_MODES)('ssh transport (%s mode): keepalive', (defaultSession) => {
  it('a host streaming to a client that reads slowly is not declared dead: every byte arrives and the step ends 0', async () => {
    // Probes every 100 ms, dead after 2 unanswered: the reply waits behind ~2 MB read at ~2.5 MB/s.
    const ssh = fixtureTransport(f, { defaultSession, keepaliveIntervalMs: 100, keepaliveCountMax: 2 });
    try {
      let bytes = 0;
      const r = await ssh.exec(fixtureHost(f, 0), 'head -c 6000000 /dev/zero', {
        onData: (chunk) => {
          bytes += chunk.length;
          busy(chunk.length / 2500); // 64 KB: ~26 ms
        },
      });
      expect(r.exitCode).toBe(0);
      expect(bytes).toBe(6_000_000);
    } finally {
      await ssh.close();
    }
  });
});
