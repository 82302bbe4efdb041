// The variable prompt's "save for next time" choice (Tab), over the fake controller.
import { afterEach, describe, expect, it } from 'vitest';
import { requestPrompt } from '../../src/engine/store.js';
import { makeRunbook } from './fixtures.js';
import { KEYS, renderApp, type Harness } from './harness.js';

const rb = makeRunbook([{ title: 'Deploy', steps: [{ id: 'deploy' }] }]);

let h: Harness | undefined;
afterEach(() => h?.unmount());

async function prompt(name: string, secret: boolean): Promise<{ h: Harness; answer: Promise<string | undefined> }> {
  h = await renderApp(rb);
  const answer = requestPrompt<string | undefined>(h.store, { kind: 'var', name, secret });
  await h.waitFor((f) => f.includes(`The runbook needs a value for ${name}`), 'var prompt');
  return { h, answer };
}

describe('saving a prompted variable for next time', () => {
  it('is offered plainly and off by default: Enter keeps the value in memory only', async () => {
    const { h, answer } = await prompt('region', false);
    expect(h.frame()).toContain('[ ] save for next time');
    expect(h.frame()).toContain('Tab save for next time');
    await h.press('e', 'u', KEYS.enter);
    await expect(answer).resolves.toBe('eu');
    expect(h.controller.calls).toContainEqual({ fn: 'setVar', name: 'region', value: 'eu' });
    expect(h.controller.calls.filter((c) => c.fn === 'saveVar')).toEqual([]);
  });

  it('Tab turns it on, and Enter then saves the value as well as using it', async () => {
    const { h, answer } = await prompt('region', false);
    await h.press('e', 'u', KEYS.tab);
    await h.waitFor((f) => f.includes('[x] save for next time'), 'toggle on');
    expect(h.frame()).toContain('region = eu');
    await h.press(KEYS.enter);
    await expect(answer).resolves.toBe('eu');
    expect(h.controller.calls).toContainEqual({ fn: 'setVar', name: 'region', value: 'eu' });
    expect(h.controller.calls).toContainEqual({ fn: 'saveVar', name: 'region', value: 'eu' });
    await h.waitFor((f) => f.includes('region saved for next time in /state/book.vars.yaml'), 'saved message');
  });

  it('Tab again turns it back off', async () => {
    const { h } = await prompt('region', false);
    await h.press(KEYS.tab, KEYS.tab);
    await h.waitFor((f) => f.includes('[ ] save for next time'), 'toggle off');
    await h.press('x', KEYS.enter);
    expect(h.controller.calls.filter((c) => c.fn === 'saveVar')).toEqual([]);
  });

  it('starts off again for the next prompt', async () => {
    const { h } = await prompt('region', false);
    await h.press(KEYS.tab, 'e', 'u', KEYS.enter);
    void requestPrompt<string | undefined>(h.store, { kind: 'var', name: 'zone', secret: false });
    await h.waitFor((f) => f.includes('The runbook needs a value for zone'), 'second prompt');
    expect(h.frame()).toContain('[ ] save for next time');
  });

  it('is not offered for a secret-looking name, and the dialog says why; Tab does nothing', async () => {
    const { h, answer } = await prompt('api_token', true);
    const f = h.frame();
    expect(f).not.toContain('save for next time');
    expect(f).toContain('secrets are kept in memory only');
    await h.press('s', '3', 'c', 'r', KEYS.tab, KEYS.enter);
    await expect(answer).resolves.toBe('s3cr');
    expect(h.controller.calls).toContainEqual({ fn: 'setVar', name: 'api_token', value: 's3cr' });
    expect(h.controller.calls.filter((c) => c.fn === 'saveVar')).toEqual([]);
  });

  it('Esc cancels without saving even with the choice on', async () => {
    const { h, answer } = await prompt('region', false);
    await h.press('e', 'u', KEYS.tab, KEYS.esc);
    await expect(answer).resolves.toBeUndefined();
    expect(h.controller.calls.filter((c) => c.fn === 'saveVar' || c.fn === 'setVar')).toEqual([]);
  });
});
