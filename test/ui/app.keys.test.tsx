import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostStatus, HostStepRecord } from '../../src/engine/types.js';
import { requestPrompt } from '../../src/engine/store.js';
import { COMMANDS } from '../../src/ui/keymap.js';
import { makeRunbook } from './fixtures.js';
import { KEYS, renderApp, type Harness } from './harness.js';

const rb = makeRunbook([
  { title: 'Prepare', steps: [{ id: 'drain' }, { id: 'backup' }] },
  { title: 'Upgrade', steps: [{ id: 'upgrade', attrs: { confirm: 'restarts the API' } }] },
]);
const rec = (stepId: string, status: HostStatus, hash = `h-${stepId}`): HostStepRecord => ({ status, attempts: 1, hash });
const all = (stepId: string, status: HostStatus) => ({ web1: rec(stepId, status), web2: rec(stepId, status), db1: rec(stepId, status) });

let h: Harness | undefined;
afterEach(() => h?.unmount());

describe('running, retrying, skipping', () => {
  it('Enter runs the selected step on its pending hosts and its badge turns ✔ 3/3', async () => {
    h = await renderApp(rb);
    await h.press(KEYS.enter);
    expect(h.controller.calls).toContainEqual({ fn: 'runStep', stepId: 'drain', opts: {} });
    await h.waitFor((f) => /drain\s+✔ 3\/3/.test(f), 'drain done badge');
  });

  it('opens at the first step that is not done on all its targets', async () => {
    h = await renderApp(rb, { records: { drain: all('drain', 'ok') } });
    expect(h.frame()).toContain('› backup');
  });

  it('s then y skips the selected step on its pending hosts only', async () => {
    h = await renderApp(rb, { records: { drain: all('drain', 'ok'), backup: { web1: rec('backup', 'ok') } } });
    await h.press('s', 'y');
    expect(h.controller.calls).toContainEqual({ fn: 'skip', stepId: 'backup', hosts: ['web2', 'db1'] });
  });

  it('R retries only the failed and interrupted hosts of the step', async () => {
    h = await renderApp(rb, { records: { drain: { web1: rec('drain', 'ok'), web2: rec('drain', 'failed'), db1: rec('drain', 'interrupted') } } });
    // The interrupted record opens the resume banner first; closed, R is the step's retry.
    await h.press(KEYS.esc);
    expect(h.frame()).toMatch(/drain\s+✖ 1\/3/);
    await h.press('R');
    expect(h.controller.calls).toContainEqual({ fn: 'runStep', stepId: 'drain', opts: { hosts: ['web2', 'db1'] } });
  });

  it('e re-runs the step on the host selected in the hosts pane only', async () => {
    h = await renderApp(rb);
    await h.press(KEYS.tab, KEYS.tab, 'j', 'e');
    expect(h.controller.calls).toContainEqual({ fn: 'runStep', stepId: 'drain', opts: { hosts: ['web2'], force: true } });
  });

  it('S skips and m marks done the selected host, each once confirmed', async () => {
    h = await renderApp(rb);
    await h.press(KEYS.tab, KEYS.tab, 'j', 'j', 'S', 'y', 'k', 'm', 'y');
    expect(h.controller.calls).toContainEqual({ fn: 'skip', stepId: 'drain', hosts: ['db1'] });
    expect(h.controller.calls).toContainEqual({ fn: 'markDone', stepId: 'drain', host: 'web2' });
  });

  it('shows a controller error as a flash message with its hint instead of crashing', async () => {
    h = await renderApp(rb, { script: { throwOn: 'skip' } });
    await h.press('s', 'y');
    const f = await h.waitFor((x) => x.includes('skip failed'), 'flash');
    expect(f).toContain('state file is locked — close the other player');
  });
});

