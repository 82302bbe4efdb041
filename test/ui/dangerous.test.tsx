// Keys flagged `dangerous` in the keymap (they record a step skipped or done by hand, so play
// passes it without running it) ask first: a dialog lists exactly what will be recorded.
import { afterEach, describe, expect, it } from 'vitest';
import type { HostStatus, HostStepRecord } from '../../src/engine/types.js';
import { asksFirst, COMMANDS, hintLine, keyTableMarkdown } from '../../src/ui/keymap.js';
import { RECORD_PLANNERS } from '../../src/ui/commands.js';
import { recordQuestion } from '../../src/ui/selectors.js';
import { makeRunbook } from './fixtures.js';
import { KEYS, renderApp, type Harness } from './harness.js';

const rb = makeRunbook([
  { title: 'Prepare', steps: [{ id: 'drain' }, { id: 'backup' }] },
  { title: 'Upgrade', steps: [{ id: 'upgrade', attrs: { confirm: 'restarts the API' } }] },
]);
const rec = (stepId: string, status: HostStatus): HostStepRecord => ({ status, attempts: 1, hash: `h-${stepId}` });
const recorded = (h: Harness) => h.controller.calls.filter((c) => c.fn === 'skip' || c.fn === 'markDone');

let h: Harness | undefined;
afterEach(() => h?.unmount());

describe('the keymap drives the question', () => {
  it('every dangerous command asks first, except the confirm dialog\'s s which already is an answer', () => {
    const asking = COMMANDS.filter((c) => asksFirst(c.id)).map((c) => c.id);
    expect(asking).toEqual(['step.skip', 'host.skip', 'host.markDone', 'resume.markDone', 'resume.skip']);
    expect(asksFirst('confirm.skip')).toBe(false);
  });

  it('Ctrl-C (abort) is not dangerous, so it never asks', () => {
    expect(COMMANDS.find((c) => c.id === 'step.abort')?.dangerous).toBeFalsy();
    expect(asksFirst('step.abort')).toBe(false);
  });

  it('every command that asks first knows what it would record', () => {
    for (const c of COMMANDS.filter((x) => asksFirst(x.id))) expect(RECORD_PLANNERS[c.id], c.id).toBeTypeOf('function');
  });

  it('the dialog\'s keys are data: y/Enter and n/Esc in its hints and in the key table', () => {
    expect(hintLine('danger')).toBe('Enter/y confirm  Esc/n cancel');
    expect(keyTableMarkdown()).toMatch(/\| `Enter`, `y` \| confirm \/ apply \| [^|]*Skip \/ mark done dialog/);
    expect(keyTableMarkdown()).toContain('| `s` | skip the step on all its pending hosts (records state; asks first) |');
  });

  it('words the question with the step and every host, and says what play will do', () => {
    const labelOf = (id: string) => id;
    expect(recordQuestion({ command: 'step.skip', verb: 'skip', groups: [{ stepId: 'drain', hosts: ['web1', 'web2', 'db1'] }] }, labelOf).lines)
      .toEqual(['Skip step `drain` on web1, web2, db1? It will be recorded as skipped and play will pass it.']);
    expect(recordQuestion({ command: 'host.markDone', verb: 'markDone', groups: [{ stepId: 'drain', hosts: ['web2'] }] }, labelOf).lines[0])
      .toMatch(/^Mark `drain` done by hand on web2\? It will be recorded as done by hand/);
    const two = recordQuestion({ command: 'resume.skip', verb: 'skip', groups: [{ stepId: 'drain', hosts: ['web2'] }, { stepId: 'backup', hosts: ['db1', 'web1'] }] }, labelOf);
    expect(two.lines.slice(1)).toEqual(['  `drain` on web2', '  `backup` on db1, web1']);
  });
});

