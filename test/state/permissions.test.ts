import { describe, it, expect } from 'vitest';
import { chmodSync, statSync } from 'node:fs';
import path from 'node:path';
import { openState } from '../../src/engine/state/stateFile.js';
import { rec, setup } from './helpers.js';

const mode = (f: string) => statSync(f).mode & 0o777;

describe('state file permissions', () => {
  it('creates the state directory 0700 and the state and lock files 0600', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    expect(mode(path.dirname(stateFile))).toBe(0o700);
    expect(mode(stateFile)).toBe(0o600);
    expect(mode(`${stateFile}.lock`)).toBe(0o600);
    h.set('s', 'a', rec());
    await h.close();
    expect(mode(stateFile)).toBe(0o600);
  });

  it('keeps a compacted state file 0600', async () => {
    const { stateFile, runbookPath } = setup();
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    for (let i = 0; i < 150; i++) h.set('s', 'a', rec('ok', { attempts: i + 1 }));
    await h.close();
    await (await openState({ stateFile, runbookPath, mode: 'write' })).close();
    expect(mode(stateFile)).toBe(0o600);
  });

  it('tightens an existing world-readable state file to 0600 when opened for writing', async () => {
    const { stateFile, runbookPath } = setup();
    await (await openState({ stateFile, runbookPath, mode: 'write' })).close();
    chmodSync(stateFile, 0o644);
    await (await openState({ stateFile, runbookPath, mode: 'write' })).close();
    expect(mode(stateFile)).toBe(0o600);
  });
});
