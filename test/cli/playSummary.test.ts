// What `runbook play` prints after the player closed: the count of finished steps and every kind of
// problem with its steps and hosts, so the exit code is explained in the terminal's scrollback.
import { describe, expect, it } from 'vitest';
import type { HostStatus } from '../../src/engine/types.js';
import { playSummaryLines } from '../../src/cli/playSummary.js';
import { makeRunbook } from '../ui/fixtures.js';

const rb = makeRunbook([{ title: 'A', steps: [{ id: 'install' }, { id: 'configure' }, { id: 'start' }] }]);
const hosts = ['m1', 'm2', 'm3'];
const targets = (): string[] => hosts;
const on = (...st: HostStatus[]) => Object.fromEntries(st.map((s, i) => [hosts[i], { status: s }]));

describe('the lines play prints when it closes', () => {
  it('says every step finished and what exit 0 means', () => {
    const recs = { install: on('ok', 'ok', 'ok'), configure: on('ok', 'ok', 'ok'), start: on('ok', 'ok', 'done-already') };
    expect(playSummaryLines(rb.steps, recs, targets, 0)).toEqual(['runbook play: 3 of 3 steps finished, exit 0: every step is done on every host']);
  });

  it('names the failed step and its hosts, and the steps left to resume', () => {
    const recs = { install: on('ok', 'ok', 'ok'), configure: on('ok', 'failed', 'failed') };
    expect(playSummaryLines(rb.steps, recs, targets, 1)).toEqual([
      'runbook play: 1 of 3 steps finished, exit 1: a step failed',
      '  ✖ failed: configure on m2, m3',
      '  2 steps not finished: play the runbook again to resume',
    ]);
  });

  it('says why a step failed when it was stopped on every host it failed on: aborted by the operator, or its timeout', () => {
    const recs = {
      install: { m1: { status: 'failed' as const, message: 'timed out after 5s' }, m2: { status: 'failed' as const, message: 'timed out after 5s' }, m3: { status: 'ok' as const } },
      configure: Object.fromEntries(hosts.map((h) => [h, { status: 'failed' as const, message: 'aborted by operator' }])),
      start: { m1: { status: 'failed' as const, message: 'aborted by operator' }, m2: { status: 'failed' as const, message: 'exit 1' } },
    };
    expect(playSummaryLines(rb.steps, recs, targets, 1)).toEqual([
      'runbook play: 0 of 3 steps finished, exit 1: a step failed',
      '  ✖ failed: install on m1, m2 (timed out after 5s)',
      '  ✖ failed: configure on all 3 hosts (aborted by operator)',
      '  ✖ failed: start on m1, m2',
      '  3 steps not finished: play the runbook again to resume',
    ]);
  });

  it('lists unreachable and interrupted hosts apart from failures', () => {
    const recs = { install: on('ok', 'unreachable', 'ok'), configure: on('interrupted', 'pending', 'ok') };
    const lines = playSummaryLines(rb.steps, recs, targets, 5);
    expect(lines).toContain('  ⊘ unreachable: install on m2');
    expect(lines).toContain('  ⚡ interrupted: configure on m1');
    expect(lines[0]).toContain('exit 5: a host was unreachable');
  });

  it('says when skipped or hand-marked hosts were counted as finished', () => {
    const recs = { install: on('ok', 'skipped', 'ok'), configure: on('done-manual', 'ok', 'ok'), start: on('ok', 'ok', 'ok') };
    expect(playSummaryLines(rb.steps, recs, targets, 0)).toContain('  counted as finished: ↷ skipped on 1 host-step, ✋ marked done by hand on 1');
  });

  it('shortens long host lists with a count of the rest', () => {
    const many = Array.from({ length: 30 }, (_, i) => `w${i + 1}`);
    const recs = { install: Object.fromEntries(many.slice(0, 29).map((h) => [h, { status: 'failed' as const }])) };
    const lines = playSummaryLines(rb.steps, recs, () => many, 1);
    expect(lines[1]).toBe('  ✖ failed: install on w1, w2, w3, w4, w5 and 24 more');
  });

  it('says "all N hosts" when a step failed on every host it targets, one line per step', () => {
    const recs = { install: on('failed', 'failed', 'failed'), configure: on('ok', 'failed', 'ok') };
    expect(playSummaryLines(rb.steps, recs, targets, 1).slice(1, 3)).toEqual(['  ✖ failed: install on all 3 hosts', '  ✖ failed: configure on m2']);
  });

  it('lists at most five failed steps, then how many more', () => {
    const many = makeRunbook([{ title: 'A', steps: Array.from({ length: 8 }, (_, i) => ({ id: `s${i + 1}` })) }]);
    const recs = Object.fromEntries(many.steps.map((s) => [s.id, on('failed', 'ok', 'ok')]));
    const lines = playSummaryLines(many.steps, recs, targets, 1);
    expect(lines.filter((l) => l.startsWith('  ✖ failed:'))).toHaveLength(6);
    expect(lines).toContain('  ✖ failed: and 3 more steps');
  });

  it('leaves out steps that target no host of the session', () => {
    expect(playSummaryLines(rb.steps, {}, () => [], 0)[0]).toContain('0 of 0 steps');
  });
});
