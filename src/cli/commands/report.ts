// `runbook report`: what happened, from the state file and the step logs, as Markdown, JSON or
// one self-contained HTML file. Read-only: takes no lock, connects to nothing.
import { BadInputError, EXIT } from '../../engine/errors.js';
import { checkOutputPath } from '../../engine/pathCheck.js';
import { parseDuration } from '../../engine/parser/attributes.js';
import type { ReportInput } from '../../engine/report/model.js';
import { formatForFile, parseReportFormat, renderReport, writeReport } from '../../engine/report/write.js';
import { RenderContext } from '../../engine/run/renderContext.js';
import { openState } from '../../engine/state/stateFile.js';
import { loadSession, type CommonOptions, type Session } from '../session.js';

export interface ReportOptions extends CommonOptions {
  readonly format?: string;
  readonly output?: string;
  readonly since?: string;
}

/** `--since`: an ISO date/time (`2025-01-31`, `2025-01-31T14:00Z`) or a duration ago (`90m`, `2h`). */
export function parseSince(value: string | undefined, now = new Date()): Date | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms !== undefined && !/^\d+$/.test(value.trim())) return new Date(now.getTime() - ms);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const d = new Date(value.trim().replace(' ', 'T'));
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new BadInputError(`--since ${value}: not a time`, { hint: 'give an ISO date or time (2025-01-31, 2025-01-31T14:00Z) or a duration ago (90m, 2h)' });
}

/** What a report is built from, for an open session and the records it holds. */
export function reportInput(session: Session, records: ReportInput['records'], since?: Date): ReportInput {
  const ctx = new RenderContext(session.runbook, session.inventory, session.cliVars);
  return {
    runbook: session.runbook,
    inventory: session.inventory,
    stateFile: session.paths.stateFile,
    stateDir: session.paths.dir,
    records,
    mask: ctx.masker(),
    ...(since && { since }),
  };
}

export async function reportCommand(path: string, o: ReportOptions, out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const format = parseReportFormat(o.format) ?? (o.output ? formatForFile(o.output) : 'md');
  const since = parseSince(o.since);
  if (o.output) checkOutputPath('--output', o.output);
  const session = await loadSession(path, o, { savedVars: true });
  const state = await openState({ stateFile: session.paths.stateFile, runbookPath: session.runbook.path, mode: 'read' });
  const records = state.snapshot();
  await state.close();
  const input = reportInput(session, records, since);
  if (o.output) {
    await writeReport(o.output, input, format);
    process.stderr.write(`report written to ${o.output}\n`);
  } else out(await renderReport(input, format));
  return EXIT.OK;
}
