import { describe, it, expect } from 'vitest';
import fs, { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { AUTO_FLUSH_MS, openState } from '../../src/engine/state/stateFile.js';
import { StateError } from '../../src/engine/errors.js';
import { rec, setup } from './helpers.js';

async function writeAndClose(stateFile: string, runbookPath: string, fn: (h: Awaited<ReturnType<typeof openState>>) => void) {
  const h = await openState({ stateFile, runbookPath, mode: 'write' });
  fn(h);
  await h.close();
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** Runs fn while counting the journal's durable writes (fs.write calls, which only the journal makes here). */
async function countingWrites<T>(fn: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const real = fs.write;
  let writes = 0;
  (fs as { write: unknown }).write = (...args: unknown[]) => {
    writes++;
    return (real as (...a: unknown[]) => unknown)(...args);
  };
  syncBuiltinESMExports(); // the state module's named import sees the counting write
  try {
    return { result: await fn(), writes };
  } finally {
    (fs as { write: unknown }).write = real;
    syncBuiltinESMExports();
  }
}

describe('state journal: load and save', () => {
  it('round-trips records through the file', async () => {
    const { stateFile, runbookPath } = setup();
    const r = rec('failed', { exitCode: 2, signal: null, startedAt: '2024-01-01T00:00:00Z', endedAt: '2024-01-01T00:00:01Z', log: 'logs/x/a.1.log', message: 'exit 2', captured: { name: 'tok', value: 'v', secret: false } });
    await writeAndClose(stateFile, runbookPath, (h) => {
      h.set('init', 'cp1', rec());
      h.set('init', 'cp2', r);
    });
    const back = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(back.snapshot()).toEqual({ init: { cp1: rec(), cp2: r } });
  });

  it('writes a header line naming the schema, version and absolute runbook path', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, () => undefined);
    const header = JSON.parse(lines(stateFile)[0]);
    expect(header).toMatchObject({ schema: 'runbook-state', version: 2, runbook: runbookPath });
    expect(typeof header.createdAt).toBe('string');
  });

  it('lets later lines win over earlier ones for the same step and host', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => {
      h.set('s', 'a', rec('running'));
      h.set('s', 'a', rec('ok', { attempts: 2 }));
    });
    const back = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(back.get('s', 'a')).toEqual(rec('ok', { attempts: 2 }));
  });

  it('applies reset lines: one host of a step, a whole step, a host everywhere, everything', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => {
      for (const s of ['s1', 's2', 's3']) for (const host of ['a', 'b', 'c']) h.set(s, host, rec());
      h.reset('s1', 'a');
      h.reset('s2');
      h.reset(undefined, 'c');
    });
    const back = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(back.snapshot()).toEqual({ s1: { b: rec() }, s3: { a: rec(), b: rec() } });
    await writeAndClose(stateFile, runbookPath, (h) => h.reset());
    expect((await openState({ stateFile, runbookPath, mode: 'read' })).snapshot()).toEqual({});
  });

  it('appends only the new lines on each flush (the journal is never rewritten in normal use)', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.set('s', 'a', rec());
    await h.flush();
    const before = readFileSync(stateFile, 'utf8');
    h.set('s', 'b', rec());
    await h.flush();
    const after = readFileSync(stateFile, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toBe(JSON.stringify({ t: 'rec', step: 's', host: 'b', rec: rec() }) + '\n');
    await h.close();
  });

  it('writes the queued line automatically after set() without an explicit flush', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.set('s', 'a', rec());
    await expect.poll(() => lines(stateFile).length, { timeout: 5000 }).toBe(2);
    await h.close();
  });

  it('writes the lines nobody flushes (final records) within AUTO_FLUSH_MS of the first, in one durable write', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    const { writes } = await countingWrites(async () => {
      h.set('s', 'a', rec());
      await new Promise((r) => setTimeout(r, AUTO_FLUSH_MS / 4));
      h.set('s', 'b', rec());
      h.set('s', 'c', rec());
      await expect.poll(() => lines(stateFile).length, { timeout: 5000, interval: 5 }).toBe(4);
    });
    expect(writes).toBe(1);
    await h.close();
  });

  it('writes the queued lines with the next flush(): one durable write for them and the flushed one', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    const { writes } = await countingWrites(async () => {
      h.set('s1', 'a', rec('ok')); // a final record: nobody waits for it
      h.set('s1', 'b', rec('ok'));
      h.set('s2', 'a', rec('running')); // the next step's record, flushed before its command starts
      await h.flush();
      expect(lines(stateFile).slice(1).map((l) => JSON.parse(l).host + JSON.parse(l).rec.status)).toEqual(['aok', 'bok', 'arunning']);
    });
    expect(writes).toBe(1);
    await h.close();
  });

  it('coalesces concurrent flushes and loses nothing', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      h.set('s', `h${i}`, rec());
      flushes.push(h.flush());
    }
    await Promise.all(flushes);
    expect(lines(stateFile)).toHaveLength(51);
    await h.close();
  });

  it('never writes a secret capture value to disk', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => h.set('s', 'a', rec('ok', { captured: { name: 'pw', value: 'hunter2', secret: true } })));
    expect(readFileSync(stateFile, 'utf8')).not.toContain('hunter2');
    const back = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(back.get('s', 'a')?.captured).toEqual({ name: 'pw', value: null, secret: true });
  });
});