describe('dialogs', () => {
  it('a confirm step shows its reason and the rendered command per host before running', async () => {
    h = await renderApp(rb);
    await h.press('G', KEYS.enter);
    const f = h.frame();
    expect(f).toContain('Confirm: upgrade');
    expect(f).toContain('restarts the API');
    for (const host of ['web1', 'web2', 'db1']) expect(f).toContain(`echo upgrade # on ${host}`);
    expect(h.controller.calls.filter((c) => c.fn === 'runStep')).toHaveLength(0);
    await h.press('y');
    expect(h.controller.calls).toContainEqual({ fn: 'runStep', stepId: 'upgrade', opts: { confirmed: true } });
  });

  it('Esc closes a confirm dialog without running', async () => {
    h = await renderApp(rb);
    await h.press('G', KEYS.enter, KEYS.esc);
    expect(h.frame()).not.toContain('Confirm: upgrade');
    expect(h.controller.calls.filter((c) => c.fn === 'runStep')).toHaveLength(0);
  });

  it('a step changed since it ran shows that it changed and the new command before rerunning', async () => {
    h = await renderApp(rb, { records: { drain: all('drain', 'ok'), backup: { web1: rec('backup', 'ok', 'old'), web2: rec('backup', 'ok'), db1: rec('backup', 'ok') } } });
    expect(h.frame()).toMatch(/backup\s+⚠ changed/);
    await h.press('k', KEYS.enter);
    const f = h.frame();
    expect(f).toContain('Changed since it ran: backup');
    expect(f).toContain('ran on web1 differs');
    expect(f).toContain('echo backup # on web1');
    await h.press(KEYS.enter);
    expect(h.controller.calls).toContainEqual({ fn: 'runStep', stepId: 'backup', opts: { force: true, confirmed: true } });
  });

  it('the host picker narrows the session filter', async () => {
    h = await renderApp(rb);
    await h.press('h');
    expect(h.frame()).toContain('[x] web1');
    await h.press(KEYS.space, KEYS.enter);
    expect(h.store.getState().hostFilter).toEqual(['web2', 'db1']);
    const f = await h.waitFor((x) => x.includes('hosts: web2,db1'), 'filter in status line');
    expect(f).not.toMatch(/› web1/);
  });

  it('the help overlay lists every command of the keymap and Esc closes it', async () => {
    h = await renderApp(rb, { height: 60 });
    await h.press('?');
    // The list scrolls and descriptions wrap: page through it and compare without spacing or borders.
    let seen = '';
    for (let i = 0; i < 6; i++) {
      seen += h.frame().replace(/[\s║]/g, '');
      await h.press(KEYS.pageDown);
    }
    for (const c of COMMANDS) expect(seen).toContain(c.description.replace(/\s/g, ''));
    await h.press(KEYS.esc);
    expect(h.frame()).not.toContain('Keys');
  });

  it('an unknown host key shows the fingerprint and y accepts it', async () => {
    h = await renderApp(rb);
    const answer = requestPrompt<boolean>(h.store, { kind: 'host-key', host: 'web1', address: '127.0.0.2', port: 2222, keyType: 'ssh-ed25519', fingerprint: 'SHA256:abcDEF' });
    await h.waitFor((f) => f.includes('SHA256:abcDEF'), 'host key dialog');
    await h.press('y');
    await expect(answer).resolves.toBe(true);
  });

  it('a secret variable is typed masked and answered with the real value', async () => {
    h = await renderApp(rb);
    const answer = requestPrompt<string>(h.store, { kind: 'var', name: 'api_token', secret: true });
    await h.waitFor((f) => f.includes('api_token'), 'var prompt');
    await h.press('s', '3', 'q', KEYS.backspace, 'x');
    expect(h.frame()).toContain('api_token = •••');
    expect(h.frame()).not.toContain('s3x');
    await h.press(KEYS.enter);
    await expect(answer).resolves.toBe('s3x');
    expect(h.controller.calls).toContainEqual({ fn: 'setVar', name: 'api_token', value: 's3x' });
  });

  it('on resume, lists interrupted hosts and m then y marks them done', async () => {
    h = await renderApp(rb, { records: { drain: { web1: rec('drain', 'ok'), web2: rec('drain', 'interrupted'), db1: rec('drain', 'ok') } }, interruptedOnLoad: [{ stepId: 'drain', host: 'web2' }] });
    expect(h.frame()).toContain('⏸ drain on web2');
    await h.press('m', 'y');
    await h.waitFor((f) => !f.includes('⏸ drain on web2'), 'banner closed');
    expect(h.controller.calls).toContainEqual({ fn: 'markDone', stepId: 'drain', host: 'web2' });
  });

  it('on resume, R retries the interrupted hosts of each step', async () => {
    h = await renderApp(rb, { records: { drain: { web1: rec('drain', 'ok'), web2: rec('drain', 'interrupted'), db1: rec('drain', 'interrupted') } }, interruptedOnLoad: [{ stepId: 'drain', host: 'web2' }, { stepId: 'drain', host: 'db1' }] });
    await h.press('R');
    expect(h.controller.calls).toContainEqual({ fn: 'runStep', stepId: 'drain', opts: { hosts: ['web2', 'db1'] } });
  });

  it('l opens the whole log of the selected host, read relative to the state dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-ui-'));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'drain-web1.log'), 'line one\nline two\n');
    h = await renderApp(rb, { stateDir: dir, records: { drain: { web1: { ...rec('drain', 'failed'), log: 'logs/drain-web1.log' } } } });
    await h.press('l');
    const f = h.frame();
    expect(f).toContain('Log of drain on web1');
    expect(f).toContain('line two');
  });
});

