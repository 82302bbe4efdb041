// Fuzzing the state-file loader: parseJournal on generated and mutated journals (bit flips,
// truncation, garbage, other runbooks, other schema versions), and openState on mutated files.
// Property: a loaded journal, or StateError(exit 2) naming file:line — and a refused file is
// left byte for byte as it was.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StateError } from '../../src/engine/errors.js';
import { headerLine, parseJournal, recLine, resetLine, STATE_SCHEMA, textLine } from '../../src/engine/state/journal.js';
import { openState } from '../../src/engine/state/stateFile.js';
import { HOST_STATUSES, type HostStepRecord } from '../../src/engine/types.js';
import { expectValidOrStateError, fcOptions, RUNS, FUZZ_TIMEOUT } from './support.js';

const RUNBOOK = '/srv/runbooks/site.md';
const FILE = '/srv/runbooks/.runbook/site.state.jsonl';

const record = fc.record({
  status: fc.constantFrom(...HOST_STATUSES),
  attempts: fc.nat(5),
  hash: fc.stringMatching(/^[0-9a-f]{1,8}$/),
  exitCode: fc.option(fc.integer({ min: -1, max: 255 }), { nil: undefined }),
  message: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  captured: fc.option(fc.record({ name: fc.constant('v'), value: fc.option(fc.string({ maxLength: 10 }), { nil: null }), secret: fc.boolean() }), { nil: undefined }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as HostStepRecord);
const id = fc.constantFrom('a', 'b', 'init', 'join', 'h1', 'h2', 'web/1', 'dup');
const entryLine = fc.oneof(
  { arbitrary: fc.tuple(id, id, record).map(([s, h, r]) => recLine(s, h, r)), weight: 5 },
  { arbitrary: fc.tuple(fc.option(id, { nil: undefined }), fc.option(id, { nil: undefined })).map(([s, h]) => resetLine(s, h)), weight: 1 },
  { arbitrary: fc.tuple(id, fc.stringMatching(/^[0-9a-f]{1,8}$/), fc.string({ maxLength: 40 })).map(([s, h, t]) => textLine(s, h, t)), weight: 1 },
);
const validJournal = fc.array(entryLine, { maxLength: 12 }).map((ls) => headerLine(RUNBOOK, '2026-01-01T00:00:00.000Z') + ls.join(''));

const otherHeader = fc.oneof(
  fc.constant(headerLine('/srv/other/runbook.md', '2026-01-01T00:00:00.000Z')),
  fc.integer({ min: -3, max: 9 }).filter((v) => v !== 1 && v !== 2).map((v) => JSON.stringify({ schema: STATE_SCHEMA, version: v, runbook: RUNBOOK, createdAt: 'x' }) + '\n'),
  fc.constantFrom('{"schema":"runbook-state","version":"1","runbook":"/srv/runbooks/site.md","createdAt":"x"}\n', '{"schema":"other","version":1}\n', '[]\n', 'null\n', '{}\n', '{"schema":"runbook-state","version":1,"runbook":5,"createdAt":"x"}\n', '{"schema":"runbook-state","version":1.5,"runbook":"/srv/runbooks/site.md","createdAt":"x"}\n'),
);

/** Byte-level damage: flip, delete, insert, truncate, duplicate or splice in garbage. */
function damage(buf: Buffer): fc.Arbitrary<Buffer> {
  const op = fc.oneof(
    fc.record({ k: fc.constant('flip' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ k: fc.constant('del' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 30 }) }),
    fc.record({ k: fc.constant('ins' as const), at: fc.nat(), b: fc.uint8Array({ minLength: 1, maxLength: 30 }) }),
    fc.record({ k: fc.constant('ins' as const), at: fc.nat(), b: fc.constantFrom('\n', '{', '}', '"', ',', '\\', 'null', '\u0000', '\uFFFD', '{"t":"rec"}\n', '{"t":"reset","step":""}\n', '{"t":"rec","step":"a","host":"h","rec":{"status":"ok","attempts":-1,"hash":"x"}}\n').map((s) => new Uint8Array(Buffer.from(s))) }),
    fc.record({ k: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ k: fc.constant('dup' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 200 }) }),
  );
  return fc.array(op, { minLength: 1, maxLength: 5 }).map((ops) => {
    let b = Buffer.from(buf);
    for (const o of ops) {
      const at = o.at % (b.length + 1);
      if (o.k === 'flip') {
        if (b.length) b[o.at % b.length] = o.v;
      } else if (o.k === 'del') b = Buffer.concat([b.subarray(0, at), b.subarray(at + o.n)]);
      else if (o.k === 'ins') b = Buffer.concat([b.subarray(0, at), Buffer.from(o.b), b.subarray(at)]);
      else if (o.k === 'cut') b = b.subarray(0, at);
      else b = Buffer.concat([b.subarray(0, at + o.n), b.subarray(at)]);
    }
    return b;
  });
}
const damagedJournal = validJournal.chain((j) => damage(Buffer.from(j)));

const parse = (buf: Buffer) => expectValidOrStateError(() => parseJournal(buf, FILE, RUNBOOK), FILE);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('fuzz: parseJournal', () => {
  it('loads every generated valid journal completely', () => {
    fc.assert(
      fc.property(validJournal, (j) => {
        const r = parseJournal(Buffer.from(j), FILE, RUNBOOK);
        expect(r.validLength).toBe(Buffer.byteLength(j));
        expect(r.entries).toHaveLength(j.split('\n').length - 2);
      }),
      fcOptions(),
    );
  }, FUZZ_TIMEOUT);

  it('loads or refuses with StateError(file:line, exit 2) every damaged journal', () => {
    fc.assert(fc.property(damagedJournal, (b) => void parse(b)), fcOptions());
  }, FUZZ_TIMEOUT);

  it('accepts only a journal prefix: what it loads never extends past the valid length', () => {
    fc.assert(
      fc.property(damagedJournal, (b) => {
        const r = parse(b);
        if (r instanceof StateError) return;
        expect(r.validLength).toBeLessThanOrEqual(b.length);
        if (r.validLength > 0) expect(b[r.validLength - 1]).toBe(0x0a);
      }),
      fcOptions(),
    );
  }, FUZZ_TIMEOUT);

  it('refuses a journal of another runbook or another schema version, naming line 1', () => {
    fc.assert(
      fc.property(otherHeader, fc.array(entryLine, { maxLength: 3 }), (h, ls) => {
        const r = parse(Buffer.from(h + ls.join('')));
        expect(r).toBeInstanceOf(StateError);
        expect((r as StateError).message).toMatch(new RegExp(`^${FILE.replaceAll('.', '\\.')}:1: `));
      }),
      fcOptions(),
    );
  }, FUZZ_TIMEOUT);

  it('loads or refuses binary garbage and huge lines', () => {
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.from(a)),
      fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.concat([Buffer.from(headerLine(RUNBOOK)), Buffer.from(a)])),
      fc.tuple(fc.constantFrom('x', '{', '"', '\n', '{"t":"reset"}\n'), fc.integer({ min: 1000, max: 5_000 })).map(([c, n]) => Buffer.from(headerLine(RUNBOOK) + c.repeat(n))),
    );
    fc.assert(fc.property(garbage, (b) => void parse(b)), fcOptions());
  }, FUZZ_TIMEOUT);
});

