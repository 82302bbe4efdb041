import { describe, expect, it } from 'vitest';
import { forEachLimit } from '../../src/engine/run/limit.js';

describe('forEachLimit', () => {
  it('never has more than the limit in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    await forEachLimit([1, 2, 3, 4, 5, 6, 7], 3, async () => {
      peak = Math.max(peak, ++inFlight);
      await Promise.resolve();
      inFlight--;
    });
    expect(peak).toBe(3);
  });

  it('waits for the calls in flight before rethrowing the first error, and starts no new one', async () => {
    const finished: number[] = [];
    let releaseSlow!: () => void;
    const slow = new Promise<void>((r) => (releaseSlow = r));
    const run = forEachLimit([1, 2, 3, 4], 2, async (i) => {
      if (i === 1) {
        await slow;
        finished.push(1);
        return;
      }
      if (i === 2) throw new Error('boom');
      finished.push(i);
    });
    let settled = false;
    void run.catch(() => (settled = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(false);
    releaseSlow();
    await expect(run).rejects.toThrow('boom');
    expect(finished).toEqual([1]);
  });
});
