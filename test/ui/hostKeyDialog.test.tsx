// The unknown-host-key dialog lists the keys waiting in inventory order (the hosts pane's order),
// whatever order the connections met them in, and `A` accepts exactly those, in that order; a
// question nobody waits for any more leaves it; the status line says what the player waits for.
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunStore, requestPrompt, setMode, setRecord } from '../../src/engine/store.js';
import { App } from '../../src/ui/App.js';
import { plainTheme } from '../../src/ui/theme.js';
import { createFakeController } from './fakeController.js';
import { makeInventory, makeRunbook } from './fixtures.js';
import { renderApp, tick, type Harness } from './harness.js';

const INVENTORY = ['m1', 'm2', 'm3', 'w1', 'w2', 'w3'];
const fp = (host: string): string => `SHA256:${host}${'k'.repeat(41)}`;

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

/** Ask about the hosts' keys in this order (as their connections met them). */
function ask(harness: Harness, hosts: readonly string[]): Promise<boolean>[] {
  return hosts.map((host, i) => requestPrompt<boolean>(harness.store, { kind: 'host-key', host, address: `127.0.0.${i + 2}`, port: 22, keyType: 'ssh-ed25519', fingerprint: fp(host) }));
}

/** The hosts of the dialog's list of waiting keys, top to bottom. */
function listed(frame: string): string[] {
  return frame.split('\n').flatMap((line) => {
    const m = /^\W*(\S+)\s+ssh-ed25519\s+(SHA256:\S+)/.exec(line);
    return m && m[2] === fp(m[1]) ? [m[1]] : [];
  });
}

describe('host key dialog: the keys waiting', () => {
  it('are listed in inventory order when the connections met them out of order', async () => {
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { hosts: INVENTORY, width: 100, height: 30 });
    ask(h, ['w3', 'm2', 'w1', 'm1']);
    const f = await h.waitFor((x) => x.includes('4 unknown host keys are waiting'), 'the host key dialog with 4 keys');
    expect(listed(f)).toEqual(['m1', 'm2', 'w1', 'w3']);
  });

  it('a key asked while the dialog is open takes its inventory place in the list', async () => {
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { hosts: INVENTORY, width: 100, height: 30 });
    ask(h, ['w2', 'm3']);
    await h.waitFor((x) => x.includes('2 unknown host keys are waiting'), 'the dialog with 2 keys');
    ask(h, ['m1']);
    const f = await h.waitFor((x) => x.includes('3 unknown host keys are waiting'), 'the dialog with 3 keys');
    expect(listed(f)).toEqual(['m1', 'm3', 'w2']);
  });

  it('A accepts every one listed and says so in the same order', async () => {
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { hosts: INVENTORY, width: 100, height: 30 });
    const answers = ask(h, ['w1', 'm2', 'm1']);
    await h.waitFor((x) => x.includes('3 unknown host keys are waiting'), 'the dialog');
    await h.press('A');
    await expect(Promise.all(answers)).resolves.toEqual([true, true, true]);
    const said = h.store.getState().messages.at(-1)?.text;
    expect(said).toBe(`accepted 3 host keys: m1 ${fp('m1')}, m2 ${fp('m2')}, w1 ${fp('w1')}`);
  });
});

describe('a question nobody waits for any more', () => {
  it('leaves the screen and is answered no when withdrawn; the other keys stay listed', async () => {
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { hosts: INVENTORY, width: 100, height: 30 });
    const gone = new AbortController();
    const withdrawn = requestPrompt<boolean>(h.store, { kind: 'host-key', host: 'm1', address: '127.0.0.2', port: 22, keyType: 'ssh-ed25519', fingerprint: fp('m1') }, { signal: gone.signal, answer: false });
    ask(h, ['w1', 'w2']);
    await h.waitFor((x) => x.includes('3 unknown host keys are waiting'), 'the dialog with 3 keys');
    gone.abort();
    await expect(withdrawn).resolves.toBe(false);
    const f = await h.waitFor((x) => x.includes('2 unknown host keys are waiting'), 'the dialog with 2 keys');
    expect(listed(f)).toEqual(['w1', 'w2']);
    expect(f).not.toContain(fp('m1'));
  });

  it('is never shown when withdrawn before it is asked', async () => {
    h = await renderApp(makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), { hosts: INVENTORY, width: 100, height: 30 });
    const gone = new AbortController();
    gone.abort();
    await expect(requestPrompt<boolean>(h.store, { kind: 'host-key', host: 'm1', address: '127.0.0.2', port: 22, keyType: 'ssh-ed25519', fingerprint: fp('m1') }, { signal: gone.signal, answer: false })).resolves.toBe(false);
    expect(h.store.getState().prompts).toEqual([]);
  });
});

describe('status line while the step under way waits for host-key answers', () => {
  /** The player with a clock the test moves, the step `one` under way on w1 and w2, nothing recorded yet. */
  async function underWay() {
    let clock = 1_000_000;
    const store = createRunStore({ runbook: makeRunbook([{ title: 'A', steps: [{ id: 'one' }] }]), inventory: makeInventory(['w1', 'w2']) });
    const r = render(<App store={store} controller={createFakeController(store)} stateDir="/nonexistent" onQuit={() => undefined} width={100} height={20} theme={plainTheme} now={() => clock} />);
    unmount = r.unmount;
    setMode(store, 'running', 'one');
    await tick();
    const statusLine = async (): Promise<string> => {
      await tick();
      return (r.lastFrame() ?? '').split('\n')[0];
    };
    return { store, statusLine, advance: (ms: number) => (clock += ms) };
  }
  let unmount: (() => void) | undefined;
  afterEach(() => {
    unmount?.();
    unmount = undefined;
  });
  const running = { status: 'running', attempts: 1, hash: 'h', startedAt: '2026-12-02T03:00:00.000Z' } as const;

  it('says it waits for the answer, not running, and its clock of running time stands still', async () => {
    const t = await underWay();
    t.advance(4000);
    void requestPrompt<boolean>(t.store, { kind: 'host-key', host: 'w2', address: '127.0.0.3', port: 22, keyType: 'ssh-ed25519', fingerprint: fp('w2') });
    void requestPrompt<boolean>(t.store, { kind: 'host-key', host: 'w1', address: '127.0.0.2', port: 22, keyType: 'ssh-ed25519', fingerprint: fp('w1') });
    expect(await t.statusLine()).toMatch(/\[waiting for your answer: 2 host keys\] ▶ one  0:04$/);
    // The operator reads the fingerprints for 75 s: not time spent running the step.
    t.advance(75_000);
    setRecord(t.store, 'one', 'w1', { status: 'ok', attempts: 1, hash: 'h' }); // any re-render
    expect(await t.statusLine()).toMatch(/\[waiting for your answer: 2 host keys\] ▶ one  0:04$/);
  });

  it('says running once a host of the step runs, even with another key still waiting, and the clock goes on from there', async () => {
    const t = await underWay();
    void requestPrompt<boolean>(t.store, { kind: 'host-key', host: 'w2', address: '127.0.0.3', port: 22, keyType: 'ssh-ed25519', fingerprint: fp('w2') });
    expect(await t.statusLine()).toMatch(/\[waiting for your answer: 1 host key\] ▶ one  0:00$/);
    t.advance(30_000);
    setRecord(t.store, 'one', 'w1', running);
    expect(await t.statusLine()).toMatch(/\[running\] ▶ one  0:00$/);
    t.advance(5000);
    setRecord(t.store, 'one', 'w1', { ...running, attempts: 1 }); // any re-render
    expect(await t.statusLine()).toMatch(/\[running\] ▶ one  0:05$/);
  });
});
