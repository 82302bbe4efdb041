// `runbook reset`: forget recorded progress (all, one step, one host), or set a corrupt state file aside.
import { StateError } from '../../engine/errors.js';
import { openState, setAsideCorrupt } from '../../engine/state/stateFile.js';
import { BadInputError } from '../../engine/errors.js';
import { didYouMean } from '../../engine/parser/slug.js';
import { loadSession, type CommonOptions } from '../session.js';

export interface ResetOptions extends CommonOptions {
  readonly step?: string;
  readonly host?: string;
}

export async function resetCommand(path: string, o: ResetOptions, out: (l: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const session = await loadSession(path, o, { memory: true });
  const { runbook, inventory, paths } = session;
  if (o.step && !runbook.steps.some((s) => s.id === o.step)) {
    const ids = runbook.steps.map((s) => s.id);
    throw new BadInputError(`--step ${o.step}: no step with that id in ${runbook.title}`, { hint: didYouMean(o.step, ids) ?? 'list the step ids with `runbook plan PATH`' });
  }
  if (o.host !== undefined) {
    // A typo must not look like a successful reset: the host must be in the inventory or the state.
    const recorded = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'read' }).then(async (st) => {
      const names = Object.values(st.snapshot()).flatMap((byHost) => Object.keys(byHost));
      await st.close();
      return names;
    }).catch(() => [] as string[]);
    const known = [...new Set([...inventory.hosts.map((h) => h.name), ...recorded])];
    if (!known.includes(o.host)) {
      throw new BadInputError(`--host ${o.host}: no such host in ${inventory.file ?? 'the default local inventory'} or in the state file ${paths.stateFile}`, {
        hint: didYouMean(o.host, known) ?? `known hosts: ${known.slice(0, 10).join(', ') || '(none)'}`,
      });
    }
  }
  let state;
  try {
    state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'write', command: 'runbook reset' });
  } catch (e) {
    // A corrupt state file is never overwritten: a whole reset keeps it aside and starts afresh.
    if (e instanceof StateError && e.exitCode === 2 && !o.step && !o.host) {
      const aside = await setAsideCorrupt(paths.stateFile);
      out(`the state file could not be read (${e.message}); it was kept aside as ${aside}. Progress starts afresh.`);
      return 0;
    }
    throw e;
  }
  let forgotten = 0;
  try {
    for (const [stepId, byHost] of state.records) {
      if (o.step !== undefined && stepId !== o.step) continue;
      for (const host of byHost.keys()) if (o.host === undefined || host === o.host) forgotten++;
    }
    if (forgotten > 0) {
      state.startSession(session.sessionInfo('reset'));
      state.reset(o.step, o.host);
      state.endSession(`reset ${o.step ? `step ${o.step}` : 'every step'}${o.host ? ` on host ${o.host}` : ''}: ${forgotten} record(s) forgotten`);
      await state.flush();
    }
  } finally {
    await state.close();
  }
  const what = `${o.step ? `step \`${o.step}\`` : 'every step'}${o.host ? ` on host ${o.host}` : ''}`;
  out(forgotten ? `reset ${what}: ${forgotten} record${forgotten === 1 ? '' : 's'} forgotten, ${forgotten === 1 ? 'it' : 'they'} will run again` : `nothing to reset for ${what}: no progress is recorded`);
  return 0;
}
