// `runbook play`: the interactive Ink player over the same engine and state file as `run`.
import { BadInputError, describeError } from '../../engine/errors.js';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { displayPath } from '../../engine/parser/load.js';
import { runbookName } from '../../engine/state/paths.js';
import { flash } from '../../engine/store.js';
import { openPlayerSession, type RunOptions } from '../playerSession.js';
import { changedSteps, describeChanged, goneHostsLine } from '../resumeNotes.js';
import { playSummaryLines } from '../playSummary.js';

export async function playCommand(path: string, o: RunOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new BadInputError('`runbook play` needs an interactive terminal', { hint: 'use `runbook run` for scripts and CI' });
  }
  // The player's modules (Ink, React, yoga, marked: the largest part of start-up) load while the
  // session is opened: their reading and compiling fill the waits on the state file (fsync, lock).
  const ui = importInteractiveUi();
  ui.catch(() => undefined); // a bad-input error below is what the operator must see
  // The player goes on screen first; the preflight runs behind it (runChecks), and no step runs
  // or is recorded before it passed.
  // `opened.state` is read-only until the checks opened it for writing.
  const opened = await openPlayerSession(path, o, { interactive: true, deferChecks: true });
  const { session, store, player: controller, runChecks } = opened;
  const writeSessionReport = async (): Promise<string[]> => {
    if (opened.state.mode === 'write') await opened.state.flush();
    const stamp = new Date().toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
    const base = join(session.paths.dir, 'reports', `${runbookName(session.runbook.path)}-${stamp}`);
    await mkdir(dirname(base), { recursive: true, mode: 0o700 });
    const [{ writeReport }, { reportInput }] = await Promise.all([import('../../engine/report/write.js'), import('./report.js')]);
    const input = reportInput(session, store.getState().records);
    await writeReport(`${base}.md`, input, 'md');
    await writeReport(`${base}.html`, input, 'html');
    return [displayPath(`${base}.md`), displayPath(`${base}.html`)];
  };
  for (const w of session.runbook.warnings ?? []) if (w.level !== 'info') flash(store, 'warn', `${w.file}:${w.line}: ${w.message}`);
  // On resume: steps edited since they ran, and recorded hosts the inventory no longer has.
  const changed = changedSteps(session.runbook.steps, opened.state.snapshot(), session.inventory.hosts.map((h) => h.name));
  if (changed.length) flash(store, 'warn', describeChanged(changed));
  const gone = goneHostsLine(session);
  if (gone) flash(store, 'warn', gone);
  const { startPlayer } = await ui;
  let outcome = 'ended';
  try {
    // The checks start once the first frame is drawn (render() draws it before returning).
    const checks = new Promise((resolve) => setImmediate(resolve)).then(runChecks);
    const code = await startPlayer({ store, controller, stateDir: session.paths.dir, writeReport: writeSessionReport, failOn: checks });
    outcome = `player closed (exit ${code})`;
    // The screen is gone: say in the terminal's scrollback how far the runbook got and why this exit code.
    const { runbook, records } = store.getState();
    const targetsOf = (id: string): string[] => {
      try { return controller.targets(id).map((h) => h.name); } catch { return []; }
    };
    process.stdout.write(`${playSummaryLines(runbook.steps, records, targetsOf, code).join('\n')}\n`);
    return code;
  } catch (e) {
    outcome = `error: ${describeError(e)}`;
    throw e;
  } finally {
    // No session line was written before the checks passed: nothing to end then.
    if (opened.state.mode === 'write' && !opened.state.failed) opened.state.endSession(outcome);
    await controller.close();
  }
}

/**
 * Ink decides once, when it is first imported, whether it runs "in CI" (from CI, CI_* or
 * CONTINUOUS_INTEGRATION in the environment) and then draws only the last frame. `play` has
 * already checked that it owns a real terminal, so hide those variables from that one decision
 * and put them back for the steps, which inherit the environment (no step runs before the player
 * is on screen, so none runs while they are hidden).
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
