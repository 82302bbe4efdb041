// The player's `w` key writes a report of the session and says where.
import { afterEach, describe, expect, it } from 'vitest';
import { makeRunbook } from './fixtures.js';
import { renderApp, type Harness } from './harness.js';

const rb = makeRunbook([{ title: 'Prepare', steps: [{ id: 'drain' }] }]);
let h: Harness | undefined;
afterEach(() => h?.unmount());

describe('w writes a report', () => {
  it('calls the session\'s report writer once and shows the files it wrote', async () => {
    let calls = 0;
    h = await renderApp(rb, { writeReport: async () => (calls++, ['.runbook/reports/r-1.md', '.runbook/reports/r-1.html']) });
    await h.press('w');
    await h.waitFor((f) => f.includes('report written: .runbook/reports/r-1.md, .runbook/reports/r-1.html'), 'report flash');
    expect(calls).toBe(1);
  });
  it('a failed write is shown as an error, and the player goes on', async () => {
    h = await renderApp(rb, { writeReport: async () => { throw new Error('cannot write report r.md: no space left on device'); } });
    await h.press('w');
    await h.waitFor((f) => f.includes('cannot write report r.md: no space left on device'), 'error flash');
  });
});
