// Session lines (state format version 2): each invocation that changes the state records who ran
// it, where, when and with which options, through the same journal as the records, and every
// record it makes carries its id. Version-1 journals (no sessions) still load, and are migrated.
import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { headerLine, recLine, resetLine, STATE_VERSION, textLine, type SessionRecord } from '../../src/engine/state/journal.js';
import { openState } from '../../src/engine/state/stateFile.js';
import { rec, setup } from './helpers.js';

type Info = Omit<SessionRecord, 'id' | 'endedAt' | 'outcome'>;

function info(extra: Partial<Info> = {}): Info {
  return { user: 'alice', hostname: 'ops1', pid: 4242, startedAt: '2026-01-01T10:00:00.000Z', command: 'run', inventory: ['/srv/inv.ini'], vars: { region: 'eu' }, secretVars: ['db_password'], ...extra };
}

function journalLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function v1Journal(runbookPath: string, body: string): string {
  return headerLine(runbookPath).replace(`"version":${STATE_VERSION}`, '"version":1') + body;
}

describe('session lines', () => {
  it('a started session is on disk before the first record it makes, and that record carries its id', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    const s = h.startSession(info());
    h.set('init', 'cp1', rec('running'));
    await h.flush();
    const ls = journalLines(stateFile);
    expect(ls[1]).toEqual({ t: 'session', id: 's1', ...info() });
    expect(ls[2]).toMatchObject({ t: 'rec', step: 'init', host: 'cp1', rec: { status: 'running', session: 's1' } });
    expect(h.get('init', 'cp1')?.session).toBe(s.id);
    await h.close();
  });

  it('sessions are numbered s1, s2, ... in the order they started, and read back with their end and outcome', async () => {
    const { stateFile, runbookPath } = setup();
    for (const command of ['run', 'skip']) {
      const h = await openState({ stateFile, runbookPath, mode: 'write' });
      h.startSession(info({ command }));
      h.set('init', 'cp1', rec());
      h.endSession(`${command} finished`, new Date('2026-01-01T11:00:00.000Z'));
      await h.close();
    }
    const read = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(read.sessions.map((s) => [s.id, s.command, s.outcome, s.endedAt])).toEqual([
      ['s1', 'run', 'run finished', '2026-01-01T11:00:00.000Z'],
      ['s2', 'skip', 'skip finished', '2026-01-01T11:00:00.000Z'],
    ]);
    expect(read.get('init', 'cp1')?.session).toBe('s2');
  });

  it('a session whose process died has no end: it reads back without endedAt', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.startSession(info());
    h.set('init', 'cp1', rec('running'));
    await h.flush();
    // No endSession, no close: as after a kill -9 (the lock is left behind, and taken over as stale).
    const read = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(read.sessions).toHaveLength(1);
    expect(read.sessions[0].endedAt).toBeUndefined();
    await h.close();
  });

  it('a record marked interrupted on open keeps the id of the session that started it', async () => {
    const { stateFile, runbookPath } = setup();
    mkdirSync(path.dirname(stateFile), { recursive: true, mode: 0o700 });
    writeFileSync(stateFile, headerLine(runbookPath) + JSON.stringify({ t: 'session', id: 's1', ...info() }) + '\n' + recLine('init', 'cp1', rec('running', { session: 's1' })), { mode: 0o600 });
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.startSession(info({ pid: 5000 }));
    expect(h.get('init', 'cp1')).toMatchObject({ status: 'interrupted', session: 's1' });
    await h.close();
  });

  it('compaction keeps every session line', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.startSession(info());
    for (let i = 0; i < 150; i++) h.set('churn', 'cp1', rec('ok', { attempts: i + 1 }));
    h.endSession('done');
    await h.close();
    const before = journalLines(stateFile).length;
    const compacted = await openState({ stateFile, runbookPath, mode: 'write' });
    await compacted.close();
    const ls = journalLines(stateFile);
    expect(ls.length).toBeLessThan(before);
    expect(ls.filter((l) => l.t === 'session')).toEqual([{ t: 'session', id: 's1', ...info(), endedAt: expect.any(String), outcome: 'done' }]);
    expect((await openState({ stateFile, runbookPath, mode: 'read' })).sessions[0].outcome).toBe('done');
  });

  it('a torn session line (the crash\'s unfinished append) is ignored like any torn line', async () => {
    const { stateFile, runbookPath } = setup();
    mkdirSync(path.dirname(stateFile), { recursive: true, mode: 0o700 });
    const line = JSON.stringify({ t: 'session', id: 's1', ...info() });
    writeFileSync(stateFile, headerLine(runbookPath) + line.slice(0, 40), { mode: 0o600 });
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    expect(h.sessions).toEqual([]);
    expect(h.startSession(info()).id).toBe('s1');
    await h.close();
  });

  it('a session line without its user is refused as a corrupt line naming file:line', async () => {
    const { stateFile, runbookPath } = setup();
    mkdirSync(path.dirname(stateFile), { recursive: true, mode: 0o700 });
    const { user: _u, ...noUser } = info();
    writeFileSync(stateFile, headerLine(runbookPath) + JSON.stringify({ t: 'session', id: 's1', ...noUser }) + '\n' + resetLine(), { mode: 0o600 });
    await expect(openState({ stateFile, runbookPath, mode: 'read' })).rejects.toThrow(`${stateFile}:2: invalid journal line at user`);
  });
});

