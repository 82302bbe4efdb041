// Status-line and outline derivations, tested without rendering.
import { describe, expect, it } from 'vitest';
import { countProblems, eta, sectionProgress } from '../../src/ui/progressView.js';
import { makeRunbook } from './fixtures.js';

const rb = makeRunbook([{ title: 'A', steps: [{ id: 'a' }, { id: 'b' }] }]);
const hosts = ['h1', 'h2'];
const rec = (status: 'ok' | 'failed' | 'unreachable' | 'interrupted') => ({ status, attempts: 1, hash: 'x' });

describe('progress view', () => {
  it('counts failed, interrupted and unreachable host-steps each as what it is', () => {
    expect(countProblems(['a', 'b'], { a: { h1: rec('failed'), h2: rec('ok'), h3: rec('interrupted') }, b: { h1: rec('unreachable') } })).toEqual({ failed: 1, interrupted: 1, unreachable: 1 });
  });

  it('gives a section its steps done on every host and its steps with a problem', () => {
    const p = sectionProgress([0, 1], rb.steps, { a: { h1: rec('ok'), h2: rec('ok') }, b: { h1: rec('failed') } }, () => hosts);
    expect(p).toEqual({ done: 1, total: 2, failed: 1 });
  });

  it('estimates the time left from the steps finished in this session, and nothing before one finished', () => {
    expect(eta(60_000, 3, 6)).toBe(120_000);
    expect(eta(60_000, 0, 6)).toBeUndefined();
    expect(eta(60_000, 3, 0)).toBeUndefined();
  });
});