describe('s, S and m in the player', () => {
  it('s asks first, listing the pending hosts of the step, and records nothing yet', async () => {
    h = await renderApp(rb, { records: { drain: { web1: rec('drain', 'ok') } } });
    await h.press('s');
    const f = h.frame();
    expect(f).toContain('Skip without running?');
    expect(f).toContain('Skip step `drain` on web2, db1?');
    expect(f).toContain('Enter/y confirm  Esc/n cancel');
    expect(recorded(h)).toEqual([]);
  });

  it('n closes the question and records nothing', async () => {
    h = await renderApp(rb);
    await h.press('s', 'n');
    expect(h.frame()).not.toContain('Skip step');
    expect(h.frame()).toContain('nothing recorded');
    expect(recorded(h)).toEqual([]);
    expect(h.frame()).toContain('› drain');
  });

  it('Esc closes the question and records nothing', async () => {
    h = await renderApp(rb);
    await h.press(KEYS.tab, KEYS.tab, 'm', KEYS.esc);
    expect(h.frame()).not.toContain('Mark `drain`');
    expect(recorded(h)).toEqual([]);
  });

  it('Enter records the skip and moves to the next step', async () => {
    h = await renderApp(rb);
    await h.press('s', KEYS.enter);
    expect(recorded(h)).toEqual([{ fn: 'skip', stepId: 'drain', hosts: ['web1', 'web2', 'db1'] }]);
    await h.waitFor((f) => f.includes('› backup'), 'next step selected');
  });

  it('S asks about the selected host only', async () => {
    h = await renderApp(rb);
    await h.press(KEYS.tab, KEYS.tab, 'j', 'S');
    expect(h.frame()).toContain('Skip step `drain` on web2?');
    await h.press('y');
    expect(recorded(h)).toEqual([{ fn: 'skip', stepId: 'drain', hosts: ['web2'] }]);
  });

  it('m asks before marking the selected host done by hand', async () => {
    h = await renderApp(rb);
    await h.press(KEYS.tab, KEYS.tab, 'j', 'j', 'm');
    expect(h.frame()).toContain('Mark `drain` done by hand on db1?');
    expect(recorded(h)).toEqual([]);
    await h.press('y');
    expect(recorded(h)).toEqual([{ fn: 'markDone', stepId: 'drain', host: 'db1' }]);
  });

  it('s with nothing pending says so instead of asking', async () => {
    h = await renderApp(rb, { records: { drain: { web1: rec('drain', 'ok'), web2: rec('drain', 'ok'), db1: rec('drain', 'skipped') } } });
    await h.press('g', 's');
    expect(h.frame()).toContain('nothing to skip in drain');
    expect(h.frame()).not.toContain('Skip without running?');
  });

  it('the player keys do nothing while the question is open', async () => {
    h = await renderApp(rb);
    await h.press('s', 'j', 'S', KEYS.enter);
    expect(recorded(h)).toEqual([{ fn: 'skip', stepId: 'drain', hosts: ['web1', 'web2', 'db1'] }]);
  });
});

describe('the resume banner and the confirm dialog', () => {
  const interrupted = { drain: { web1: rec('drain', 'ok'), web2: rec('drain', 'interrupted'), db1: rec('drain', 'interrupted') } };
  const onLoad = [{ stepId: 'drain', host: 'web2' }, { stepId: 'drain', host: 'db1' }];

  it('s on the resume banner asks with the interrupted hosts; n goes back to the banner', async () => {
    h = await renderApp(rb, { records: interrupted, interruptedOnLoad: onLoad });
    await h.press('s');
    expect(h.frame()).toContain('Skip step `drain` on web2, db1?');
    await h.press('n');
    expect(h.frame()).toContain('interrupted in an earlier session');
    expect(recorded(h)).toEqual([]);
  });

  it('m then y on the resume banner marks each interrupted host done and closes the banner', async () => {
    h = await renderApp(rb, { records: interrupted, interruptedOnLoad: onLoad });
    await h.press('m');
    expect(h.frame()).toContain('Mark `drain` done by hand on web2, db1?');
    await h.press('y');
    await h.waitFor((f) => !f.includes('Resumed:'), 'banner closed');
    expect(recorded(h)).toEqual([{ fn: 'markDone', stepId: 'drain', host: 'web2' }, { fn: 'markDone', stepId: 'drain', host: 'db1' }]);
  });

  it('s in a confirm dialog skips at once, without a second question', async () => {
    h = await renderApp(rb);
    await h.press('G', KEYS.enter);
    expect(h.frame()).toContain('Confirm: upgrade');
    await h.press('s');
    expect(h.frame()).not.toContain('Skip without running?');
    expect(recorded(h)).toEqual([{ fn: 'skip', stepId: 'upgrade', hosts: ['web1', 'web2', 'db1'] }]);
  });

  it('Ctrl-C aborts a running step at once, without a question', async () => {
    h = await renderApp(rb, { script: { hold: true } });
    await h.press(KEYS.enter);
    await h.waitFor((f) => f.includes('[running]'), 'running');
    await h.press(KEYS.ctrlC);
    expect(h.controller.calls).toContainEqual({ fn: 'abort' });
    const f = await h.waitFor((x) => x.includes('aborted'), 'abort flash');
    expect(f).toContain('› drain');
    expect(f).not.toContain('Enter/y confirm');
  });
});
