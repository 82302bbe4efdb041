// `runbook play`: the interactive Ink player over the same engine and state file as `run`.
import { BadInputError } from '../../engine/errors.js';
import { flash } from '../../engine/store.js';
import { openPlayerSession, type RunOptions } from '../playerSession.js';

export async function playCommand(path: string, o: RunOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new BadInputError('`runbook play` needs an interactive terminal', { hint: 'use `runbook run` for scripts and CI' });
  }
  const { session, store, player: controller } = await openPlayerSession(path, o, { interactive: true });
  for (const w of session.runbook.warnings ?? []) if (w.level !== 'info') flash(store, 'warn', `${w.file}:${w.line}: ${w.message}`);
  const { startPlayer } = await importInteractiveUi();
  try {
    return await startPlayer({ store, controller, stateDir: session.paths.dir });
  } finally {
    await controller.close();
  }
}

/**
 * Ink decides once, when it is first imported, whether it runs "in CI" (from CI, CI_* or
 * CONTINUOUS_INTEGRATION in the environment) and then draws only the last frame. `play` has
 * already checked that it owns a real terminal, so hide those variables from that one decision
 * and put them back for the steps, which inherit the environment.
 */
async function importInteractiveUi(): Promise<typeof import('../../ui/startPlayer.js')> {
  const hidden = Object.entries(process.env).filter(([k]) => k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_'));
  for (const [k] of hidden) delete process.env[k];
  try {
    return await import('../../ui/startPlayer.js');
  } finally {
    for (const [k, v] of hidden) process.env[k] = v;
  }
}
