// Live output renders only what is on screen (issue 14 defect 9): output of a step the operator is
// not looking at draws no frame, so 30 streaming hosts do not compete with the keys for the CPU;
// output of the selected step is drawn; a key shows the latest output of the step it lands on.
import { afterEach, describe, expect, it } from 'vitest';
import { appendLive, setMode, setRecord } from '../../src/engine/store.js';
import { fleet, makeRunbook } from './fixtures.js';
import { KEYS, renderApp, tick, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const BOOK = makeRunbook([{ title: 'Build', steps: [{ id: 'stream' }, { id: 'other' }] }]);

async function streaming(): Promise<Harness> {
  const { hosts } = fleet(30);
  const harness = await renderApp(BOOK, { hosts, width: 80, height: 23 });
  const step = BOOK.steps[0];
  setMode(harness.store, 'running', 'stream');
  for (const host of hosts) setRecord(harness.store, 'stream', host, { status: 'running', attempts: 1, hash: step.hash, startedAt: new Date(0).toISOString() });
  await tick();
  return harness;
}

describe('live output renders', () => {
  it('draws no frame for output of a step that is not selected', async () => {
    h = await streaming();
    await h.press('j');
    await h.waitFor((f) => /› other/.test(f), 'the other step selected');
    const frames = h.frameCount();
    for (let i = 0; i < 20; i++) appendLive(h.store, 'stream', fleet(30).hosts[i % 30], `line ${i}\n`);
    await tick();
    await tick();
    expect(h.frameCount()).toBe(frames);
  });

  it('draws the output of the selected step', async () => {
    h = await streaming();
    await h.waitFor((f) => /› stream/.test(f), 'the stream step selected');
    appendLive(h.store, 'stream', 'm1', 'visible at once\n');
    await h.waitFor((f) => f.includes('visible at once'), 'the output of m1 on screen');
  });

  it('shows the latest output of the step a key lands on, drawn or not before', async () => {
    h = await streaming();
    await h.press('j');
    await h.waitFor((f) => /› other/.test(f), 'the other step selected');
    appendLive(h.store, 'stream', 'm1', 'written while away\n');
    await h.press(KEYS.up);
    await h.waitFor((f) => /› stream/.test(f) && f.includes('written while away'), 'the stream step with its latest output');
  });
});
