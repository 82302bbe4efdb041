// What `run` and `play` say when they resume a state: steps edited since they ran, and hosts the
// state has records for that the inventory no longer holds.
import type { HostStepRecord, Step } from '../engine/types.js';
import type { Session } from './session.js';
import { nameList } from '../engine/nameList.js';

/** Steps edited since they ran on some host (their records carry another hash), with those hosts. */
export function changedSteps(steps: readonly Step[], records: Readonly<Record<string, Readonly<Record<string, HostStepRecord>>>>, hostOrder: readonly string[] = []): { stepId: string; hosts: string[] }[] {
  // Hosts in inventory order (then the others by name), not in the order their records were made.
  const rank = (h: string): number => (hostOrder.includes(h) ? hostOrder.indexOf(h) : hostOrder.length);
  return steps
    .map((s) => ({
      stepId: s.id,
      hosts: Object.entries(records[s.id] ?? {})
        .filter(([, r]) => r.hash !== s.hash)
        .map(([h]) => h)
        .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, undefined, { numeric: true })),
    }))
    .filter((c) => c.hosts.length > 0);
}

export function describeChanged(changed: readonly { stepId: string; hosts: readonly string[] }[]): string {
  const list = changed.map((c) => `\`${c.stepId}\` (${nameList(c.hosts, 5)})`).join(', ');
  return `changed since it ran: ${list}; a done step is not run again after an edit (see \`runbook plan\` for the diff; --force or reset to run it again)`;
}

/**
 * Hosts the state has records for that the inventory no longer holds (after --inventory-changed,
 * or a host removed from it): named, never silently dropped.
 */
export function goneHostsLine(session: Session): string | undefined {
  if (session.goneHosts.length === 0) return undefined;
  const inv = session.inventory.file ?? 'the default local inventory';
  const list = nameList(session.goneHosts, 10);
  return `not in ${inv} any more, kept in the state as recorded (not run, not dropped): ${list}; \`runbook status\` shows them, \`runbook reset --host NAME\` forgets one`;
}

