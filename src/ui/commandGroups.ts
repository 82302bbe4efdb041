// The confirm dialog at fleet scale: hosts whose rendered command is identical are shown once,
// as "same command on 27 hosts … differs on m1, m2, m3", instead of 30 copies.
import type { RenderedStep } from '../engine/run/types.js';
import { nameList } from '../engine/nameList.js';

export interface CommandGroup {
  readonly hosts: readonly string[];
  /** One host's rendering (every host of the group renders the same). */
  readonly rendered: RenderedStep;
}

function groupKey(r: RenderedStep): string {
  if (!r.ok) return `error\u0000${r.error}`;
  return ['ok', r.script, r.fileContent ?? '', r.unless ?? '', r.verify ?? ''].join('\u0000');
}

/** Hosts grouped by identical rendering, the largest group first (ties: inventory order). */
export function commandGroups(rendered: readonly RenderedStep[]): CommandGroup[] {
  const groups = new Map<string, { hosts: string[]; rendered: RenderedStep; first: number }>();
  rendered.forEach((r, i) => {
    const k = groupKey(r);
    const g = groups.get(k);
    if (g) g.hosts.push(r.host);
    else groups.set(k, { hosts: [r.host], rendered: r, first: i });
  });
  return [...groups.values()].sort((a, b) => b.hosts.length - a.hosts.length || a.first - b.first).map(({ hosts, rendered: r }) => ({ hosts, rendered: r }));
}

/** One line that says how the hosts split: "same command on all 30 hosts" or "same command on 27 hosts; differs on m1, m2, m3". */
export function groupSummary(groups: readonly CommandGroup[]): string {
  const total = groups.reduce((n, g) => n + g.hosts.length, 0);
  if (groups.length === 0) return 'no hosts';
  if (groups.length === 1) return total === 1 ? `command on ${groups[0].hosts[0]}` : `same command on all ${total} hosts`;
  const [main, ...rest] = groups;
  const others = rest.flatMap((g) => g.hosts);
  const shown = nameList(others, 6, 5);
  if (main.hosts.length === 1) return `${groups.length} different commands on ${total} hosts`;
  return `same command on ${main.hosts.length} hosts; differs on ${shown}`;
}
