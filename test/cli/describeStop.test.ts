// The last line of `runbook run` and its exit code, for each way play can stop.
import { describe, expect, it } from 'vitest';
import { describeStop } from '../../src/cli/commands/run.js';
import { EXIT } from '../../src/engine/errors.js';
import type { HostStatus } from '../../src/engine/types.js';

const fleet = (n: number, st: HostStatus): Record<string, HostStatus> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`node${i + 1}`, st]));

describe('the line run ends with', () => {
  it('names at most five of a fleet of failed hosts, then how many more', () => {
    const { line, code } = describeStop({ kind: 'failed', stepId: 'init', hosts: fleet(30, 'failed') });
    expect(line).toContain('stopped: step `init` failed (node1, node2, node3, node4, node5 and 25 more failed)');
    expect(code).toBe(EXIT.STEP_FAILED);
  });

  it('names every host of a short list', () => {
    expect(describeStop({ kind: 'failed', stepId: 'init', hosts: fleet(3, 'failed') }).line).toContain('(node1, node2, node3 failed)');
  });

  it('makes a stop before a confirm step exit 1 when a continue_on_error step failed before it', () => {
    const { line, code } = describeStop({ kind: 'confirm', stepId: 'drain', reason: 'drains', tolerated: [{ stepId: 'probe', hosts: { node3: 'failed' } }] });
    expect(code).toBe(EXIT.STEP_FAILED);
    expect(line).toMatch(/^stopped before step `drain`.*; earlier, continue_on_error let the run go on past `probe` \(node3 failed\)/);
  });

  it('makes it exit 5 when the tolerated trouble was only unreachable hosts', () => {
    expect(describeStop({ kind: 'paused', tolerated: [{ stepId: 'probe', hosts: { node3: 'unreachable' } }] }).code).toBe(EXIT.UNREACHABLE);
  });

  it('keeps exit 4 for a state file that cannot be written, naming the tolerated failure too', () => {
    const { line, code } = describeStop({ kind: 'state-error', message: 'disk full', tolerated: [{ stepId: 'probe', hosts: { node3: 'failed' } }] });
    expect(code).toBe(EXIT.STATE_UNAVAILABLE);
    expect(line).toContain('`probe` (node3 failed)');
  });
});
