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
import type { SessionRecord } from '../../engine/state/journal.js';

export interface ReportOptions extends CommonOptions {
  readonly format?: string;
  readonly output?: string;
  readonly since?: string;
  /** One session only: its id (`s3`) or `last`. */
  readonly session?: string;
}

const SESSION_ID = /^s\d+$/;

/** A session named by --since or --session: `s3`, or `last` (the latest). BadInputError naming the known ones. */
function findSession(option: string, value: string, sessions: readonly SessionRecord[]): SessionRecord {
  const s = value === 'last' ? sessions.at(-1) : sessions.find((x) => x.id === value);
  if (s) return s;
  const known = sessions.length ? `sessions in the state file: ${sessions.slice(-10).map((x) => `${x.id} (${x.command}, ${x.startedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z')})`).join(', ')}` : 'the state file records no session (it was written before sessions were kept, or nothing ran yet)';
  throw new BadInputError(`${option} ${value}: no such session`, { hint: known });
}

/** `--since`: an ISO date/time (`2025-01-31`, `2025-01-31T14:00Z`) or a duration ago (`90m`, `2h`); a session id is resolved by the caller. */
export function parseSince(value: string | undefined, now = new Date()): Date | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms !== undefined && !/^\d+$/.test(value.trim())) return new Date(now.getTime() - ms);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const d = new Date(value.trim().replace(' ', 'T'));
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new BadInputError(`--since ${value}: not a time or a session`, { hint: 'give an ISO date or time (2025-01-31, 2025-01-31T14:00Z), a duration ago (90m, 2h), or a session id (s3, last; `runbook report` lists them)' });
}

/** What a report is built from, for an open session and the records it holds. */
export function reportInput(session: Session, records: ReportInput['records'], since?: Date, only?: string): ReportInput {
  const ctx = new RenderContext(session.runbook, session.inventory, session.cliVars);
  return {
    runbook: session.runbook,
    inventory: session.inventory,
    stateFile: session.paths.stateFile,
    stateDir: session.paths.dir,
    records,
    mask: ctx.masker(),
    ...(since && { since }),
    ...(only !== undefined && { session: only }),
  };
}

export async function reportCommand(path: string, o: ReportOptions, out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const format = parseReportFormat(o.format) ?? (o.output ? formatForFile(o.output) : 'md');
  const bySession = o.since !== undefined && (SESSION_ID.test(o.since.trim()) || o.since.trim() === 'last');
  let since = bySession ? undefined : parseSince(o.since);
  if (o.session !== undefined && o.since !== undefined) throw new BadInputError('--session and --since do not go together', { hint: '--session s3 covers one session; --since s3 covers s3 and every later one' });
  if (o.output) checkOutputPath('--output', o.output);
  const session = await loadSession(path, o, { savedVars: true, memory: true });
  const state = await openState({ stateFile: session.paths.stateFile, runbookPath: session.runbook.path, mode: 'read' });
  const records = state.snapshot();
  await state.close();
  // --since s3: from the start of that session on; --session s3 / last: that session only.
  if (bySession) since = new Date(findSession('--since', o.since!.trim(), state.sessions).startedAt);
  const only = o.session !== undefined ? findSession('--session', o.session.trim(), state.sessions).id : undefined;
  const input = reportInput(session, records, since, only);
  if (o.output) {
    await writeReport(o.output, input, format);
    process.stderr.write(`report written to ${o.output}\n`);
  } else out(await renderReport(input, format));
  return EXIT.OK;
}
