// Property: whatever was recorded, cutting the file at any byte (a crash mid-append, or a disk
// that kept only a prefix) loads without throwing and yields exactly the complete lines' records.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openState } from '../../src/engine/state/stateFile.js';
import { HOST_STATUSES, type HostStepRecord } from '../../src/engine/types.js';
import { tempDir } from './helpers.js';

type Op =
  | { kind: 'set'; step: string; host: string; rec: HostStepRecord }
  | { kind: 'reset'; step?: string; host?: string }
  | { kind: 'flush' };

const name = fc.constantFrom('init', 'join', 'cni', 'step "q"', 'ünï');
const hostName = fc.constantFrom('cp1', 'cp2', 'w1', '10.0.0.1', 'h:ipv6');
const record: fc.Arbitrary<HostStepRecord> = fc.record(
  {
    status: fc.constantFrom(...HOST_STATUSES.filter((s) => s !== 'running')),
    attempts: fc.nat(5),
    hash: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 8 }),
    exitCode: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    message: fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: undefined }),
  },
  { requiredKeys: ['status', 'attempts', 'hash'] },
) as fc.Arbitrary<HostStepRecord>;
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('set' as const), step: name, host: hostName, rec: record }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('reset' as const), step: fc.option(name, { nil: undefined }), host: fc.option(hostName, { nil: undefined }) }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'flush' as const }), weight: 2 },
);

/** Reference model: replay the first `n` set/reset operations. */
function model(ops: Op[], n: number): Record<string, Record<string, HostStepRecord>> {
  const m: Record<string, Record<string, HostStepRecord>> = {};
  for (const o of ops.filter((x) => x.kind !== 'flush').slice(0, n)) {
    if (o.kind === 'set') (m[o.step] ??= {})[o.host] = o.rec;
    else if (o.kind === 'reset') {
      for (const s of o.step === undefined ? Object.keys(m) : [o.step]) {
        if (!m[s]) continue;
        if (o.host === undefined) delete m[s];
        else {
          delete m[s][o.host];
          if (Object.keys(m[s]).length === 0) delete m[s];
        }
      }
    }
  }
  return m;
}

describe('state journal truncation (property)', () => {
  it('loads exactly the records of the complete lines before any cut', async () => {
    const dir = tempDir();
    const runbookPath = path.join(dir, 'site.md');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), fc.nat(), async (ops, cutSeed) => {
        run++;
        const stateFile = path.join(dir, `s${run}.jsonl`);
        const h = await openState({ stateFile, runbookPath, mode: 'write' });
        for (const o of ops) {
          if (o.kind === 'set') h.set(o.step, o.host, o.rec);
          else if (o.kind === 'reset') h.reset(o.step, o.host);
          else await h.flush();
        }
        await h.close();
        const full = readFileSync(stateFile);
        expect((await openState({ stateFile, runbookPath, mode: 'read' })).snapshot()).toEqual(model(ops, Infinity));

        const cut = cutSeed % (full.length + 1);
        const cutFile = path.join(dir, `c${run}.jsonl`);
        writeFileSync(cutFile, full.subarray(0, cut));
        let newlines = 0;
        for (let i = 0; i < cut; i++) if (full[i] === 0x0a) newlines++;
        const expected = newlines === 0 ? {} : model(ops, newlines - 1);
        const loaded = await openState({ stateFile: cutFile, runbookPath, mode: 'read' });
        expect(loaded.snapshot()).toEqual(expected);

        // Opening the cut file for writing cuts the torn tail away and keeps the same records.
        const writer = await openState({ stateFile: cutFile, runbookPath, mode: 'write' });
        expect(writer.snapshot()).toEqual(expected);
        await writer.close();
        if (newlines > 0) expect(readFileSync(cutFile).equals(full.subarray(0, full.lastIndexOf(0x0a, cut - 1) + 1))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
