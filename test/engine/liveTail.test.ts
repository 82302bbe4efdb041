// The live tail of a host's output (what the player shows below the hosts pane): the last
// TAIL_LINES complete lines and the incomplete one, whatever the chunks, however many lines a chunk holds.
import { describe, expect, it } from 'vitest';
import { appendLive, createRunStore, liveKey, TAIL_LINES } from '../../src/engine/store.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { chunkedLines } from '../helpers/random.js';

const chunks = (seed: number, lines: number): string[] => chunkedLines(seed, lines, { width: 40 });

function store() {
  const runbook = parseRunbookText('```bash {id=s}\necho\n```\n', '/t/live.md');
  const inventory = parseInventory('all:\n  hosts:\n    h1: {ansible_connection: local}\n', '/t/inv.yaml');
  return createRunStore({ runbook, inventory });
}

/** The tail as splitting everything received would give it. */
function expected(all: string): { tail: string[]; partial: string } {
  const parts = all.split(/\r?\n/);
  const partial = parts.pop() ?? '';
  return { tail: parts.slice(-TAIL_LINES), partial };
}


describe('live tail', () => {
  for (const [seed, lines] of [[1, 50], [2, 2_000], [3, 20_000]] as const) {
    it(`keeps the last ${TAIL_LINES} lines and the partial one of ${lines} lines in chunks of 1 B to 40 KB (seed ${seed})`, () => {
      const s = store();
      let all = '';
      for (const c of chunks(seed, lines)) {
        appendLive(s, 's', 'h1', c);
        all += c;
        const live = s.getState().live[liveKey('s', 'h1')];
        expect({ tail: live.tail, partial: live.partial }).toEqual(expected(all));
      }
    });
  }

  it('replaces the whole tail with the end of a chunk that holds more than TAIL_LINES lines', () => {
    const s = store();
    appendLive(s, 's', 'h1', 'old 1\nold 2\nhalf');
    const many = Array.from({ length: TAIL_LINES + 5 }, (_, i) => `new ${i}`).join('\n');
    appendLive(s, 's', 'h1', `${many}\n`);
    const live = s.getState().live[liveKey('s', 'h1')];
    expect(live.tail).toHaveLength(TAIL_LINES);
    expect(live.tail[0]).toBe('new 5');
    expect(live.tail.at(-1)).toBe(`new ${TAIL_LINES + 4}`);
    expect(live.partial).toBe('');
  });
});
