import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { openState, needsCompaction } from '../../src/engine/state/stateFile.js';
import { rec, setup } from './helpers.js';

function lineCount(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}

describe('state compaction', () => {
  it('triggers only when lines exceed twice the live records plus 100', () => {
    expect(needsCompaction(300, 100)).toBe(false);
    expect(needsCompaction(301, 100)).toBe(true);
    expect(needsCompaction(100, 0)).toBe(false);
  });

  it('rewrites a mostly-dead journal on write-open and keeps every live record', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) h.set(`step${i}`, `host${round % 3}`, rec('ok', { attempts: round + 1 }));
      h.reset('step9');
    }
    h.set('step0', 'hostR', rec('running'));
    await h.close();
    const expected = (await openState({ stateFile, runbookPath, mode: 'read' })).snapshot();
    const header = readFileSync(stateFile, 'utf8').split('\n')[0];
    expect(lineCount(stateFile)).toBeGreaterThan(200);

    const again = await openState({ stateFile, runbookPath, mode: 'write' });
    expect(again.interruptedOnLoad).toEqual([{ stepId: 'step0', host: 'hostR' }]);
    await again.close();

    const after = await openState({ stateFile, runbookPath, mode: 'read' });
    const want = structuredClone(expected);
    want.step0.hostR = { ...want.step0.hostR, status: 'interrupted', message: after.get('step0', 'hostR')?.message };
    expect(after.snapshot()).toEqual(want);
    expect(lineCount(stateFile)).toBe(1 + 9 * 3 + 1);
    expect(readFileSync(stateFile, 'utf8').split('\n')[0]).toBe(header);
  });

  it('leaves a journal alone when it is not mostly dead', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    for (let i = 0; i < 50; i++) h.set('s', `h${i}`, rec());
    h.set('s', 'h0', rec('failed'));
    await h.close();
    const before = readFileSync(stateFile);
    await (await openState({ stateFile, runbookPath, mode: 'write' })).close();
    expect(readFileSync(stateFile).equals(before)).toBe(true);
  });
});
