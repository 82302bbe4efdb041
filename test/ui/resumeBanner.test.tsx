// The resume banner appears whenever the state holds interrupted host-steps when the player opens,
// whichever command found them (this player, `status` then `play`, `run`, or a player quit with the
// banner unanswered), says which steps on which hosts, where and when they started, and how to retry.
import { afterEach, describe, expect, it } from 'vitest';
import type { HostStatus, HostStepRecord } from '../../src/engine/types.js';
import { createRunStore } from '../../src/engine/store.js';
import { resumeInfo } from '../../src/ui/resumeView.js';
import { fleet, makeInventory, makeRunbook } from './fixtures.js';
import { KEYS, renderApp, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const rb = makeRunbook([
  { title: 'Drain', steps: [{ id: 'drain' }] },
  { title: 'Upgrade', steps: [{ id: 'upgrade' }, { id: 'restart' }] },
]);

const rec = (stepId: string, status: HostStatus, startedAt?: string): HostStepRecord => ({ status, attempts: 1, hash: `h-${stepId}`, startedAt });

describe('resume banner', () => {
  it('opens for interrupted records even when this open found nothing running (an earlier command marked them)', async () => {
    h = await renderApp(rb, { records: { drain: { web1: rec('drain', 'ok'), web2: rec('drain', 'interrupted'), db1: rec('drain', 'interrupted') } } });
    const f = h.frame();
    expect(f).toContain('Resumed: 2 host-steps were interrupted in an earlier session');
    expect(f).toContain('⏸ drain on web2, db1');
  });

  it('says where each step is, when it started, and what R, m, s and Esc do', async () => {
    h = await renderApp(rb, { records: { upgrade: { web1: rec('upgrade', 'interrupted', '2026-11-30T22:05:09.000Z') } } });
    const f = h.frame().replace(/[│║]/g, ' ').replace(/\s+/g, ' ');
    expect(f).toContain('⏸ upgrade on web1 (rb.md:9, started 2026-11-30 22:05 UTC)');
    expect(f).toContain('the outcome is unknown');
    expect(f).toContain('R runs each step again on its interrupted hosts');
    expect(f).toContain('Esc keeps them interrupted for later');
  });

  it('does not open when nothing is interrupted, and Esc closes it for the session', async () => {
    h = await renderApp(rb, { records: { drain: { web1: rec('drain', 'ok') } } });
    expect(h.frame()).not.toContain('Resumed:');
    h.unmount();
    h = await renderApp(rb, { records: { drain: { web1: rec('drain', 'interrupted') } } });
    await h.press(KEYS.esc);
    await h.waitFor((f) => !f.includes('Resumed:'), 'banner closed');
    expect(h.frame()).toMatch(/drain\s+⏸ 1\/3 intr/);
  });

  it('at 80x24 with 30 hosts interrupted on many steps, fits the screen and counts the steps it cannot list', async () => {
    const { hosts, groups } = fleet(30);
    const many = makeRunbook([{ title: 'Many', steps: Array.from({ length: 20 }, (_, i) => ({ id: `s${i}` })) }]);
    const records = Object.fromEntries(many.steps.map((s) => [s.id, Object.fromEntries(hosts.map((x) => [x, rec(s.id, 'interrupted')]))]));
    h = await renderApp(many, { hosts, groups, records, width: 80, height: 23 });
    const f = h.frame();
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(f).toContain('Resumed: 600 host-steps were interrupted');
    expect(f).toMatch(/… and \d+ more steps on \d+ host-steps \(the keys act on all of them\)/);
    expect(f).toContain('R retry');
  });

  it('R retries every interrupted host of every step listed, in runbook order', async () => {
    h = await renderApp(rb, { records: { restart: { db1: rec('restart', 'interrupted') }, drain: { web2: rec('drain', 'interrupted') } } });
    await h.press('R');
    await h.waitFor(() => h!.controller.calls.filter((c) => c.fn === 'runStep').length === 2, 'both retries');
    expect(h.controller.calls.filter((c) => c.fn === 'runStep')).toEqual([
      { fn: 'runStep', stepId: 'drain', opts: { hosts: ['web2'] } },
      { fn: 'runStep', stepId: 'restart', opts: { hosts: ['db1'] } },
    ]);
  });
});

describe('resumeInfo', () => {
  it('lists a step\'s interrupted hosts in inventory order, whatever order the state wrote them in', () => {
    const names = Array.from({ length: 14 }, (_, i) => `w${i + 1}`);
    const written = [...names.slice(1, 13), 'w1', 'w14']; // as seen after a crash with 30 hosts: w1 written late
    const store = createRunStore({
      runbook: rb, inventory: makeInventory(names),
      records: { restart: Object.fromEntries(written.map((h) => [h, rec('restart', 'interrupted')])) },
    });
    expect(resumeInfo(store.getState()).groups[0].hosts).toEqual(names);
  });


  it('groups the still-interrupted cells by step in runbook order with the earliest start', () => {
    const store = createRunStore({
      runbook: rb, inventory: makeInventory(['web1', 'web2']),
      records: {
        restart: { web1: rec('restart', 'interrupted', '2026-12-01T10:00:00Z'), web2: rec('restart', 'interrupted', '2026-12-01T09:00:00Z') },
        drain: { web1: rec('drain', 'ok'), web2: rec('drain', 'interrupted') },
      },
    });
    const info = resumeInfo(store.getState());
    expect(info.total).toBe(3);
    expect(info.groups.map((g) => [g.stepId, g.hosts, g.startedAt])).toEqual([
      ['drain', ['web2'], undefined],
      ['restart', ['web1', 'web2'], '2026-12-01T09:00:00Z'],
    ]);
  });
});
