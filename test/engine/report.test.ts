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
  one: { local: { status: 'ok', attempts: 2, hash: 'old-hash', startedAt: '2025-01-01T10:00:00.000Z', endedAt: '2025-01-01T10:00:05.000Z' } },
  two: { local: { status: 'skipped', attempts: 0, hash: hashOf('two'), endedAt: '2025-01-01T10:01:00.000Z', by: 'ops@bastion', reason: 'done by the <vendor> | already' } },
};
writeFileSync(
  stateFile,
  [
    { schema: 'runbook-state', version: 1, runbook: '/srv/r.md', createdAt: '2025-01-01T09:59:00.000Z' },
    { t: 'session', startedAt: '2025-01-01T10:00:00.000Z', endedAt: '2025-01-01T10:02:00.000Z', user: 'ops', host: 'bastion', command: 'runbook play r.md' },
    { t: 'rec', step: 'one', host: 'local', rec: records.one.local },
    { t: 'rec', step: 'two', host: 'local', rec: records.two.local },
  ].map((l) => JSON.stringify(l)).join('\n') + '\n{"t":"rec","ste',
);
const build = (since?: Date) => buildReport({ runbook: rb, inventory: localInventory(), stateFile, stateDir: dir, records, mask: (t) => t, since });

describe('report model', () => {
  it('keeps who skipped and why, the attempts, the duration and which steps changed', async () => {
    const r = await build();
    expect(r.steps.find((s) => s.id === 'two')!.cells.local).toMatchObject({ status: 'skipped', by: 'ops@bastion', reason: 'done by the <vendor> | already' });
    expect(r.steps[0].cells.local).toMatchObject({ attempts: 2, durationMs: 5000, changed: true });
    expect(r.changedSteps).toEqual(['one']);
    expect(r.steps[2].cells.local.status).toBe('pending');
  });
  it('reads session lines from the state (who, when, which command) and ignores a torn last line', async () => {
    const r = await build();
    expect(r.sessions).toEqual([{ startedAt: '2025-01-01T10:00:00.000Z', endedAt: '2025-01-01T10:02:00.000Z', by: 'ops@bastion', command: 'runbook play r.md' }]);
    expect(r.ranBy).toEqual(['ops@bastion']);
    expect(r.timeline.map((t) => t.step)).toEqual(['one', 'two']);
    expect(r.stateCreatedAt).toBe('2025-01-01T09:59:00.000Z');
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
