import { describe, it, expect, afterEach } from 'vitest';
import { makeRunbook } from './fixtures.js';
import { renderApp, type Harness } from './harness.js';

const rb = makeRunbook([
  { title: 'Prepare', markdown: '## Prepare\n\nDrain the node **first**.\n\n- one\n- two\n', steps: [{ id: 'drain' }, { id: 'backup', attrs: { sudo: true } }] },
  { title: 'Upgrade', steps: [{ id: 'upgrade', attrs: { confirm: 'restarts the API' } }] },
]);

let h: Harness | undefined;
afterEach(() => h?.unmount());

describe('player layout', () => {
  it('shows sections, steps, the document, the hosts and the status line', async () => {
    h = await renderApp(rb);
    const f = h.frame();
    console.log(f);
    expect(f).toContain('Upgrade the cluster');
    expect(f).toContain('Prepare');
    expect(f).toContain('› drain');
    expect(f).toContain('web1');
  });
});
