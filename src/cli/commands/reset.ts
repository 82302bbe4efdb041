// `runbook reset`: forget recorded progress (all, one step, one host), or set a corrupt state file aside.
import { StateError } from '../../engine/errors.js';
import { openState, setAsideCorrupt } from '../../engine/state/stateFile.js';
import { BadInputError } from '../../engine/errors.js';
import { loadSession, type CommonOptions } from '../session.js';

export interface ResetOptions extends CommonOptions {
  readonly step?: string;
  readonly host?: string;
}

export async function resetCommand(path: string, o: ResetOptions, out: (l: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const { runbook, paths } = await loadSession(path, o);
  if (o.step && !runbook.steps.some((s) => s.id === o.step)) {
    throw new BadInputError(`--step ${o.step}: no step with that id in ${runbook.title}`, { hint: 'list the step ids with `runbook plan PATH`' });
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
  try {
    state.reset(o.step, o.host);
    await state.flush();
  } finally {
    await state.close();
  }
  const what = o.step ? `step \`${o.step}\`` : 'every step';
  out(`reset ${what}${o.host ? ` on host ${o.host}` : ''}: it will run again`);
  return 0;
}