describe('play, abort and quit', () => {
  it('Space plays, and a stop at a confirm step opens its dialog', async () => {
    h = await renderApp(rb, { script: { playStop: { kind: 'confirm', stepId: 'upgrade', reason: 'restarts the API' } } });
    await h.press(KEYS.space);
    expect(h.controller.calls).toContainEqual({ fn: 'play', opts: undefined });
    await h.waitFor((f) => f.includes('Confirm: upgrade'), 'confirm dialog');
  });

  it('the end of a play past a continue_on_error failure says so, not just "end of the runbook"', async () => {
    h = await renderApp(rb, { script: { playStop: { kind: 'end', tolerated: [{ stepId: 'drain', hosts: { w1: 'failed' } }] } } });
    await h.press(KEYS.space);
    await h.waitFor((f) => f.includes('continue_on_error went on past failures of drain'), 'the warning');
  });

  it('Space while playing pauses (the running step finishes first)', async () => {
    h = await renderApp(rb);
    h.store.setState({ mode: 'playing', currentStepId: 'drain' });
    await h.press(KEYS.space);
    expect(h.controller.calls).toContainEqual({ fn: 'pause' });
    expect(h.frame()).toContain('pausing after the running step');
  });

  it('Ctrl-C once while a step runs aborts it and stays open; twice quits', async () => {
    h = await renderApp(rb, { script: { hold: true } });
    await h.press(KEYS.enter);
    await h.waitFor((f) => f.includes('[running]'), 'running');
    await h.press(KEYS.ctrlC);
    expect(h.controller.calls).toContainEqual({ fn: 'abort' });
    expect(h.onQuit).not.toHaveBeenCalled();
    await h.waitFor((f) => f.includes('aborted'), 'abort flash');
    await h.press(KEYS.ctrlC);
    expect(h.onQuit).toHaveBeenCalledTimes(1);
  });

  it('Ctrl-C twice in one input chunk (pressed fast, or sent by tmux) aborts the running step and quits', async () => {
    h = await renderApp(rb, { script: { hold: true } });
    await h.press(KEYS.enter);
    await h.waitFor((f) => f.includes('[running]'), 'running');
    await h.press(KEYS.ctrlC + KEYS.ctrlC);
    expect(h.controller.calls).toContainEqual({ fn: 'abort' });
    expect(h.onQuit).toHaveBeenCalledTimes(1);
  });

  it('q while a step runs asks first, and confirming aborts and quits', async () => {
    h = await renderApp(rb, { script: { hold: true } });
    await h.press(KEYS.enter, 'q');
    expect(h.frame()).toContain('Quit?');
    expect(h.onQuit).not.toHaveBeenCalled();
    await h.press('y');
    expect(h.controller.calls).toContainEqual({ fn: 'abort' });
    expect(h.onQuit).toHaveBeenCalledTimes(1);
  });

  it('q when nothing runs quits at once', async () => {
    h = await renderApp(rb);
    await h.press('q');
    expect(h.onQuit).toHaveBeenCalledTimes(1);
  });
});
