// The report model and its Markdown/HTML renderings from a hand-written state: manual records
// with who and why, changed steps, session lines, escaping.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localInventory } from '../../src/engine/inventory/inventory.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { reportHtml } from '../../src/engine/report/html.js';
import { reportMarkdown } from '../../src/engine/report/markdown.js';
import { buildReport } from '../../src/engine/report/model.js';
import type { HostStepRecord } from '../../src/engine/types.js';
import { fence } from '../helpers/markdown.js';

const rb = parseRunbookText(['# One', '', fence('id=one', 'echo one'), '# Two', '', fence('id=two', 'echo two'), '# Three', '', fence('id=three', 'echo "a|b"')].join('\n'), '/srv/r.md');
const dir = mkdtempSync(join(tmpdir(), 'runbook-report-'));
const stateFile = join(dir, 'r.state.jsonl');
const hashOf = (id: string) => rb.steps.find((s) => s.id === id)!.hash;
const records: Record<string, Record<string, HostStepRecord>> = {
  one: { local: { status: 'ok', attempts: 2, hash: 'old-hash', startedAt: '2025-01-01T10:00:00.000Z', endedAt: '2025-01-01T10:00:05.000Z', session: 's1' } },
  two: { local: { status: 'skipped', attempts: 0, hash: hashOf('two'), endedAt: '2025-01-01T10:01:00.000Z', by: 'ops@bastion', reason: 'done by the <vendor> | already', session: 's2' } },
};
const session = (id: string, extra: Record<string, unknown>) => ({ t: 'session', id, user: 'ops', hostname: 'bastion', pid: 4242, command: 'play', inventory: ['/srv/inv.ini'], vars: { region: 'eu' }, secretVars: ['db_password'], ...extra });
writeFileSync(
  stateFile,
  [
    { schema: 'runbook-state', version: 2, runbook: '/srv/r.md', createdAt: '2025-01-01T09:59:00.000Z' },
    session('s1', { startedAt: '2025-01-01T10:00:00.000Z' }),
    { t: 'rec', step: 'one', host: 'local', rec: records.one.local },
    { t: 'session-end', id: 's1', endedAt: '2025-01-01T10:00:10.000Z', outcome: 'player closed (exit 0)' },
    session('s2', { startedAt: '2025-01-01T10:00:50.000Z', user: 'ann', hostname: 'laptop', pid: 77, command: 'skip', vars: {}, secretVars: [] }),
    { t: 'rec', step: 'two', host: 'local', rec: records.two.local },
  ].map((l) => JSON.stringify(l)).join('\n') + '\n{"t":"rec","ste',
);
const build = (since?: Date, only?: string) => buildReport({ runbook: rb, inventory: localInventory(), stateFile, stateDir: dir, records, mask: (t) => t, since, ...(only && { session: only }) });

describe('report model', () => {
  it('keeps who skipped and why, the attempts, the duration and which steps changed', async () => {
    const r = await build();
    expect(r.steps.find((s) => s.id === 'two')!.cells.local).toMatchObject({ status: 'skipped', by: 'ops@bastion', reason: 'done by the <vendor> | already' });
    expect(r.steps[0].cells.local).toMatchObject({ attempts: 2, durationMs: 5000, changed: true });
    expect(r.changedSteps).toEqual(['one']);
    expect(r.steps[2].cells.local.status).toBe('pending');
  });
  it('reads session lines from the state (who, where, when, which command and options) and ignores a torn last line', async () => {
    const r = await build();
    expect(r.sessions).toEqual([
      { id: 's1', by: 'ops@bastion', pid: 4242, startedAt: '2025-01-01T10:00:00.000Z', endedAt: '2025-01-01T10:00:10.000Z', command: 'play', inventory: ['/srv/inv.ini'], vars: { region: 'eu' }, secretVars: ['db_password'], outcome: 'player closed (exit 0)', events: 1 },
      { id: 's2', by: 'ann@laptop', pid: 77, startedAt: '2025-01-01T10:00:50.000Z', command: 'skip', inventory: ['/srv/inv.ini'], vars: {}, secretVars: [], events: 1 },
    ]);
    expect(r.ranBy).toEqual(['ops@bastion', 'ann@laptop']);
    expect(r.timeline.map((t) => [t.step, t.session])).toEqual([['one', 's1'], ['two', 's2']]);
    expect(r.stateCreatedAt).toBe('2025-01-01T09:59:00.000Z');
  });
  it('one session only: its records, its events and itself', async () => {
    const r = await build(undefined, 's1');
    expect(r.session).toBe('s1');
    expect(r.steps.map((s) => s.id)).toEqual(['one']);
    expect(r.timeline.map((t) => t.step)).toEqual(['one']);
    expect(r.sessions.map((s) => s.id)).toEqual(['s1']);
  });
  it('since a time: the sessions still going then (s1 ended before, s2 has no end)', async () => {
    const r = await build(new Date('2025-01-01T10:00:30.000Z'));
    expect(r.sessions.map((s) => s.id)).toEqual(['s2']);
  });
  it('Markdown: a sessions table with who (user@host, pid), command, inventory, vars (secrets by name) and outcome; the timeline per session', async () => {
    const md = reportMarkdown(await build());
    expect(md).toContain('| s1 | 2025-01-01 10:00:00Z | 2025-01-01 10:00:10Z | ops@bastion (4242) | `play` | `/srv/inv.ini` | all | region=eu, db_password (secret, not kept) | 1 | player closed (exit 0) |');
    expect(md).toContain('| s2 | 2025-01-01 10:00:50Z | not recorded (killed?) | ann@laptop (77) | `skip` |');
    expect(md).toContain('### Session s1: play by ops@bastion (pid 4242), 2025-01-01 10:00:00Z → 2025-01-01 10:00:10Z');
    expect(md).toContain('### Session s2: skip by ann@laptop (pid 77), 2025-01-01 10:00:50Z → end not recorded');
    expect(md.indexOf('### Session s1')).toBeLessThan(md.indexOf('| 2025-01-01 10:00:05Z | `one` |'));
    expect(md.indexOf('| 2025-01-01 10:00:05Z | `one` |')).toBeLessThan(md.indexOf('### Session s2'));
  });
  it('HTML: a timeline per session, one bar per attempt on that session\'s time axis', async () => {
    const html = reportHtml(await build());
    expect(html).toContain('<h3 class="session">Session s1: play by ops@bastion (pid 4242), 2025-01-01 10:00:00Z → 2025-01-01 10:00:10Z</h3>');
    // one: 10:00:00 → 10:00:05 on the axis 10:00:00 → 10:00:10 (the session's end)
    expect(html).toContain('<div class="s-ok" style="left:0.00%;width:50.00%"');
  });
  it('--since keeps only the steps with records in the period', async () => {
    const r = await build(new Date('2025-01-01T10:00:30.000Z'));
    expect(r.steps.map((s) => s.id)).toEqual(['two']);
    expect(r.timeline.map((t) => t.step)).toEqual(['two']);
  });
  it('Markdown escapes table cells and lists manual records with their reason', async () => {
    const md = reportMarkdown(await build());
    expect(md).toContain('| `two` | local | skipped | ops@bastion | done by the &lt;vendor> \\| already |');
    expect(md).toContain('## Changed since they ran');
    expect(md).toContain('| `one` | ✅* ×2 |');
  });
  it('HTML escapes every text', async () => {
    const html = reportHtml(await build());
    expect(html).toContain('done by the &lt;vendor&gt; | already');
    expect(html).not.toContain('<vendor>');
  });
});
