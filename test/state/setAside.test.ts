import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { openState, setAsideCorrupt } from '../../src/engine/state/stateFile.js';
import { StateError } from '../../src/engine/errors.js';
import { setup } from './helpers.js';

describe('setAsideCorrupt', () => {
  it('renames an unloadable state file to <file>.corrupt-<timestamp> and a fresh state can start', async () => {
    const { stateFile, runbookPath } = setup();
    mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, 'not json\nat all\n');
    await expect(openState({ stateFile, runbookPath, mode: 'write' })).rejects.toBeInstanceOf(StateError);
    const moved = await setAsideCorrupt(stateFile);
    expect(moved).toMatch(new RegExp(`^${stateFile.replace(/[.]/g, '\\.')}\\.corrupt-\\d{8}T\\d{6}Z(-\\d+)?$`));
    expect(readFileSync(moved, 'utf8')).toBe('not json\nat all\n');
    expect(existsSync(stateFile)).toBe(false);
    const h = await openState({ stateFile, runbookPath, mode: 'write' });
    expect(h.snapshot()).toEqual({});
    await h.close();
  });

  it('never clobbers an earlier set-aside file from the same second', async () => {
    const { stateFile } = setup();
    mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, 'one');
    const first = await setAsideCorrupt(stateFile);
    writeFileSync(stateFile, 'two');
    const second = await setAsideCorrupt(stateFile);
    expect(second).not.toBe(first);
    expect(readFileSync(first, 'utf8')).toBe('one');
    expect(readFileSync(second, 'utf8')).toBe('two');
  });
});
