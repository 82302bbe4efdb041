// `runbook status`: the steps × hosts table from the state file (read-only, takes no lock).
import { resolvePattern } from '../../engine/inventory/patterns.js';
import { openState } from '../../engine/state/stateFile.js';
import { isDone, type HostStatus, type HostStepRecord } from '../../engine/types.js';
import { loadSession, type CommonOptions } from '../session.js';
import { STATUS_LEGEND, STATUS_SYMBOL } from '../symbols.js';

export interface StatusOptions extends CommonOptions {
  readonly json?: boolean;
}

interface Cell {
  readonly status: HostStatus;
  readonly changed: boolean;
  readonly record?: HostStepRecord;
}

export async function statusCommand(path: string, o: StatusOptions, out: (l: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const { runbook, inventory, paths } = await loadSession(path, o);
  const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'read' });
  const records = state.snapshot();
  await state.close();

  const hostOrder: string[] = [];
  const table = runbook.steps.map((s) => {
    let targets: string[] = [];
    try {
      const r = resolvePattern(inventory, s.hosts);
      targets = r.hosts.map((h) => h.name);
    } catch {
      /* reported by lint */
    }
    const names = [...new Set([...targets, ...Object.keys(records[s.id] ?? {})])];
    const cells: Record<string, Cell> = {};
    for (const n of names) {
      if (!hostOrder.includes(n)) hostOrder.push(n);
      const rec = records[s.id]?.[n];
      cells[n] = { status: rec?.status ?? 'pending', changed: Boolean(rec && rec.hash !== s.hash), record: rec };
    }
    return { step: s, cells };
  });

  if (o.json) {
    const json = {
      runbook: runbook.path,
      title: runbook.title,
      stateFile: paths.stateFile,
      hosts: hostOrder,
      steps: table.map(({ step, cells }) => ({
        id: step.id,
        title: step.title,
        file: step.loc.file,
        line: step.loc.line,
        hosts: Object.fromEntries(Object.entries(cells).map(([h, c]) => [h, { status: c.status, changed: c.changed, ...(c.record ? { attempts: c.record.attempts, exitCode: c.record.exitCode, startedAt: c.record.startedAt, endedAt: c.record.endedAt, log: c.record.log, message: c.record.message } : {}) }])),
      })),
    };
    out(JSON.stringify(json, null, 2));
    return 0;
  }

  const idWidth = Math.min(40, Math.max(4, ...runbook.steps.map((s) => s.id.length)));
  out(`${runbook.title}  (state: ${paths.stateFile})`);
  out(`${'step'.padEnd(idWidth)}  ${hostOrder.join('  ')}`);
  let done = 0;
  let total = 0;
  for (const { step, cells } of table) {
    const row = hostOrder.map((h) => {
      const c = cells[h];
      if (!c) return ' '.repeat(h.length);
      total++;
      if (isDone(c.status)) done++;
      return (STATUS_SYMBOL[c.status] + (c.changed ? '*' : '')).padEnd(h.length);
    });
    out(`${step.id.slice(0, idWidth).padEnd(idWidth)}  ${row.join('  ')}`);
  }
  out('');
  out(`${done}/${total} host-steps done.  ${STATUS_LEGEND}  * changed since it ran`);
  return 0;
}