describe('version-1 journals (before sessions)', () => {
  it('load read-only as they are, with no sessions, and are not modified', async () => {
    const { stateFile, runbookPath } = setup();
    mkdirSync(path.dirname(stateFile), { recursive: true, mode: 0o700 });
    const text = v1Journal(runbookPath, textLine('init', 'h1', 'bash\necho\n') + recLine('init', 'cp1', rec()));
    writeFileSync(stateFile, text, { mode: 0o600 });
    const h = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(h.sessions).toEqual([]);
    expect(h.get('init', 'cp1')).toEqual(rec());
    expect(readFileSync(stateFile, 'utf8')).toBe(text);
  });

  it('opened for writing: kept as <file>.v1.bak and rewritten as the current version with every line of history', async () => {
    const { stateFile, runbookPath } = setup();
    mkdirSync(path.dirname(stateFile), { recursive: true, mode: 0o700 });
    const body = textLine('init', 'h1', 'bash\necho\n') + recLine('init', 'cp1', rec('running')) + recLine('init', 'cp1', rec('failed')) + recLine('init', 'cp1', rec('ok', { attempts: 2 }));
    const text = v1Journal(runbookPath, body);
    writeFileSync(stateFile, text + '{"t":"rec","step":"x"', { mode: 0o600 }); // with a torn tail
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.startSession(info());
    await h.close();
    expect(readFileSync(`${stateFile}.v1.bak`, 'utf8')).toBe(text + '{"t":"rec","step":"x"');
    const ls = readFileSync(stateFile, 'utf8').split('\n');
    expect(JSON.parse(ls[0])).toMatchObject({ version: STATE_VERSION, runbook: runbookPath, createdAt: JSON.parse(text.split('\n')[0]).createdAt });
    expect(ls.slice(1, 5).join('\n') + '\n').toBe(body);
    expect(JSON.parse(ls[5])).toMatchObject({ t: 'session', id: 's1' });
    expect((await openState({ stateFile, runbookPath, mode: 'read' })).get('init', 'cp1')).toEqual(rec('ok', { attempts: 2 }));
  });

  it('a journal that does not need migrating leaves no .bak', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.set('init', 'cp1', rec());
    await h.close();
    await (await openState({ stateFile, runbookPath, mode: 'write' })).close();
    expect(existsSync(`${stateFile}.v1.bak`)).toBe(false);
  });
});
