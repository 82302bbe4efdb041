// Shared by the fuzz suites: run counts, error-shape checks, and generators of hostile text.
import fc from 'fast-check';
import { expect } from 'vitest';
import { BadInputError, StateError } from '../../src/engine/errors.js';

/** Cases per property (FUZZ_RUNS, default 10,000). */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/** Fixed seed unless FUZZ_SEED is set, so a CI failure reproduces; the seed is printed on failure. */
export const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20260501;
/** Per-property time limit: generous, since CI shares 2 cores with the rest of the suite. */
export const FUZZ_TIMEOUT = 600_000;
export const fcOptions = (runs = RUNS): fc.Parameters<unknown> => ({ numRuns: runs, seed: SEED, endOnFailure: true });

/**
 * The bad-input property: `fn` either returns or throws BadInputError naming `file` and, when
 * `needLine`, a 1-based line no further than `maxLine`. Any other exception is a bug.
 */
export function expectValidOrBadInput<T>(fn: () => T, file: string, opts: { needLine: boolean; maxLine?: number }): T | BadInputError {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof BadInputError)) throw new Error(`not a BadInputError: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
    expect(e.file, e.message).toBe(file);
    if (opts.needLine) {
      expect(e.line, `no line in: ${e.message}`).toBeTypeOf('number');
      expect(Number.isInteger(e.line) && e.line! >= 1, `line ${e.line}`).toBe(true);
      if (opts.maxLine !== undefined) expect(e.line!, e.message).toBeLessThanOrEqual(opts.maxLine);
    }
    expect(e.message).not.toMatch(/\n\s+at /);
    return e;
  }
}

/** Like expectValidOrBadInput for the state loader: StateError whose message starts `file:line:`. */
export function expectValidOrStateError<T>(fn: () => T, file: string): T | StateError {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof StateError)) throw new Error(`not a StateError: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack}`);
    expect(e.file).toBe(file);
    expect(e.message.startsWith(`${file}:`), e.message).toBe(true);
    expect(e.message.slice(file.length + 1)).toMatch(/^\d+: /);
    expect(e.exitCode).toBe(2);
    return e;
  }
}

/** Arbitrary bytes decoded as UTF-8 (invalid sequences become U+FFFD, NULs and controls stay). */
export const binaryText = fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('utf8'));

/** Text from any code points, including astral ones and lone surrogates. */
export const anyText = fc.string({ unit: 'binary', maxLength: 200 });

/** A single very long line (up to 50 KB). */
export const hugeLine = fc
  .tuple(fc.constantFrom('a', '{', '"', '\\', ' ', '=', '-', 'é', '\u0000', '🙂'), fc.integer({ min: 10_000, max: 50_000 }))
  .map(([c, n]) => c.repeat(n));

export type NestingKind = 'flow-seq' | 'flow-map' | 'block-map' | 'block-seq';

/** YAML nested `n` levels deep (block styles capped at 400 levels: indentation grows quadratically). */
export function nestedYaml(n: number, kind: NestingKind): string {
  switch (kind) {
    case 'flow-seq':
      return `${'['.repeat(n)}1${']'.repeat(n)}`;
    case 'flow-map':
      return `${'{a: '.repeat(n)}1${'}'.repeat(n)}`;
    case 'block-map':
      return Array.from({ length: Math.min(n, 400) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1';
    default:
      return Array.from({ length: Math.min(n, 400) }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n') + '1';
  }
}

/** Deeply nested YAML in flow and block style (20 to 120 levels; deterministic tests go 50,000 deep). */
export const deepYaml = fc
  .tuple(fc.integer({ min: 20, max: 120 }), fc.constantFrom<NestingKind>('flow-seq', 'flow-map', 'block-map', 'block-seq'))
  .map(([n, kind]) => nestedYaml(n, kind));

/** Apply random edits to a valid text: delete, duplicate, insert garbage, swap lines, flip bytes. */
export function mutate(valid: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(anyText, binaryText, fc.constantFrom('\n', '---\n', '```', '{', '}', '"', "'", ':', '- ', '  ', '\t', '{{', '}}', '{%', '%}', '&a', '*a', '!!js/function', '<<: *a', '[', ']', '#', '\r\n', '\uFEFF')) }),
    fc.record({ kind: fc.constant('dupLine' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let t = valid;
    for (const e of edits) {
      const n = Math.max(t.length, 1);
      if (e.kind === 'delete') t = t.slice(0, e.at % n) + t.slice((e.at % n) + e.len);
      else if (e.kind === 'insert') t = t.slice(0, e.at % (t.length + 1)) + e.text + t.slice(e.at % (t.length + 1));
      else if (e.kind === 'flip') t = t.slice(0, e.at % n) + String.fromCharCode(e.byte) + t.slice((e.at % n) + 1);
      else {
        const lines = t.split('\n');
        if (e.kind === 'dupLine') lines.splice(e.at % lines.length, 0, lines[e.at % lines.length]);
        else {
          const a = e.a % lines.length;
          const b = e.b % lines.length;
          [lines[a], lines[b]] = [lines[b], lines[a]];
        }
        t = lines.join('\n');
      }
    }
    return t;
  });
}
