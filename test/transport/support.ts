// Shared helpers for the transport tests (not a test file).
import * as fs from 'node:fs';
import type { Host } from '../../src/engine/types.js';
import type { ExecOptions, OutputStream } from '../../src/engine/transport/types.js';
import { createSshTransport, type SshTransportOptions } from '../../src/engine/transport/ssh.js';
import type { SshFixture } from '../helpers/sshd.js';

/** The inventory Host for fixture host i (rbtest with the fixture key). */
export function fixtureHost(f: SshFixture, i: number, over: Partial<Host> = {}): Host {
  const h = f.hosts[i];
  return {
    name: h.name,
    address: h.address,
    port: h.port,
    user: f.user,
    privateKeyFile: f.privateKeyFile,
    connection: 'ssh',
    groups: ['all'],
    vars: {},
    ...over,
  };
}

export const LOCAL_HOST: Host = { name: 'localhost', address: '127.0.0.1', port: 22, connection: 'local', groups: ['all'], vars: {} };

/** An ssh transport that trusts the fixture's known_hosts and never touches ~/.ssh or an agent. */
export function fixtureTransport(f: SshFixture, over: Partial<SshTransportOptions> = {}) {
  return createSshTransport({
    hostKeys: { knownHostsFile: f.knownHostsFile, acceptNew: false },
    agent: '',
    defaultIdentityFiles: [],
    connectTimeoutMs: 5000,
    ...over,
  });
}

/** Collects onData chunks in arrival order. */
export function collector() {
  const chunks: { stream: OutputStream; text: string }[] = [];
  const listeners: (() => void)[] = [];
  const onData: NonNullable<ExecOptions['onData']> = (chunk, stream) => {
    chunks.push({ stream, text: chunk.toString() });
    for (const l of listeners) l();
  };
  const text = (stream?: OutputStream): string =>
    chunks.filter((c) => !stream || c.stream === stream).map((c) => c.text).join('');
  /** Resolves once the collected output (any stream) contains `s`; rejects after timeoutMs. */
  const waitForText = (s: string, timeoutMs = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      if (text().includes(s)) return resolve();
      const t = setTimeout(() => reject(new Error(`output never contained ${JSON.stringify(s)}; got ${JSON.stringify(text())}`)), timeoutMs);
      listeners.push(() => {
        if (text().includes(s)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
  return { onData, chunks, text, waitForText };
}

/** True when the pid no longer exists (or is a zombie awaiting its reaper). */
export function processGone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Poll a condition until it holds; fails after timeoutMs. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Numbers printed as "pid N" lines. */
export function pidsIn(text: string): number[] {
  return [...text.matchAll(/^pid (\d+)$/gm)].map((m) => Number(m[1]));
}

/**
 * A script whose whole process tree ignores SIGTERM: a subshell and two sleeps, each printing
 * "pid N" before "ready".
 */
export const TERM_IGNORING_TREE = `trap '' TERM
echo "pid $BASHPID"
( trap '' TERM; sleep 300 & echo "pid $!"; wait ) &
echo "pid $!"
sleep 300 &
echo "pid $!"
echo ready
wait
`;
