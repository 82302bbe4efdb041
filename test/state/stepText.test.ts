// Step-text lines: the journal keeps the source of each step per hash, so a step whose text
// changed since it ran can show the old text next to the new one.
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { StateError } from '../../src/engine/errors.js';
import { headerLine, parseJournal, recLine, resetLine, STATE_VERSION, textLine } from '../../src/engine/state/journal.js';
import { openState } from '../../src/engine/state/stateFile.js';
import { rec, setup } from './helpers.js';

const SOURCE_V1 = 'bash {id=init}\nkubeadm init --pod-network-cidr={{ cidr }}\n';
const SOURCE_V2 = 'bash {id=init}\nkubeadm init --pod-network-cidr={{ cidr }} --upload-certs\n';

function journalLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('step-text journal lines', () => {
  it('round trip: a noted text is on disk as {"t":"text",step,hash,text} and read back by stepText', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.noteStepText('init', 'aa11', SOURCE_V1);
    h.set('init', 'cp1', rec('ok', { hash: 'aa11' }));
    expect(h.stepText('init', 'aa11')).toBe(SOURCE_V1);
    await h.close();
    expect(journalLines(stateFile)[1]).toEqual({ t: 'text', step: 'init', hash: 'aa11', text: SOURCE_V1 });
    const again = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(again.stepText('init', 'aa11')).toBe(SOURCE_V1);
    expect(again.stepText('init', 'bb22')).toBeUndefined();
    expect(again.stepText('other', 'aa11')).toBeUndefined();
  });

  it('is written once per step and hash, however many hosts record it', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    for (const host of ['cp1', 'cp2', 'cp3']) {
      h.noteStepText('init', 'aa11', SOURCE_V1);
      h.set('init', host, rec('ok', { hash: 'aa11' }));
    }
    h.noteStepText('init', 'bb22', SOURCE_V2);
    h.noteStepText('init', 'bb22', SOURCE_V2);
    await h.close();
    const texts = journalLines(stateFile).filter((l) => l.t === 'text');
    expect(texts.map((l) => l.hash)).toEqual(['aa11', 'bb22']);
  });

  it('a text noted in an earlier session is not written again', async () => {
    const { stateFile, runbookPath } = setup();
    const first = await openState({ stateFile, runbookPath, mode: 'write' });
    first.noteStepText('init', 'aa11', SOURCE_V1);
    await first.close();
    const second = await openState({ stateFile, runbookPath, mode: 'write' });
    second.noteStepText('init', 'aa11', SOURCE_V1);
    await second.close();
    expect(journalLines(stateFile).filter((l) => l.t === 'text')).toHaveLength(1);
  });

  it('the text line comes before the record it explains, in the same flush', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.noteStepText('init', 'aa11', SOURCE_V1);
    h.set('init', 'cp1', rec('running', { hash: 'aa11' }));
    await h.flush();
    expect(journalLines(stateFile).slice(1).map((l) => l.t)).toEqual(['text', 'rec']);
    await h.close();
  });

  it('survives compaction for hashes live records carry; texts no record carries are dropped', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.noteStepText('init', 'aa11', SOURCE_V1);
    h.set('init', 'cp1', rec('ok', { hash: 'aa11' }));
    h.noteStepText('init', 'bb22', SOURCE_V2);
    h.set('init', 'cp2', rec('ok', { hash: 'bb22' }));
    h.noteStepText('gone', 'cc33', 'bash\necho gone\n');
    h.set('gone', 'cp1', rec('ok', { hash: 'cc33' }));
    h.reset('gone');
    for (let i = 0; i < 150; i++) h.set('churn', 'cp1', rec('ok', { attempts: i + 1 }));
    await h.close();

    const compacted = await openState({ stateFile, runbookPath, mode: 'write' });
    expect(compacted.stepText('init', 'aa11')).toBe(SOURCE_V1);
    expect(compacted.stepText('gone', 'cc33')).toBeUndefined();
    await compacted.close();
    const lines = journalLines(stateFile);
    expect(lines.length).toBeLessThan(10);
    expect(lines.filter((l) => l.t === 'text').map((l) => [l.step, l.hash])).toEqual([['init', 'aa11'], ['init', 'bb22']]);

    const read = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(read.stepText('init', 'aa11')).toBe(SOURCE_V1);
    expect(read.stepText('init', 'bb22')).toBe(SOURCE_V2);
  });

  it('a text dropped by compaction is written again when its hash is recorded again', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    h.noteStepText('gone', 'cc33', 'bash\necho gone\n');
    h.set('gone', 'cp1', rec('ok', { hash: 'cc33' }));
    h.reset('gone');
    for (let i = 0; i < 150; i++) h.set('churn', 'cp1', rec('ok', { attempts: i + 1 }));
    await h.close();
    const compacted = await openState({ stateFile, runbookPath, mode: 'write' });
    compacted.noteStepText('gone', 'cc33', 'bash\necho gone\n');
    await compacted.close();
    const read = await openState({ stateFile, runbookPath, mode: 'read' });
    expect(read.stepText('gone', 'cc33')).toBe('bash\necho gone\n');
  });

  it('absent in older files: a version-1 journal without text lines loads, and stepText is undefined', async () => {
    const { stateFile, runbookPath } = setup();
    mkdirSync(path.dirname(stateFile), { recursive: true, mode: 0o700 });
    const v1 = headerLine(runbookPath).replace('"version":2', '"version":1');
    writeFileSync(stateFile, v1 + recLine('init', 'cp1', rec('ok', { hash: 'aa11' })) + resetLine('x'), { mode: 0o600 });
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    expect(h.get('init', 'cp1')?.hash).toBe('aa11');
    expect(h.stepText('init', 'aa11')).toBeUndefined();
    await h.close();
    // Opened for writing, it is rewritten as the current version (sessions are version 2).
    expect(journalLines(stateFile)[0]).toMatchObject({ version: STATE_VERSION });
  });

  it('refuses a text line without a hash as a corrupt line naming file:line', () => {
    const file = '/srv/.runbook/site.state.jsonl';
    const buf = Buffer.from(headerLine('/srv/site.md') + '{"t":"text","step":"init","text":"x"}\n' + resetLine());
    expect(() => parseJournal(buf, file, '/srv/site.md')).toThrow(StateError);
    expect(() => parseJournal(buf, file, '/srv/site.md')).toThrow(`${file}:2: invalid journal line at hash`);
  });

  it('textLine escapes the text as JSON on one line', () => {
    const line = textLine('s', 'h', 'bash {id=s}\necho "a\\tb"\n');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ t: 'text', step: 's', hash: 'h', text: 'bash {id=s}\necho "a\\tb"\n' });
  });
});
