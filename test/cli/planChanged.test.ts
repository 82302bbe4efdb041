// `runbook plan` on a runbook whose steps changed since they ran: the old text against the new.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planCommand } from '../../src/cli/commands/plan.js';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { openState } from '../../src/engine/state/stateFile.js';

const INVENTORY = 'all:\n  hosts:\n    web1: { ansible_connection: local }\n    web2: { ansible_connection: local }\n';
const book = (body: string, extra = ''): string => `# Site\n\n## Restart\n\n\`\`\`bash {id=restart}\n${body}\n\`\`\`\n${extra}`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * A runbook that ran as `before` on web1 (and on web2 when `both`), then was edited to `after`.
 * `withText: false` writes state as runbook did before it kept step texts.
 */
async function editedAfterRun(before: string, after: string, opts: { withText?: boolean; both?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-plan-changed-'));
  dirs.push(dir);
  const file = join(dir, 'site.md');
  const stateFile = join(dir, 'site.state.jsonl');
  writeFileSync(join(dir, 'inv.yaml'), INVENTORY);
  writeFileSync(file, before);
  const old = await loadRunbook(file);
  const state = await openState({ stateFile, runbookPath: old.path, mode: 'write' });
  for (const s of old.steps) {
    if (opts.withText !== false) state.noteStepText(s.id, s.hash, s.source);
    for (const host of opts.both ? ['web1', 'web2'] : ['web1']) state.set(s.id, host, { status: 'ok', attempts: 1, hash: s.hash, endedAt: '2026-01-01T00:00:00.000Z' });
  }
  await state.close();
  writeFileSync(file, after);
  const lines: string[] = [];
  const code = await planCommand(file, { inventory: join(dir, 'inv.yaml'), state: stateFile, sshConfig: false }, (l) => lines.push(...l.split('\n')));
  return { code, lines };
}

describe('runbook plan on changed steps', () => {
  it('prints the old and the new text of a changed step as a -/+ line diff', async () => {
    const { code, lines } = await editedAfterRun(book('systemctl restart kubelet'), book('systemctl daemon-reload\nsystemctl restart kubelet'));
    expect(code).toBe(0);
    const at = lines.indexOf('  changed since it ran on web1: - old, + new');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual(['    bash {id=restart}', '  + systemctl daemon-reload', '    systemctl restart kubelet']);
    expect(lines).toContain('### web1  [✔ ok, changed since it ran]');
  });

  it('names only the hosts whose record was made for the old text', async () => {
    const { lines } = await editedAfterRun(book('echo one'), book('echo two'), { both: true });
    expect(lines).toContain('  changed since it ran on web1, web2: - old, + new');
    expect(lines).toContain('  - echo one');
    expect(lines).toContain('  + echo two');
  });

  it('says the old text is unknown when the state was written before step texts were kept', async () => {
    const { code, lines } = await editedAfterRun(book('echo one'), book('echo two'), { withText: false });
    expect(code).toBe(0);
    expect(lines).toContain('  changed since it ran on web1 (the old text is not in the state file: it ran before runbook kept step texts)');
    expect(lines.some((l) => /^ {2}[-+] /.test(l))).toBe(false);
  });

  it('prints no diff for a step that did not change', async () => {
    const { lines } = await editedAfterRun(book('echo same'), book('echo same', '\nMore prose after the step.\n'));
    expect(lines.some((l) => l.includes('changed since it ran'))).toBe(false);
  });

  it('--json carries the old text of each changed host', async () => {
    const dirLines = await editedAfterRun(book('echo one'), book('echo two'));
    expect(dirLines.code).toBe(0);
    const dir = dirs[dirs.length - 1];
    const out: string[] = [];
    await planCommand(join(dir, 'site.md'), { inventory: join(dir, 'inv.yaml'), state: join(dir, 'site.state.jsonl'), sshConfig: false, json: true }, (l) => out.push(l));
    const plan = JSON.parse(out.join('\n')) as { host: string; changed: boolean; previousText?: string }[];
    expect(plan.find((e) => e.host === 'web1')).toMatchObject({ changed: true, previousText: 'bash {id=restart}\necho one\n' });
    expect(plan.find((e) => e.host === 'web2')).toMatchObject({ changed: false });
    expect(plan.find((e) => e.host === 'web2')?.previousText).toBeUndefined();
  });
});