describe('state journal: crashes and corruption', () => {
  it('ignores a torn last line on read and cuts it away when opened for writing', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => h.set('s', 'a', rec()));
    const good = readFileSync(stateFile, 'utf8');
    appendFileSync(stateFile, '{"t":"rec","step":"s","host":"b","rec":{"sta');
    expect((await openState({ stateFile, runbookPath, mode: 'read' })).snapshot()).toEqual({ s: { a: rec() } });
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    expect(readFileSync(stateFile, 'utf8')).toBe(good);
    h.set('s', 'c', rec());
    await h.close();
    expect((await openState({ stateFile, runbookPath, mode: 'read' })).snapshot()).toEqual({ s: { a: rec(), c: rec() } });
  });

  it('ignores an unparsable last line even when it ends with a newline', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => h.set('s', 'a', rec()));
    appendFileSync(stateFile, '\0\0\0garbage\n');
    expect((await openState({ stateFile, runbookPath, mode: 'read' })).snapshot()).toEqual({ s: { a: rec() } });
  });

  it('refuses a corrupt middle line with file:line and leaves the file byte for byte untouched', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => {
      h.set('s', 'a', rec());
      h.set('s', 'b', rec());
    });
    const ls = readFileSync(stateFile, 'utf8').split('\n');
    ls[1] = '{"t":"rec","step":"s"'; // line 2 damaged
    writeFileSync(stateFile, ls.join('\n'));
    const before = readFileSync(stateFile);
    for (const mode of ['read', 'write'] as const) {
      const err = await openState({ stateFile, runbookPath, mode }).catch((e) => e);
      expect(err).toBeInstanceOf(StateError);
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain(`${stateFile}:2:`);
      expect(err.hint).toMatch(/runbook reset/);
    }
    expect(readFileSync(stateFile).equals(before)).toBe(true);
    expect(existsSync(`${stateFile}.lock`)).toBe(false);
  });

  it('refuses a well-formed line with an unknown status, naming its line', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => h.set('s', 'a', rec()));
    appendFileSync(stateFile, JSON.stringify({ t: 'rec', step: 's', host: 'b', rec: { status: 'weird', attempts: 1, hash: 'h' } }) + '\n');
    appendFileSync(stateFile, JSON.stringify({ t: 'rec', step: 's', host: 'c', rec: rec() }) + '\n');
    const err = await openState({ stateFile, runbookPath, mode: 'read' }).catch((e) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toContain(`${stateFile}:3:`);
  });

  it('refuses a journal written for another runbook and does not modify it', async () => {
    const { stateFile, runbookPath, dir } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => h.set('s', 'a', rec()));
    const before = readFileSync(stateFile);
    const err = await openState({ stateFile, runbookPath: `${dir}/other.md`, mode: 'write' }).catch((e) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`${stateFile}:1:`);
    expect(err.message).toContain(runbookPath);
    expect(readFileSync(stateFile).equals(before)).toBe(true);
  });

  it('refuses another format version and does not modify the file', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => h.set('s', 'a', rec()));
    const ls = readFileSync(stateFile, 'utf8').split('\n');
    ls[0] = ls[0].replace('"version":2', '"version":3');
    writeFileSync(stateFile, ls.join('\n'));
    const before = readFileSync(stateFile);
    const err = await openState({ stateFile, runbookPath, mode: 'write' }).catch((e) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/version 3/);
    expect(readFileSync(stateFile).equals(before)).toBe(true);
  });

  it('refuses a file that is not a state journal at all', async () => {
    const { runbookPath, dir } = setup();
    const other = `${dir}/notes.txt`;
    writeFileSync(other, 'hello world\nsecond line\n');
    const err = await openState({ stateFile: other, runbookPath, mode: 'write' }).catch((e) => e);
    expect(err).toBeInstanceOf(StateError);
    expect(readFileSync(other, 'utf8')).toBe('hello world\nsecond line\n');
  });
});

describe('state journal: interrupted steps and read mode', () => {
  it('turns running records into interrupted on a write-open, durably, and lists them', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => {
      h.set('init', 'cp1', rec('running', { startedAt: '2024-01-01T00:00:00Z' }));
      h.set('init', 'cp2', rec('ok'));
    });
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    expect(h.interruptedOnLoad).toEqual([{ stepId: 'init', host: 'cp1' }]);
    expect(h.get('init', 'cp1')?.status).toBe('interrupted');
    // Durable before openState resolves: a reader sees it while the writer still holds the lock.
    const reader = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(reader.get('init', 'cp1')).toMatchObject({ status: 'interrupted', startedAt: '2024-01-01T00:00:00Z' });
    expect(reader.get('init', 'cp2')?.status).toBe('ok');
    await h.close();
  });

  it('leaves running records as they are in read mode', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => h.set('init', 'cp1', rec('running')));
    const r = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(r.get('init', 'cp1')?.status).toBe('running');
    expect(r.interruptedOnLoad).toEqual([]);
  });

  it('read mode on a missing file is empty state and creates nothing', async () => {
    const { stateFile, runbookPath } = setup();
    const r = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(r.snapshot()).toEqual({});
    await r.close();
    expect(existsSync(stateFile)).toBe(false);
    expect(existsSync(`${stateFile}.lock`)).toBe(false);
  });

  it('read mode takes no lock (works while a writer holds it) and writes nothing, even with a torn tail', async () => {
    const { stateFile, runbookPath } = setup();
    await writeAndClose(stateFile, runbookPath, (h) => h.set('s', 'a', rec('running')));
    const writer = await openState({ stateFile, runbookPath, mode: 'write' }); // holds the lock
    appendFileSync(stateFile, '{"t":"re');
    const before = readFileSync(stateFile);
    const r = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(r.get('s', 'a')?.status).toBe('interrupted');
    await r.close();
    expect(readFileSync(stateFile).equals(before)).toBe(true);
    await writer.close();
  });

  it('read mode refuses to record anything', async () => {
    const { stateFile, runbookPath } = setup();
    const r = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(() => r.set('s', 'a', rec())).toThrow(/read-only/);
  });
});
