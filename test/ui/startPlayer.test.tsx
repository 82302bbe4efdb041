import { describe, it, expect } from 'vitest';
import { EventEmitter } from 'node:events';
import { createRunStore, type RunStoreState } from '../../src/engine/store.js';
import { startPlayer } from '../../src/ui/startPlayer.js';
import { createFakeController } from './fakeController.js';
import { makeInventory, makeRunbook } from './fixtures.js';

/** A stdin Ink accepts as a raw-mode terminal. */
class FakeStdin extends EventEmitter {
  isTTY = true;
  private queue: string[] = [];
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): string | null { return this.queue.shift() ?? null; }
  type(s: string): void { this.queue.push(s); this.emit('readable'); }
}

class FakeStdout extends EventEmitter {
  columns = 100;
  rows = 30;
  isTTY = true;
  written = '';
  write(s: string): boolean { this.written += s; return true; }
}

const rb = makeRunbook([{ title: 'Only', steps: [{ id: 'one' }] }]);

async function quitWith(records: RunStoreState['records']): Promise<{ code: number; out: FakeStdout; closed: boolean }> {
  const store = createRunStore({ runbook: rb, inventory: makeInventory(['a', 'b']), records });
  const controller = createFakeController(store);
  const stdin = new FakeStdin();
  const stdout = new FakeStdout();
  const done = startPlayer({ store, controller, stateDir: '/tmp', stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream });
  const deadline = Date.now() + 2000;
  while (!stdout.written.includes('Only') && Date.now() < deadline) await new Promise<void>((r) => setImmediate(r));
  stdin.type('q');
  const code = await done;
  return { code, out: stdout, closed: controller.calls.some((c) => c.fn === 'close') };
}

const rec = (status: 'ok' | 'failed') => ({ status, attempts: 1, hash: 'h-one' });

describe('startPlayer', () => {
  it('resolves 3 on quit when steps remain, closing the controller', async () => {
    const r = await quitWith({});
    expect(r.code).toBe(3);
    expect(r.closed).toBe(true);
  });

  it('resolves 0 when everything is done and 1 when something failed', async () => {
    expect((await quitWith({ one: { a: rec('ok'), b: rec('ok') } })).code).toBe(0);
    expect((await quitWith({ one: { a: rec('ok'), b: rec('failed') } })).code).toBe(1);
  });

  it('uses the alternate screen buffer and restores the terminal', async () => {
    const { out } = await quitWith({});
    expect(out.written.startsWith('\u001b[?1049h')).toBe(true);
    expect(out.written.endsWith('\u001b[?1049l')).toBe(true);
  });
});
