// The engine's controller (createPlayer) with the real local transport and a real state file.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { createPlayer } from '../../src/engine/run/player.js';
import type { PlayerEvent } from '../../src/engine/run/events.js';
import { logOutput } from '../helpers/stepLog.js';
import { resolveStatePaths } from '../../src/engine/state/paths.js';
import { openState } from '../../src/engine/state/stateFile.js';
import { createRunStore, setHostFilter } from '../../src/engine/store.js';
import { createLocalTransport } from '../../src/engine/transport/local.js';
import { fence } from '../helpers/markdown.js';
import { createScriptedTransport } from '../helpers/scriptedTransport.js';
import { StepInterruptedError } from '../../src/engine/errors.js';
import type { Transport } from '../../src/engine/transport/types.js';

const INVENTORY = `all:
  children:
    web:
      hosts:
        a: { ansible_connection: local }
        b: { ansible_connection: local }
        c: { ansible_connection: local }
`;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function setup(markdown: string, opts: { cliVars?: Record<string, string>; transport?: Transport; forks?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-player-'));
  const text = markdown.replaceAll('$DIR', dir);
  const runbook = parseRunbookText(text, join(dir, 'book.md'));
  const inventory = parseInventory(INVENTORY, join(dir, 'inv.yaml'));
  const paths = resolveStatePaths(runbook.path, { cwd: dir });
  const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'write' });
  const store = createRunStore({ runbook, inventory, records: state.snapshot() });
  const events: PlayerEvent[] = [];
  const player = createPlayer({ runbook, inventory, transport: opts.transport ?? createLocalTransport({ killGraceMs: 500 }), state, paths, store, cliVars: opts.cliVars, forks: opts.forks, onEvent: (e) => events.push(e) });
  closers.push(() => player.close());
  const journal = () => readFileSync(paths.stateFile, 'utf8');
  return { dir, player, store, state, paths, events, journal };
}


