// Shared helpers for the fault suite: a seeded PRNG, bounded condition waits, runbook builders.
import { existsSync, readFileSync } from 'node:fs';

/** mulberry32: a tiny seeded PRNG, so a torture run is reproducible from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A promise resolved after ms (used only where a random delay IS the test, never to synchronise). */
export const after = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll a condition until it holds; rejects after timeoutMs with `what` in the message. */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 20_000, everyMs = 20): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await after(everyMs);
  }
}

export const fence = (attrs: string, body: string, lang = 'bash'): string => `\`\`\`${lang} {${attrs}}\n${body}\n\`\`\`\n`;

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
