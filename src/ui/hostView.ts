// What the hosts pane shows: counts by status, the filtered and sorted rows, and where the next
// failed host is across the runbook. Pure functions over rows and records, tested directly.
import type { Step } from '../engine/types.js';
import type { RunStoreState } from '../engine/store.js';
import type { HostRow } from './selectors.js';
import type { HostStatusFilter, UiState } from './uiState.js';

/** Statuses that need the operator: failed, interrupted, and (engine permitting) unreachable. */
export function isProblem(status: string | undefined): boolean {
  return status === 'failed' || status === 'interrupted' || status === 'unreachable';
}

const RANK: Record<string, number> = { failed: 0, unreachable: 0, interrupted: 1, running: 2 };

/** Count of hosts per status, in a fixed display order, zero counts left out. */
export function statusCounts(rows: readonly HostRow[]): { readonly status: string; readonly count: number }[] {
  const order = ['failed', 'unreachable', 'interrupted', 'running', 'pending', 'ok', 'done-already', 'done-manual', 'skipped'];
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.status, (m.get(r.status) ?? 0) + 1);
  const known = order.filter((s) => m.has(s)).map((status) => ({ status, count: m.get(status)! }));
  const other = [...m].filter(([s]) => !order.includes(s)).map(([status, count]) => ({ status, count }));
  return [...known, ...other];
}

function matchesFilter(status: string, f: HostStatusFilter): boolean {
  switch (f) {
    case 'all': return true;
    case 'failed': return isProblem(status);
    case 'running': return status === 'running';
    case 'pending': return status === 'pending';
    case 'done': return status === 'ok' || status === 'skipped' || status === 'done-already' || status === 'done-manual';
  }
}

/** The rows the hosts pane lists: filtered by status and name, problems first when asked. */
export function visibleHostRows(rows: readonly HostRow[], ui: Pick<UiState, 'hostSort' | 'hostStatusFilter' | 'hostNameFilter'>): HostRow[] {
  const name = ui.hostNameFilter.toLowerCase();
  const out = rows.filter((r) => matchesFilter(r.status, ui.hostStatusFilter) && (name === '' || r.host.toLowerCase().includes(name)));
  if (ui.hostSort === 'problems') {
    // Stable: inventory order within a rank.
    return out.map((r, i) => ({ r, i })).sort((a, b) => (RANK[a.r.status] ?? 9) - (RANK[b.r.status] ?? 9) || a.i - b.i).map((x) => x.r);
  }
  return out;
}

/** Index of the selected host in the visible list: by name when it is there, else the clamped index. */
export function selectedHostIndex(visible: readonly string[], ui: Pick<UiState, 'hostName' | 'hostIndex'>): number {
  if (ui.hostName !== undefined) {
    const i = visible.indexOf(ui.hostName);
    if (i >= 0) return i;
  }
  return Math.max(0, Math.min(ui.hostIndex, visible.length - 1));
}

/**
 * The next (dir 1) or previous (dir -1) host with a problem, in runbook order: later hosts of the
 * current step first, then the following steps (wrapping around). Undefined when there is none.
 */
export function nextProblem(
  steps: readonly Step[],
  records: RunStoreState['records'],
  targetsOf: (stepId: string) => readonly string[],
  from: { readonly stepIndex: number; readonly host?: string },
  dir: 1 | -1,
): { readonly stepIndex: number; readonly host: string } | undefined {
  const n = steps.length;
  for (let k = 0; k <= n; k++) {
    const si = (((from.stepIndex + dir * k) % n) + n) % n;
    const step = steps[si];
    const recs = records[step.id];
    if (!recs) continue;
    const hosts = targetsOf(step.id).filter((h) => isProblem(recs[h]?.status));
    if (hosts.length === 0) continue;
    const ordered = dir === 1 ? hosts : [...hosts].reverse();
    if (k === 0) {
      const all = targetsOf(step.id);
      const at = from.host === undefined ? -1 : all.indexOf(from.host);
      const pick = ordered.find((h) => (dir === 1 ? all.indexOf(h) > at : at < 0 || all.indexOf(h) < at));
      if (pick) return { stepIndex: si, host: pick };
      continue; // the earlier ones come back at k === n, after every other step
    }
    return { stepIndex: si, host: ordered[0] };
  }
  return undefined;
}