describe('fuzz: openState on damaged files', () => {
  const runs = Math.max(50, Math.floor(RUNS / 10));
  it(`leaves a refused state file byte for byte untouched, and opens an accepted one to the records it parsed (${runs} files)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-fuzz-state-'));
    dirs.push(dir);
    const runbook = join(dir, 'site.md');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(validJournal.map((j) => j.replace(RUNBOOK, runbook)).chain((j) => damage(Buffer.from(j))), async (bytes) => {
        const file = join(dir, `s${n++}.jsonl`);
        writeFileSync(file, bytes, { mode: 0o600 });
        let parsed: ReturnType<typeof parseJournal> | StateError;
        try {
          parsed = parseJournal(bytes, file, runbook);
        } catch (e) {
          parsed = e as StateError;
        }
        try {
          const h = await openState({ stateFile: file, runbookPath: runbook, mode: 'write' });
          await h.close();
          expect(parsed).not.toBeInstanceOf(StateError);
          // What is on disk now loads cleanly (torn tail cut, interrupted marks appended).
          expect(() => parseJournal(readFileSync(file), file, runbook)).not.toThrow();
        } catch (e) {
          if (!(e instanceof StateError)) throw e;
          expect(e.exitCode).toBe(2);
          expect(parsed).toBeInstanceOf(StateError);
          expect(Buffer.compare(readFileSync(file), bytes)).toBe(0);
        }
        rmSync(file, { force: true });
      }),
      fcOptions(runs),
    );
  }, FUZZ_TIMEOUT);
});
