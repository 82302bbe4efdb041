// RecentText: the recent output of a host kept as the chunks received (src/engine/run/recentText.ts).
// What the player's live tail is built from must be what splitting everything received gives.
import { describe, expect, it } from 'vitest';
import { RecentText } from '../../src/engine/run/recentText.js';
import { appendLive, createRunStore, liveKey, TAIL_LINES } from '../../src/engine/store.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { chunkedLines } from '../helpers/random.js';

/** Lines of varied length (some \r\n, some empty), cut into chunks of 1 B to 40 KB. */
const chunks = (seed: number, lines: number): string[] => chunkedLines(seed, lines, { width: 150, blankEvery: 20 });


describe('recent text', () => {
  it('keeps at least the last `keep` characters received, in order', () => {
    const r = new RecentText(1000);
    let all = '';
    for (const c of chunks(7, 3_000)) {
      r.push(c);
      all += c;
      expect(r.text().endsWith(all.slice(-1000))).toBe(true);
    }
  });

  it('holds a bounded amount: the last `keep` characters and at most one piece more', () => {
    const r = new RecentText(4096);
    let biggest = 0;
    for (const c of chunks(8, 5_000)) {
      r.push(c);
      biggest = Math.max(biggest, c.length);
      expect(r.text().length).toBeLessThanOrEqual(4096 + biggest);
    }
  });

  it('from the n-th line break from the end: the last n line breaks and what follows them', () => {
    const r = new RecentText(65536);
    let all = '';
    for (const c of chunks(9, 2_000)) {
      r.push(c);
      all += c;
      for (const n of [1, 2, 5, 201]) {
        const got = r.fromLineBreak(n);
        expect(all.endsWith(got)).toBe(true);
        const breaks = got.split('\n').length - 1;
        expect(breaks).toBeGreaterThanOrEqual(Math.min(n, all.split('\n').length - 1));
      }
    }
  });

  for (const [seed, lines] of [[1, 50], [2, 2_000], [3, 20_000]] as const) {
    it(`batched into the store as the player does, gives the tail of everything received (seed ${seed}, ${lines} lines)`, () => {
      const runbook = parseRunbookText('```bash {id=s}\necho\n```\n', '/t/live.md');
      const inventory = parseInventory('all:\n  hosts:\n    h1: {ansible_connection: local}\n', '/t/inv.yaml');
      const store = createRunStore({ runbook, inventory });
      const pending = new RecentText(65536);
      let all = '';
      let k = 0;
      for (const c of chunks(seed, lines)) {
        pending.push(c);
        all += c;
        // A batch every few chunks, as the engine's 50 ms timer would make them.
        if (++k % 4 !== 0) continue;
        appendLive(store, 's', 'h1', pending.fromLineBreak(TAIL_LINES + 1));
        pending.clear();
        const parts = all.split(/\r?\n/);
        const partial = parts.pop() ?? '';
        const live = store.getState().live[liveKey('s', 'h1')];
        expect({ tail: live.tail, partial: live.partial }).toEqual({ tail: parts.slice(-TAIL_LINES), partial: partial.slice(-4096) });
      }
    });
  }
});
