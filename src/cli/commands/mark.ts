// `runbook skip` and `runbook mark-done`: what the player's s, S and m keys do, headlessly. Each
// record says who, when and why (--reason); hosts where the step is already done are left alone.
import { BadInputError } from '../../engine/errors.js';
import { resolvePattern } from '../../engine/inventory/patterns.js';
import { didYouMean } from '../../engine/parser/slug.js';
import { manualRecord, operatorName, type ManualStatus } from '../../engine/state/manual.js';
import { openState } from '../../engine/state/stateFile.js';
import { isDone } from '../../engine/types.js';
import { loadSession, type CommonOptions } from '../session.js';
import { STATUS_SYMBOL } from '../symbols.js';

export interface MarkOptions extends CommonOptions {
  readonly step?: string;
  readonly host?: string;
  readonly reason?: string;
}

export async function markCommand(status: ManualStatus, path: string, o: MarkOptions, out: (l: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const verb = status === 'skipped' ? 'skip' : 'mark-done';
  const session = await loadSession(path, o, { memory: true });
  const { runbook, inventory, hostFilter, paths } = session;
  if (!o.step) throw new BadInputError(`runbook ${verb} needs --step ID`, { hint: 'list the step ids with `runbook plan PATH`' });
  const step = runbook.steps.find((s) => s.id === o.step);
  if (!step) {
    throw new BadInputError(`--step ${o.step}: no step with that id in ${runbook.title}`, { hint: didYouMean(o.step, runbook.steps.map((s) => s.id)) ?? 'list the step ids with `runbook plan PATH`' });
  }
  const reason = o.reason?.trim();
  if (!reason) throw new BadInputError(`runbook ${verb} needs --reason TEXT: the state records who did it, when and why`);

  const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'write', command: `runbook ${verb}` });
  const lines: string[] = [];
  try {
    const recorded = Object.keys(state.snapshot()[step.id] ?? {});
    let hosts: string[];
    if (o.host !== undefined) {
      const known = [...new Set([...inventory.hosts.map((h) => h.name), ...recorded])];
      if (!known.includes(o.host)) {
        throw new BadInputError(`--host ${o.host}: no such host in ${inventory.file ?? 'the default local inventory'} or in the state file ${paths.stateFile}`, {
          hint: didYouMean(o.host, known) ?? `known hosts: ${known.slice(0, 10).join(', ') || '(none)'}`,
        });
      }
      hosts = [o.host];
    } else {
      hosts = resolvePattern(inventory, step.hosts).hosts.map((h) => h.name).filter((h) => !hostFilter || hostFilter.includes(h));
      if (hosts.length === 0) throw new BadInputError(`step \`${step.id}\` targets no host${hostFilter ? ` within --hosts ${session.hostsPattern}` : ''} of ${inventory.file ?? 'the default local inventory'}`, { hint: 'pass --host NAME, or the inventory it ran with (-i)' });
    }
    const by = operatorName();
    for (const h of hosts) {
      const prev = state.get(step.id, h);
      if (isDone(prev?.status) && prev?.hash === step.hash) {
        lines.push(`  ${STATUS_SYMBOL[prev.status]} ${h}  already ${prev.status}: left as it is`);
        continue;
      }
      if (!state.session) state.startSession(session.sessionInfo(verb));
      state.noteStepText(step.id, step.hash, step.source);
      state.set(step.id, h, manualRecord(step, prev, status, { reason, by }));
      lines.push(`  ${STATUS_SYMBOL[status]} ${h}  ${status} (by ${by}: ${reason})`);
    }
    if (state.session) state.endSession(`${verb} ${step.id}: ${lines.length} host(s), reason: ${reason}`);
    await state.flush();
  } finally {
    await state.close();
  }
  out(`${verb} \`${step.id}\`:`);
  for (const l of lines) out(l);
  return 0;
}
