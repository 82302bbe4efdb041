// `runbook play`: the interactive Ink player over the same engine and state file as `run`.
import { BadInputError } from '../../engine/errors.js';
import { createPlayer } from '../../engine/run/player.js';
import { openState } from '../../engine/state/stateFile.js';
import { createRunStore, requestPrompt, setHostFilter } from '../../engine/store.js';
import { createTransport, loadSession, parseIntOption } from '../session.js';
import type { RunOptions } from './run.js';

export async function playCommand(path: string, o: RunOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new BadInputError('`runbook play` needs an interactive terminal', { hint: 'use `runbook run` for scripts and CI' });
  }
  const forks = parseIntOption('--forks', o.forks, 1);
  const session = await loadSession(path, o, { savedVars: true });
  const state = await openState({ stateFile: session.paths.stateFile, runbookPath: session.runbook.path, mode: 'write', command: process.argv.slice(1).join(' ') });
  const store = createRunStore({ runbook: session.runbook, inventory: session.inventory, records: state.snapshot(), interruptedOnLoad: state.interruptedOnLoad });
  setHostFilter(store, session.hostFilter);
  const transport = createTransport(o, (info) => requestPrompt<boolean>(store, { kind: 'host-key', ...info }));
  const controller = createPlayer({ runbook: session.runbook, inventory: session.inventory, transport, state, paths: session.paths, store, cliVars: session.cliVars, forks });
  const { startPlayer } = await import('../../ui/startPlayer.js');
  try {
    return await startPlayer({ store, controller, stateDir: session.paths.dir });
  } finally {
    await controller.close();
  }
}
