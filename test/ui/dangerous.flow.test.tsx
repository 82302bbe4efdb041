// Over the REAL engine and a real state file: a dangerous key asks, n leaves the state file
// byte for byte as it was, y records it.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fence, removeDir, startFlow, stateOnDisk, KEYS, type Flow } from './realEngine.js';

const BOOK = ['# Maintenance\n', '## Prepare\n', fence('id=drain', 'echo draining {{ host.name }}'), fence('id=backup', 'echo backing up')].join('\n');

let f: Flow | undefined;
afterEach(async () => {
  if (!f) return;
  await f.close();
  removeDir(f.dir);
  f = undefined;
});

async function stateBytes(flow: Flow): Promise<string> {
  await flow.state.flush();
  return existsSync(flow.stateFile) ? readFileSync(flow.stateFile, 'utf8') : '';
}

describe('asking before recording a step skipped or done by hand (real state file)', () => {
  it('s shows the step and its hosts; n leaves the state file unchanged and runs nothing', async () => {
    f = await startFlow(BOOK);
    const before = await stateBytes(f);
    await f.press('s');
    await f.waitFor((x) => x.includes('Skip step `drain` on web1, web2, db1? It will be recorded as skipped and play will pass it.'), 'the skip question');
    await f.press('n');
    await f.waitFor((x) => x.includes('nothing recorded'), 'cancelled');
    expect(await stateBytes(f)).toBe(before);
    expect((await stateOnDisk(f)).drain).toBeUndefined();
    expect(f.transport.calls).toHaveLength(0);
  });

  it('m shows the host; Esc leaves the state file unchanged', async () => {
    f = await startFlow(BOOK);
    const before = await stateBytes(f);
    await f.press(KEYS.tab, KEYS.tab, KEYS.down, 'm');
    await f.waitFor((x) => x.includes('Mark `drain` done by hand on web2?'), 'the mark-done question');
    await f.press(KEYS.esc);
    await f.waitFor((x) => x.includes('nothing recorded'), 'cancelled');
    expect(await stateBytes(f)).toBe(before);
  });

  it('y records the step skipped on every host listed, without running it', async () => {
    f = await startFlow(BOOK);
    await f.press('s');
    await f.waitFor((x) => x.includes('Skip step `drain`'), 'the skip question');
    await f.press('y');
    await f.waitFor((x) => /drain\s+✔ 3\/3/.test(x), 'drain skipped');
    const recs = (await stateOnDisk(f)).drain;
    expect(Object.fromEntries(Object.entries(recs).map(([h, r]) => [h, r.status]))).toEqual({ web1: 'skipped', web2: 'skipped', db1: 'skipped' });
    expect(f.transport.calls).toHaveLength(0);
  });
});