describe('player', () => {
  it('runs a serial step one host at a time, in inventory order', async () => {
    const t = await setup(`# S\n${fence('id=roll hosts=web serial=1', 'echo "start {{ host.name }}" >> $DIR/order; sleep 0.05; echo "end {{ host.name }}" >> $DIR/order')}`);
    await t.player.play();
    expect(readFileSync(join(t.dir, 'order'), 'utf8').trim().split('\n')).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('stops rolling a serial step at the first failed batch', async () => {
    const t = await setup(`# S\n${fence('id=roll hosts=web serial=1', '[ "{{ host.name }}" != a ]')}`);
    const stop = await t.player.play();
    expect(stop).toMatchObject({ kind: 'failed', stepId: 'roll' });
    expect(Object.keys(t.store.getState().records.roll)).toEqual(['a']);
  });

  it('retries a failing step up to retries times and records the attempts', async () => {
    const t = await setup(`# R\n${fence('id=flaky hosts=a retries=2 delay=10ms', 'echo x >> $DIR/tries; [ "$(wc -l < $DIR/tries)" -ge 3 ]')}`);
    const stop = await t.player.play();
    expect(stop.kind).toBe('end');
    expect(t.state.get('flaky', 'a')).toMatchObject({ status: 'ok', attempts: 3 });
    expect(readdirSync(join(t.paths.logsDir, 'flaky')).sort()).toEqual(['a.1.log', 'a.2.log', 'a.3.log']);
  });

  it('a step whose remote shell died under it is recorded interrupted, not failed, and is not retried', async () => {
    const transport = createScriptedTransport([{ host: 'a', error: new StepInterruptedError('a', 'the remote shell session ended (killed by SIGKILL) while the step was running') }]);
    const t = await setup(`# I\n${fence('id=cut hosts=a retries=2 delay=10ms', 'true')}`, { transport });
    await t.player.play();
    expect(t.state.get('cut', 'a')).toMatchObject({ status: 'interrupted', attempts: 1 });
    expect(t.state.get('cut', 'a')?.message).toMatch(/shell session ended/);
    expect(transport.calls).toHaveLength(1);
  });

  it('goes on past a failure when the step has continue_on_error', async () => {
    const t = await setup(`# C\n${fence('id=soft hosts=a continue_on_error', 'false')}\n${fence('id=next hosts=a', 'true')}`);
    const stop = await t.player.play();
    expect(stop.kind).toBe('end');
    expect(t.state.get('soft', 'a')?.status).toBe('failed');
    expect(t.state.get('next', 'a')?.status).toBe('ok');
  });

  it('makes a single-host capture usable plainly by every host, a multi-host capture only by its own host', async () => {
    const t = await setup(
      `# C\n${fence('id=one hosts=a capture=token', 'echo tok-1')}\n${fence('id=each hosts=web capture=mine', 'echo "mine-{{ host.name }}"')}\n${fence('id=use hosts=web', 'echo "{{ token }} {{ mine }} {{ hosts.a.captured.mine }}" > $DIR/{{ host.name }}.out')}`,
    );
    expect((await t.player.play()).kind).toBe('end');
    expect(readFileSync(join(t.dir, 'c.out'), 'utf8')).toBe('tok-1 mine-c mine-a\n');
  });

  it('keeps a secret capture out of the state file and masks it in the log', async () => {
    const t = await setup(`# C\n${fence('id=s hosts=a capture=join_token secret', 'echo abcdef.$(printf %s%s 01234567 89abcdef)')}\n${fence('id=use hosts=a', 'echo "token is {{ join_token }}"')}`);
    expect((await t.player.play()).kind).toBe('end');
    expect(t.journal()).not.toContain('0123456789abcdef');
    const log = readFileSync(join(t.paths.dir, t.state.get('use', 'a')!.log!));
    expect(logOutput(log).toString()).toBe('token is ********\n');
    expect(log.toString()).not.toContain('0123456789abcdef'); // nor in the header's command
  });

  it('masks variables with secret-looking names in live output and logs', async () => {
    const t = await setup(`# C\n${fence('id=s hosts=a', 'echo "pw={{ db_password }}"')}`, { cliVars: { db_password: 'hunter2-very-secret' } });
    await t.player.play();
    const log = readFileSync(join(t.paths.dir, t.state.get('s', 'a')!.log!));
    expect(logOutput(log).toString()).toBe('pw=********\n');
    expect(log.toString()).not.toContain('hunter2');
    expect(JSON.stringify(t.store.getState().live)).not.toContain('hunter2');
  });

  it('records skipped and done-manual, and play then passes those steps', async () => {
    const t = await setup(`# K\n${fence('id=skip-me hosts=web', 'touch $DIR/skipped-ran')}\n${fence('id=manual hosts=a', 'touch $DIR/manual-ran')}`);
    await t.player.skip('skip-me');
    await t.player.markDone('manual', 'a');
    expect((await t.player.play()).kind).toBe('end');
    expect(t.state.get('skip-me', 'b')?.status).toBe('skipped');
    expect(t.state.get('manual', 'a')?.status).toBe('done-manual');
    expect(readdirSync(t.dir)).not.toContain('skipped-ran');
  });

  it('runs a step again after reset', async () => {
    const t = await setup(`# K\n${fence('id=count hosts=a', 'echo x >> $DIR/count')}`);
    await t.player.play();
    await t.player.reset('count');
    await t.player.play();
    expect(readFileSync(join(t.dir, 'count'), 'utf8')).toBe('x\nx\n');
  });

  it('narrows every step to the session host filter', async () => {
    const t = await setup(`# F\n${fence('id=f hosts=web', 'touch $DIR/{{ host.name }}')}`);
    setHostFilter(t.store, ['b']);
    await t.player.play();
    expect(readdirSync(t.dir).filter((f) => f.length === 1)).toEqual(['b']);
  });

  it('aborting the running step marks its hosts failed as aborted and stops play', async () => {
    const t = await setup(`# A\n${fence('id=long hosts=web', 'touch $DIR/{{ host.name }}.started; sleep 30')}\n${fence('id=after hosts=a', 'true')}`);
    const playing = t.player.play();
    await expect.poll(() => readdirSync(t.dir).filter((f) => f.endsWith('.started')).length, { timeout: 10_000 }).toBe(3);
    t.player.abort();
    expect(await playing).toEqual({ kind: 'aborted', stepId: 'long' });
    expect(t.state.get('long', 'a')).toMatchObject({ status: 'failed', message: 'aborted by operator' });
    expect(t.state.get('after', 'a')).toBeUndefined();
  });

  it('aborting while hosts wait their turn behind forks: those never started are not recorded, and say so', async () => {
    const t = await setup(`# A\n${fence('id=long hosts=web', 'touch $DIR/{{ host.name }}.started; sleep 30')}`, { forks: 1 });
    const playing = t.player.play();
    await expect.poll(() => readdirSync(t.dir).filter((f) => f.endsWith('.started')), { timeout: 10_000 }).toEqual(['a.started']);
    t.player.abort();
    expect(await playing).toEqual({ kind: 'aborted', stepId: 'long' });
    expect(t.state.get('long', 'a')).toMatchObject({ status: 'failed', message: 'aborted by operator' });
    for (const h of ['b', 'c']) {
      expect(t.state.get('long', h), h).toBeUndefined();
      expect(t.events).toContainEqual(expect.objectContaining({ type: 'host-end', host: h, status: 'pending', message: 'aborted by operator before the step started on this host: not run' }));
    }
    expect(readdirSync(join(t.paths.logsDir, 'long'))).toEqual(['a.1.log']);
  });

  it('pause lets the running step finish and stops before the next', async () => {
    const t = await setup(`# P\n${fence('id=first hosts=a', 'while [ ! -f $DIR/go ]; do sleep 0.02; done')}\n${fence('id=second hosts=a', 'true')}`);
    const playing = t.player.play();
    await expect.poll(() => t.store.getState().records.first?.a?.status, { timeout: 10_000 }).toBe('running');
    t.player.pause();
    expect(t.store.getState().mode).toBe('pausing');
    writeFileSync(join(t.dir, 'go'), '');
    expect(await playing).toEqual({ kind: 'paused', stepId: 'second' });
    expect(t.state.get('first', 'a')?.status).toBe('ok');
    expect(t.state.get('second', 'a')).toBeUndefined();
  });

  it('does not rerun a done step whose text changed unless forced, and its record keeps the old hash', async () => {
    const t = await setup(`# H\n${fence('id=h hosts=a', 'echo one >> $DIR/h')}`);
    await t.player.play();
    await t.player.close();
    const changed = parseRunbookText(`# H\n${fence('id=h hosts=a', `echo two >> ${t.dir}/h`)}`, join(t.dir, 'book.md'));
    const state = await openState({ stateFile: t.paths.stateFile, runbookPath: changed.path, mode: 'write' });
    const store = createRunStore({ runbook: changed, inventory: parseInventory(INVENTORY, join(t.dir, 'inv.yaml')), records: state.snapshot() });
    const again = createPlayer({ runbook: changed, inventory: store.getState().inventory, transport: createLocalTransport(), state, paths: t.paths, store });
    closers.push(() => again.close());
    expect(state.get('h', 'a')!.hash).not.toBe(changed.steps[0].hash);
    expect((await again.play()).kind).toBe('end');
    expect(readFileSync(join(t.dir, 'h'), 'utf8')).toBe('one\n');
    await again.play({ force: true });
    expect(readFileSync(join(t.dir, 'h'), 'utf8')).toBe('one\ntwo\n');
  });

  it('reports the variables that steps use and nothing defines', async () => {
    const t = await setup(`---\nvars:\n  known: 1\n---\n# V\n${fence('id=v hosts=a capture=cap', 'echo {{ known }} {{ unknown_thing }} {{ host.name }}')}\n${fence('id=w hosts=a', 'echo {{ cap }} {{ api_token }}')}`);
    expect([...t.player.missingVars()].sort()).toEqual(['api_token', 'unknown_thing']);
  });
});
