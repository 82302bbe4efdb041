import { describe, it, expect } from 'vitest';
import { initialUiState, uiReducer, type UiState } from '../../src/ui/uiState.js';

const picker = (s: UiState): UiState => uiReducer(s, { type: 'open', overlay: { kind: 'picker', hosts: ['a', 'b', 'c'], chosen: ['a', 'b', 'c'], cursor: 0 } });

describe('UI reducer', () => {
  it('starts on the given step, clamped to the runbook', () => {
    expect(initialUiState(5, 3).selected).toBe(3);
    expect(initialUiState(5, 9).selected).toBe(4);
  });

  it('moves the step selection within bounds and resets the host selection', () => {
    let s = { ...initialUiState(3), hostIndex: 2 };
    s = uiReducer(s, { type: 'move', delta: 1, hostCount: 3 });
    expect(s).toMatchObject({ selected: 1, hostIndex: 0 });
    s = uiReducer(s, { type: 'move', delta: 10, hostCount: 3 });
    expect(s.selected).toBe(2);
    s = uiReducer(s, { type: 'moveTo', where: 'top', hostCount: 3 });
    expect(s.selected).toBe(0);
  });

  it('moves the host selection when the hosts pane has focus', () => {
    let s = uiReducer(uiReducer(initialUiState(3), { type: 'nextPane' }), { type: 'nextPane' });
    expect(s.pane).toBe('hosts');
    s = uiReducer(s, { type: 'move', delta: 5, hostCount: 3 });
    expect(s).toMatchObject({ selected: 0, hostIndex: 2 });
  });

  it('scrolls the open log instead of the steps', () => {
    let s = uiReducer(initialUiState(3), { type: 'open', overlay: { kind: 'log', stepId: 'x', host: 'a', scroll: 0, follow: false } });
    s = uiReducer(s, { type: 'move', delta: 4, hostCount: 1 });
    expect(s.overlay).toMatchObject({ scroll: 4 });
    expect(s.selected).toBe(0);
  });

  it('toggles hosts in the picker, keeping inventory order', () => {
    let s = picker(initialUiState(1));
    s = uiReducer(s, { type: 'pickerToggle' });
    expect(s.overlay).toMatchObject({ chosen: ['b', 'c'] });
    s = uiReducer(s, { type: 'pickerToggle' });
    expect(s.overlay).toMatchObject({ chosen: ['a', 'b', 'c'] });
  });

  it('selects all hosts, or none when all are selected', () => {
    let s = uiReducer(picker(initialUiState(1)), { type: 'pickerAll' });
    expect(s.overlay).toMatchObject({ chosen: [] });
    s = uiReducer(s, { type: 'pickerAll' });
    expect(s.overlay).toMatchObject({ chosen: ['a', 'b', 'c'] });
  });

  it('closing an overlay clears typed variable text', () => {
    let s = uiReducer(initialUiState(1), { type: 'varInput', value: 'abc' });
    s = uiReducer(s, { type: 'close' });
    expect(s.varInput).toBe('');
  });
});
