import { describe, it, expect, afterEach } from 'vitest';
import chalk from 'chalk';
import { colorTheme, plainTheme, themeFromEnv } from '../../src/ui/theme.js';
import { loadMarkdown } from '../../src/ui/markdown.js';
import { bigRunbook, makeRunbook } from './fixtures.js';
import { KEYS, renderApp, type Harness } from './harness.js';

const rb = makeRunbook([
  { title: 'Prepare', markdown: '## Prepare\n\nDrain the node **first**.\n\n- one item\n- two items\n', steps: [{ id: 'drain' }, { id: 'backup', attrs: { sudo: true, unless: 'test -f /done', verify: 'test -f /ok' } }] },
  { title: 'Upgrade', steps: [{ id: 'upgrade', attrs: { confirm: 'restarts the API' } }] },
]);

let h: Harness | undefined;
afterEach(() => h?.unmount());

describe('player layout', () => {
  it('status line shows the title, steps and host-steps done of total, and the mode', async () => {
    h = await renderApp(rb, { records: { drain: { web1: { status: 'ok', attempts: 1, hash: 'h-drain' } } } });
    expect(h.frame().split('\n')[0]).toContain('Upgrade the cluster  steps 0/3  host-steps 1/9  [paused]');
  });

  it('steps pane lists sections and steps with the selection marked', async () => {
    h = await renderApp(rb);
    const f = h.frame();
    expect(f).toMatch(/│▾ Prepare\s+0\/2│/);
    expect(f).toMatch(/› drain\s+· 0\/3/);
    expect(f).toMatch(/│▾ Upgrade\s+0\/1│/);
  });

  it('document pane renders the section Markdown, the attributes and the command for the selected host', async () => {
    h = await renderApp(rb);
    await loadMarkdown(); // loaded after the player's first frame (markdownLazy.test.tsx): here, before
    await h.press('j');
    const f = h.frame();
    expect(f).toContain('Drain the node first.');
    expect(f).toContain('* one item');
    expect(f).toContain('sudo: yes');
    expect(f).toContain('unless: test -f /done');
    expect(f).toContain('verify: test -f /ok');
    expect(f).toContain('Runs on web1:');
    expect(f).toContain('echo backup # on web1');
  });

  it('hosts pane shows status, attempt, duration, exit code and the last output line', async () => {
    h = await renderApp(rb, { records: { drain: { web2: { status: 'failed', attempts: 2, exitCode: 7, hash: 'h-drain', startedAt: new Date(0).toISOString(), endedAt: new Date(2000).toISOString(), message: 'exit 7' } } } });
    expect(h.frame()).toMatch(/web2\s+failed\s+#2\s+2s\s+7 exit 7/);
  });

  it('the selected host shows its live output tail', async () => {
    h = await renderApp(rb, { script: { hold: true } });
    await h.press(KEYS.enter);
    const f = await h.waitFor((x) => x.includes('output of web1'), 'live tail');
    expect(f).toContain('starting on web1');
    h.controller.release();
  });
});

describe('colours', () => {
  it('NO_COLOR selects the plain theme', () => {
    expect(themeFromEnv({ NO_COLOR: '1' })).toBe(plainTheme);
    expect(themeFromEnv({})).toBe(colorTheme);
  });

  it('with NO_COLOR the frame carries no escape codes even where colour is supported', async () => {
    const level = chalk.level;
    chalk.level = 1;
    try {
      h = await renderApp(rb, { theme: colorTheme, records: { drain: { web1: { status: 'failed', attempts: 1, hash: 'h-drain' } } } });
      expect(h.frame()).toContain('\u001b[');
      h.unmount();
      h = await renderApp(rb, { theme: plainTheme, records: { drain: { web1: { status: 'failed', attempts: 1, hash: 'h-drain' } } } });
      expect(h.frame()).not.toContain('\u001b');
    } finally {
      chalk.level = level;
    }
  });
});

describe('long runbooks', () => {
  it('renders only the window of steps around the selection', async () => {
    h = await renderApp(bigRunbook(500));
    let f = h.frame();
    expect(f).toContain('step-000');
    expect(f).not.toContain('step-100');
    await h.press('G');
    f = h.frame();
    expect(f).toContain('› step-499');
    expect(f).not.toContain('step-000');
    expect(f.split('\n').length).toBeLessThanOrEqual(30);
  });

  it('PgDn moves the selection by a page and the window follows', async () => {
    h = await renderApp(bigRunbook(500));
    await h.press(KEYS.pageDown, KEYS.pageDown);
    expect(h.frame()).toMatch(/› step-0[4-5]\d/);
  });
});
