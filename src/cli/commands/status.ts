// `runbook status`: the steps × hosts table from the state file (read-only, takes no lock).
import { resolvePattern } from '../../engine/inventory/patterns.js';
import { openState } from '../../engine/state/stateFile.js';
import { isDone, type HostStatus, type HostStepRecord } from '../../engine/types.js';
import { loadSession, type CommonOptions } from '../session.js';
import { STATUS_LEGEND_PARTS, STATUS_SYMBOL } from '../symbols.js';
import { loadColumns } from '../columns.js';
import { fitParts, outputWidth, statusGrid } from '../statusGrid.js';
import { writeOut } from '../stdout.js';

export interface StatusOptions extends CommonOptions {
  readonly json?: boolean;
}

interface Cell {
  readonly status: HostStatus;
  readonly changed: boolean;
  readonly record?: HostStepRecord;
}

/** `width`: columns to lay the grid out in (default: the terminal's, else $COLUMNS, else unbounded). */
export async function statusCommand(path: string, o: StatusOptions, out: (l: string) => void = (l) => writeOut(l + '\n'), width: number = outputWidth()): Promise<number> {
  const { runbook, inventory, paths, goneHosts } = await loadSession(path, o, { memory: true });
  const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'read' });
  const records = state.snapshot();
  await state.close();

  // Without an inventory (no -i, none in front matter) the default is the local machine; a state
  // made with an inventory would then show an invented `local` host. Show what the state knows.
  const recordedHosts = new Set(Object.values(records).flatMap((byHost) => Object.keys(byHost)));
  const onlyRecorded = !inventory.file && recordedHosts.size > 0 && ![...recordedHosts].some((h) => inventory.hosts.some((x) => x.name === h));
  const note = onlyRecorded ? 'no inventory given: showing only the hosts recorded in the state file (pass -i to see the pending ones)' : undefined;
  // Hosts recorded in the state that the inventory no longer has are shown, never dropped.
  const gone = onlyRecorded ? [] : goneHosts;
  const goneNote = gone.length ? `not in ${inventory.file ?? 'the default local inventory'} any more (shown as recorded): ${gone.join(', ')}` : undefined;

  const hostOrder: string[] = [];
  // Most steps of a runbook share a few host patterns: each is resolved once.
  const targetsByPattern = new Map<string, string[]>();
  const targetsOf = (pattern: string): string[] => {
    let targets = targetsByPattern.get(pattern);
    if (targets === undefined) {
      try {
        targets = onlyRecorded ? [] : resolvePattern(inventory, pattern).hosts.map((h) => h.name);
      } catch {
        targets = []; // reported by lint
      }
      targetsByPattern.set(pattern, targets);
    }
    return targets;
  };
  const table = runbook.steps.map((s) => {
    const targets = targetsOf(s.hosts);
    const names = [...new Set([...targets, ...Object.keys(records[s.id] ?? {})])];
    const cells: Record<string, Cell> = {};
    for (const n of names) {
      if (!hostOrder.includes(n)) hostOrder.push(n);
      const rec = records[s.id]?.[n];
      cells[n] = { status: rec?.status ?? 'pending', changed: Boolean(rec && rec.hash !== s.hash), record: rec };
    }
    return { step: s, cells };
  });

  if (onlyRecorded) hostOrder.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const cells = table.flatMap((t) => Object.values(t.cells));
  const done = cells.filter((c) => isDone(c.status)).length;
  const total = cells.length;

  if (o.json) {
    const json = {
      runbook: runbook.path,
      title: runbook.title,
      stateFile: paths.stateFile,
      inventory: inventory.file ?? null,
      ...(note ? { note } : {}),
      notInInventory: gone,
      hosts: hostOrder,
      done,
      total,
      steps: table.map(({ step, cells }) => ({
        id: step.id,
        title: step.title,
        file: step.loc.file,
        line: step.loc.line,
        hosts: Object.fromEntries(Object.entries(cells).map(([h, c]) => [h, { status: c.status, changed: c.changed, ...(c.record ? { attempts: c.record.attempts, exitCode: c.record.exitCode, startedAt: c.record.startedAt, endedAt: c.record.endedAt, log: c.record.log, message: c.record.message, ...(c.record.by ? { by: c.record.by } : {}), ...(c.record.reason ? { reason: c.record.reason } : {}) } : {}) }])),
      })),
    };
    out(JSON.stringify(json, null, 2));
    return 0;
  }

  out(`${runbook.title}  (state: ${paths.stateFile})`);
  if (note) out(note);
  if (goneNote) out(goneNote);
  const rows = table.map(({ step, cells }) => ({
    id: step.id,
    cells: Object.fromEntries(Object.entries(cells).map(([h, c]) => [h, STATUS_SYMBOL[c.status] + (c.changed ? '*' : '')])),
  }));
  await loadColumns([...hostOrder, ...rows.map((r) => r.id), ...STATUS_LEGEND_PARTS]);
  for (const l of statusGrid(hostOrder, rows, width)) out(l);
  out('');
  for (const l of fitParts([`${done}/${total} host-steps done.`, ...STATUS_LEGEND_PARTS, '* changed since it ran'], width)) out(l);
  return 0;
}
