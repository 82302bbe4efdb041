// runbooks/README.md maps the field notes' pitfalls to step ids; every id it names must exist in
// the runbook it names, so the map cannot silently rot when steps are renamed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { K8S_HA, RUNBOOKS } from './helpers.js';

/** `file#id`, then `#id` meaning the same file as the previous reference in that cell. */
function references(readme: string): { file: string; id: string }[] {
  const refs: { file: string; id: string }[] = [];
  for (const row of readme.split('\n').filter((l) => l.startsWith('|'))) {
    for (const cell of row.split('|')) {
      let file = '';
      for (const m of cell.matchAll(/`([\w.-]*)#([\w.-]+)`/g)) {
        if (m[1]) file = m[1];
        if (file) refs.push({ file, id: m[2]! });
      }
    }
  }
  return refs;
}

describe('runbooks/README.md pitfall map', () => {
  it('names only step ids that exist in the runbook it names', async () => {
    const readme = readFileSync(join(RUNBOOKS, 'README.md'), 'utf8');
    const k8s = await loadRunbook(K8S_HA);
    const idsOf = async (file: string): Promise<Set<string>> => {
      if (/^\d\d-/.test(file)) return new Set(k8s.steps.filter((s) => s.loc.file.endsWith(`${file}.md`)).map((s) => s.id));
      const dir = existsSync(join(RUNBOOKS, 'troubleshooting', `${file}.md`)) ? 'troubleshooting' : 'k8s-ops';
      return new Set((await loadRunbook(join(RUNBOOKS, dir, `${file}.md`))).steps.map((s) => s.id));
    };
    const refs = references(readme);
    expect(refs.length).toBeGreaterThan(30);
    const missing: string[] = [];
    for (const r of refs) {
      // `failover-*` names a family of steps.
      const ids = [...(await idsOf(r.file))];
      const found = r.id.endsWith('-') || r.id.endsWith('*') ? ids.some((i) => i.startsWith(r.id.replace(/\*$/, ''))) : ids.includes(r.id);
      if (!found) missing.push(`${r.file}#${r.id}`);
    }
    expect(missing).toEqual([]);
  });

  it('names in its "How verified" column only tests that exist', () => {
    const readme = readFileSync(join(RUNBOOKS, 'README.md'), 'utf8');
    const dir = join(RUNBOOKS, '..', 'test', 'runbooks');
    const tests = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const rows = readme.split('\n').filter((l) => l.startsWith('| ') && l.split('|').length === 6);
    const named = rows.flatMap((r) => [...r.split('|')[4]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThan(10);
    // A name ending in … is the start of a longer test name.
    const missing = named.filter((n) => !tests.includes(n.replace(/…$/, '')));
    expect(missing).toEqual([]);
  });
});
