// Seeded randomness for generated test inputs: a failure names its seed and replays exactly.

/** mulberry32: a tiny seeded PRNG giving floats in [0, 1). */
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

/**
 * A deterministic stream of `lines` lines of 0 to `width` x's after `line N `, one in five ending
 * in \r\n, one in `blankEvery` empty (when given), then an unterminated `no newline yet`; cut into
 * chunks of 1 B to 300 B, one in three up to 40 KB. The same seed gives the same chunks.
 */
export function chunkedLines(seed: number, lines: number, opts: { readonly width: number; readonly blankEvery?: number }): string[] {
  let x = seed;
  const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) % 2147483648), x % n);
  let text = '';
  for (let i = 0; i < lines; i++) {
    text += opts.blankEvery && rnd(opts.blankEvery) === 0 ? '\n' : `line ${i} ${'x'.repeat(rnd(opts.width))}${rnd(5) === 0 ? '\r\n' : '\n'}`;
  }
  text += 'no newline yet';
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + rnd(rnd(3) === 0 ? 40_000 : 300);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}
