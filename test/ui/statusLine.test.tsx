// The status line at 80 columns: one line, the counts, failures and clock never cut, whatever the
// checks are doing or however long the running step's id is.
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusLine, type StatusLineProps } from '../../src/ui/components/StatusLine.js';

const base: StatusLineProps = {
  title: 'Troubleshoot: pods on one node cannot reach pods on other nodes',
  progress: { stepsDone: 1, stepsTotal: 6, hostStepsDone: 30, hostStepsTotal: 151 },
  mode: 'idle',
  elapsedMs: 0,
  width: 80,
  problems: { failed: 61, interrupted: 0, unreachable: 0 },
};
let unmount: (() => void) | undefined;
afterEach(() => unmount?.());
const line = (props: Partial<StatusLineProps>): string => {
  const r = render(<StatusLine {...base} {...props} />);
  unmount = r.unmount;
  return r.lastFrame() ?? '';
};

describe('the status line at 80 columns', () => {
  it('cuts what the checks are doing, not the counts, the failures or the clock', () => {
    const s = line({ checking: 'opening the state file' });
    expect(s.split('\n')).toHaveLength(1);
    expect(s).toContain('steps 1/6  host-steps 30/151  [checking');
    expect(s).toMatch(/…\]  ✖ 61 failed  0:00$/);
    expect(s).toMatch(/^Troubles/);
  });

  it('cuts a long running step id, keeping the mode', () => {
    const s = line({ width: 100, mode: 'running', currentStep: 'net-restart-flannel-on-the-nodes-with-a-stale-lease', etaMs: 63_000 });
    expect(s.split('\n')).toHaveLength(1);
    expect(s).toContain('[running] ▶ ');
    expect(s).toMatch(/…  ✖ 61 failed  0:00 ETA 1:03$/);
  });

  it('calls host-steps a crash interrupted "interrupted", not failed (the outcome is unknown)', () => {
    const s = line({ problems: { failed: 0, interrupted: 30, unreachable: 0 } });
    expect(s).toContain('⏸ 30 interrupted');
    expect(s).not.toContain('failed');
  });

  it('names failed, interrupted and unreachable host-steps apart', () => {
    expect(line({ width: 120, problems: { failed: 3, interrupted: 2, unreachable: 1 } })).toMatch(/✖ 3 failed  ⏸ 2 interrupted  ⊘ 1 unreachable  0:00$/);
  });

  it('shows the whole check when it fits', () => {
    expect(line({ width: 160, checking: 'opening the state file' })).toContain('[checking: opening the state file]');
  });
});
