import { describe, it, expect } from 'vitest';
import type { HostStatus, HostStepRecord } from '../../src/engine/types.js';
import { exitCodeFor, firstNotDoneIndex, progress, stepBadge } from '../../src/ui/selectors.js';
import { makeRunbook } from './fixtures.js';

const rb = makeRunbook([{ title: 'A', steps: [{ id: 's1' }, { id: 's2' }] }]);
const step = rb.steps[0];
const hosts = ['a', 'b', 'c'];
const rec = (status: HostStatus, hash = step.hash): HostStepRecord => ({ status, attempts: 1, hash });
const recs = (...st: (HostStatus | undefined)[]) => ({ s1: Object.fromEntries(st.flatMap((s, i) => (s ? [[hosts[i], rec(s)]] : []))) });

describe('step badges', () => {
  it('shows ✔ n/n when every host is done, counting the hosts passed without running (↷)', () => {
    expect(stepBadge(step, recs('ok', 'ok', 'ok'), hosts)).toEqual({ kind: 'done', text: '✔ 3/3' });
    expect(stepBadge(step, recs('ok', 'skipped', 'done-manual'), hosts)).toEqual({ kind: 'done', text: '✔ 3/3 2↷' });
  });
  it('shows ✖ with the number of failed hosts', () => {
    expect(stepBadge(step, recs('failed', 'ok', 'ok'), hosts)).toEqual({ kind: 'failed', text: '✖ 1/3 failed' });
  });
  it('shows … with done of total while a host runs', () => {
    expect(stepBadge(step, recs('ok', 'ok', 'running'), hosts)).toEqual({ kind: 'running', text: '… 2/3' });
  });
  it('shows ⏸ for interrupted hosts', () => {
    expect(stepBadge(step, recs('interrupted', 'ok', undefined), hosts).text).toBe('⏸ 1/3 intr');
  });
  it('shows ⚠ changed when a record was made for other text', () => {
    expect(stepBadge(step, { s1: { a: rec('ok', 'old-hash'), b: rec('ok'), c: rec('ok') } }, hosts)).toEqual({ kind: 'changed', text: '⚠ changed' });
  });
  it('shows · 0/n when nothing ran', () => {
    expect(stepBadge(step, {}, hosts)).toEqual({ kind: 'pending', text: '· 0/3' });
  });
});

describe('progress and resume point', () => {
  const targets = () => hosts;
  it('counts steps done on all targets and host-steps done', () => {
    expect(progress(rb.steps, recs('ok', 'ok', 'failed'), targets)).toEqual({ stepsDone: 0, stepsTotal: 2, hostStepsDone: 2, hostStepsTotal: 6 });
    expect(progress(rb.steps, recs('ok', 'ok', 'ok'), targets).stepsDone).toBe(1);
  });
  it('finds the first step not done on all its targets', () => {
    expect(firstNotDoneIndex(rb.steps, recs('ok', 'ok', 'ok'), targets)).toBe(1);
    expect(firstNotDoneIndex(rb.steps, recs('ok', 'interrupted', 'ok'), targets)).toBe(0);
  });
  it('exits 0 when all done, 1 when something failed, 3 otherwise', () => {
    const all = { s1: recs('ok', 'ok', 'ok').s1, s2: { a: rec('ok'), b: rec('ok'), c: rec('skipped') } };
    expect(exitCodeFor(rb.steps, all, targets)).toBe(0);
    expect(exitCodeFor(rb.steps, recs('failed'), targets)).toBe(1);
    expect(exitCodeFor(rb.steps, recs('ok', 'ok', 'ok'), targets)).toBe(3);
  });
});
