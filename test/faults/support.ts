// Shared helpers for the fault suite: a seeded PRNG, bounded condition waits, runbook builders.
import { existsSync, readFileSync } from 'node:fs';
import type { CliProcess } from '../helpers/cli.js';
export { fence } from '../helpers/markdown.js';
export { prng } from '../helpers/random.js';

/** A promise resolved after ms (used only where a random delay IS the test, never to synchronise). */
export const after = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * waitUntil for a condition a running CLI brings about: rejects at once, with the CLI's output,
 * when the CLI has exited instead (so a failure says why, not only that time ran out), and
 * allows 40 s (a loaded 2-core machine has taken over 20 s to start a step over SSH).
 */
export async function waitForCli(p: CliProcess, cond: () => boolean, what: string, timeoutMs = 40_000): Promise<void> {
  const ended = (): boolean => p.child.exitCode !== null || p.child.signalCode !== null;
  try {
    await waitUntil(() => cond() || ended(), what, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}; the CLI's output so far:\n${p.stdout()}`);
  }
  if (!cond()) {
    const r = await p.done;
    throw new Error(`the CLI exited (code ${r.code}, signal ${r.signal}) before ${what}:\n${r.stdout}${r.stderr}`);
  }
}

/** Poll a condition until it holds; rejects after timeoutMs with `what` in the message. */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 20_000, everyMs = 20): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await after(everyMs);
  }
}


/** Lines of a counter file (empty when it does not exist). */
export function counterLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

/** Does a process with this pid exist (and is not a zombie)? */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A loopback address:port where nobody answers: a listener (perl, part of every Debian base
 * system) with backlog 0 that never accepts, whose accept queue the helper fills. The kernel
 * then drops further SYNs, so a TCP connect hangs exactly like one to a black-holed host.
 */
export async function listenBlackhole(address: string): Promise<{ address: string; port: number; close(): void }> {
  const { spawn } = await import('node:child_process');
  const net = await import('node:net');
  const script =
    'use Socket; socket(S, PF_INET, SOCK_STREAM, 0) or die; bind(S, sockaddr_in(0, inet_aton($ARGV[0]))) or die "bind: $!"; ' +
    'listen(S, 0) or die; my ($p) = sockaddr_in(getsockname(S)); $| = 1; print "$p\\n"; <STDIN>;';
  const proc = spawn('perl', ['-e', script, address], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    proc.once('exit', (c) => reject(new Error(`blackhole listener exited (${c})`)));
  });
  // Fill the accept queue: connect until a connection stays pending.
  const fillers: import('node:net').Socket[] = [];
  for (let i = 0; i < 16; i++) {
    const s = net.connect({ host: address, port });
    s.on('error', () => undefined);
    fillers.push(s);
    const connected = await Promise.race([new Promise<boolean>((r) => s.once('connect', () => r(true))), after(300).then(() => false)]);
    if (!connected) break; // this SYN was dropped: the queue is full
  }
  return {
    address,
    port,
    close(): void {
      for (const s of fillers) s.destroy();
      proc.kill('SIGKILL');
    },
  };
}
