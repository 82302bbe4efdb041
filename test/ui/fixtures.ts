// Small in-memory runbooks and inventories for the UI tests.
import type { Host, Inventory, Runbook, Section, Step, StepAttributes } from '../../src/engine/types.js';

const ATTRS: StepAttributes = { sudo: false, retries: 0, delayMs: 0, secret: false, continueOnError: false, norun: false };

export interface StepSpec {
  readonly id: string;
  readonly body?: string;
  readonly attrs?: Partial<StepAttributes>;
  readonly hosts?: string;
}

/** A runbook with the given sections, each holding its steps. */
export function makeRunbook(sections: readonly { title: string; markdown?: string; steps: readonly StepSpec[] }[], title = 'Upgrade the cluster'): Runbook {
  const steps: Step[] = [];
  const secs: Section[] = [];
  let line = 1;
  sections.forEach((sec, si) => {
    const ids: string[] = [];
    for (const spec of sec.steps) {
      const body = spec.body ?? `echo ${spec.id}`;
      steps.push({
        id: spec.id, kind: 'shell', lang: 'bash', body, attrs: { ...ATTRS, id: spec.id, ...spec.attrs }, hosts: spec.hosts ?? 'all',
        sectionIndex: si, loc: { file: 'rb.md', line: (line += 4) }, hash: `h-${spec.id}`, title: sec.title,
        source: `bash {id=${spec.id}}\n${body}\n`,
      });
      ids.push(spec.id);
    }
    secs.push({ title: sec.title, depth: 2, slug: sec.title.toLowerCase().replace(/\W+/g, '-'), loc: { file: 'rb.md', line }, markdown: sec.markdown ?? `## ${sec.title}\n\nSome *text*.\n`, stepIds: ids });
  });
  return { path: '/tmp/rb.md', title, sources: [], sections: secs, steps, vars: {}, secretVars: [] };
}

export function makeInventory(names: readonly string[], groups: Readonly<Record<string, readonly string[]>> = {}): Inventory {
  const hosts: Host[] = names.map((name) => ({ name, address: '127.0.0.1', port: 22, connection: 'local', groups: ['all', ...Object.keys(groups).filter((g) => groups[g].includes(name))], vars: {} }));
  return { hosts, groups: { all: names, ...groups }, secretVars: [] };
}

/** `n` host names: m1..m3 (masters), then w1.. (workers). */
export function fleet(n: number): { hosts: string[]; groups: Record<string, string[]> } {
  const masters = ['m1', 'm2', 'm3'].slice(0, n);
  const workers = Array.from({ length: Math.max(0, n - 3) }, (_, i) => `w${i + 1}`);
  return { hosts: [...masters, ...workers], groups: { masters, workers } };
}

/** A runbook of `n` steps, ten per section. */
export function bigRunbook(n: number): Runbook {
  const sections = [];
  for (let s = 0; s * 10 < n; s++) {
    sections.push({ title: `Part ${s}`, steps: Array.from({ length: Math.min(10, n - s * 10) }, (_, i) => ({ id: `step-${String(s * 10 + i).padStart(3, '0')}` })) });
  }
  return makeRunbook(sections, 'Big');
}
