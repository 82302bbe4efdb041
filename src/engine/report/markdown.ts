// A report as GitHub-flavoured Markdown: reads well on GitHub and pasted into a change ticket.
import { formatDuration } from '../duration.js';
import { HOST_STATUSES, type HostStatus } from '../types.js';
import { PROBLEM, verdict, type Report, type ReportCell, type ReportSession, type TimelineEntry } from './model.js';

export const STATUS_MARK: Readonly<Record<HostStatus, string>> = {
  pending: '·',
  running: '⏳',
  ok: '✅',
  failed: '❌',
  skipped: '⏭️',
  'done-already': '☑️',
  interrupted: '⚠️',
  'done-manual': '✋',
  unreachable: '🔌',
};

/** Text safe inside a table cell: pipes escaped, newlines as spaces. */
export function cellText(t: string): string {
  return t.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;');
}

/** A fenced block that the text cannot close (the fence is longer than any backtick run in it). */
function fenced(text: string, lang = 'text'): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

const when = (iso: string | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');

function cellMark(c: ReportCell): string {
  return `${STATUS_MARK[c.status]}${c.changed ? '*' : ''}${c.attempts > 1 ? ` ×${c.attempts}` : ''}`;
}

/** `region=eu, db_password (secret, not kept)`, or — */
export function sessionVars(s: ReportSession): string {
  const parts = [...Object.entries(s.vars).map(([k, v]) => `${k}=${v}`), ...s.secretVars.map((k) => `${k} (secret, not kept)`)];
  return parts.length ? parts.join(', ') : '—';
}

/** Timeline entries by session, in the order the sessions started (entries older than sessions first). */
export function timelineBySession(r: Report): { session?: ReportSession; entries: TimelineEntry[] }[] {
  const groups: { session?: ReportSession; entries: TimelineEntry[] }[] = [];
  const before = r.timeline.filter((t) => !t.session || !r.sessions.some((s) => s.id === t.session));
  if (before.length) groups.push({ entries: before });
  for (const s of r.sessions) {
    const entries = r.timeline.filter((t) => t.session === s.id);
    if (entries.length) groups.push({ session: s, entries });
  }
  return groups;
}

/** `s3: run by alice@ops1 (pid 4242), 2026-01-01 10:00:00Z → 10:20:00Z` */
export function sessionHeading(s: ReportSession | undefined): string {
  if (!s) return 'Recorded before sessions were kept (or by a session outside this report)';
  return `Session ${s.id}: ${s.command} by ${s.by} (pid ${s.pid}), ${when(s.startedAt)} → ${s.endedAt ? when(s.endedAt) : 'end not recorded'}`;
}

export function reportMarkdown(r: Report): string {
  const out: string[] = [];
  out.push(`# Runbook report: ${cellText(r.title)}`, '');
  out.push(`**${verdict(r)}**`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Runbook | \`${cellText(r.runbook)}\` |`);
  out.push(`| Runbook hash | \`${r.runbookHash.slice(0, 16)}\` |`);
  out.push(`| State file | \`${cellText(r.stateFile)}\`${r.stateCreatedAt ? ` (created ${when(r.stateCreatedAt)})` : ''} |`);
  out.push(`| Inventory | ${r.inventory.file ? `\`${cellText(r.inventory.file)}\`` : 'the local machine'} (${r.hosts.length} host${r.hosts.length === 1 ? '' : 's'} in this report) |`);
  out.push(`| Ran by | ${r.ranBy.length ? r.ranBy.map(cellText).join(', ') : 'not recorded in the state file'} |`);
  out.push(`| Activity | ${r.firstActivity ? `${when(r.firstActivity)} → ${when(r.lastActivity)}` : 'none recorded'} |`);
  if (r.since) out.push(`| Period | since ${when(r.since)} |`);
  if (r.session) out.push(`| Period | session ${r.session} only |`);
  out.push(`| Report | generated ${when(r.generatedAt)} by ${cellText(r.generatedBy)} |`);
  out.push('');
  const totals = HOST_STATUSES.filter((s) => r.totals[s] > 0).map((s) => `${STATUS_MARK[s]} ${s} ${r.totals[s]}`);
  if (totals.length) out.push(totals.join(' · '), '');

  if (r.sessions.length) {
    out.push('## Sessions', '', '| Session | Started | Ended | Who (user@host, pid) | Command | Inventory | Hosts | Vars | Events | Outcome |', '|---|---|---|---|---|---|---|---|--:|---|');
    for (const s of r.sessions) out.push(`| ${s.id} | ${when(s.startedAt)} | ${s.endedAt ? when(s.endedAt) : 'not recorded (killed?)'} | ${cellText(s.by)} (${s.pid}) | \`${cellText(s.command)}\` | ${s.inventory.length ? s.inventory.map((i) => `\`${cellText(i)}\``).join(', ') : 'local machine'} | ${cellText(s.hosts ?? 'all')} | ${cellText(sessionVars(s))} | ${s.events} | ${cellText(s.outcome ?? '—')} |`);
    out.push('');
  }

  out.push('## Steps × hosts', '');
  if (r.steps.length === 0) out.push('_No step in this report._', '');
  else {
    out.push(`| Step | ${r.hosts.map(cellText).join(' | ')} |`, `|---|${r.hosts.map(() => ':-:').join('|')}|`);
    for (const s of r.steps) out.push(`| \`${cellText(s.id)}\` | ${r.hosts.map((h) => (s.cells[h] ? cellMark(s.cells[h]) : '')).join(' | ')} |`);
    out.push('', `${HOST_STATUSES.map((s) => `${STATUS_MARK[s]} ${s}`).join(' · ')} · \\* changed since it ran · ×N attempts`, '');
  }

  out.push('## Step details', '', '| Step | Host | Status | Attempts | Started | Duration | Detail |', '|---|---|---|--:|---|--:|---|');
  for (const s of r.steps) {
    for (const h of r.hosts) {
      const c = s.cells[h];
      if (!c || c.status === 'pending') continue;
      const detail = [c.message, c.by && `by ${c.by}`, c.reason && `reason: ${c.reason}`, c.exitCode != null && c.exitCode !== 0 && !c.message?.includes(`exit ${c.exitCode}`) && `exit ${c.exitCode}`, c.changed && 'changed since it ran'].filter(Boolean).join('; ');
      out.push(`| \`${cellText(s.id)}\` | ${cellText(h)} | ${STATUS_MARK[c.status]} ${c.status} | ${c.attempts} | ${when(c.startedAt)} | ${c.durationMs !== undefined ? formatDuration(c.durationMs) : '—'} | ${cellText(detail)} |`);
    }
  }
  out.push('');

  const manual = r.steps.flatMap((s) => r.hosts.filter((h) => s.cells[h] && (s.cells[h].status === 'skipped' || s.cells[h].status === 'done-manual')).map((h) => ({ s, h, c: s.cells[h] })));
  if (manual.length) {
    out.push('## Skipped or marked done by hand', '', '| Step | Host | What | By | Reason |', '|---|---|---|---|---|');
    for (const { s, h, c } of manual) out.push(`| \`${cellText(s.id)}\` | ${cellText(h)} | ${c.status} | ${cellText(c.by ?? 'not recorded')} | ${cellText(c.reason ?? 'not recorded')} |`);
    out.push('');
  }

  if (r.changedSteps.length) {
    out.push('## Changed since they ran', '', 'These steps were edited after they ran on some hosts (marked \\* above):', '');
    for (const id of r.changedSteps) out.push(`- \`${id}\``);
    out.push('');
  }

  const failed = r.steps.flatMap((s) => r.hosts.filter((h) => PROBLEM.includes(s.cells[h]?.status)).map((h) => ({ s, h, c: s.cells[h] })));
  if (failed.length) {
    out.push('## Failures', '');
    for (const { s, h, c } of failed) {
      out.push(`### \`${s.id}\` on ${h}: ${c.status}`, '', `${c.message ? cellText(c.message) : c.status}${c.log ? ` (log: \`${c.log}\`)` : ''}`, '');
      if (c.tail?.length) out.push('<details open><summary>Last lines of output</summary>', '', fenced(c.tail.join('\n')), '', '</details>', '');
      else out.push('_No output recorded._', '');
    }
  }

  if (r.timeline.length) {
    out.push('## Timeline', '');
    for (const g of timelineBySession(r)) {
      out.push(`### ${cellText(sessionHeading(g.session))}`, '');
      if (g.session?.outcome) out.push(`Outcome: ${cellText(g.session.outcome)}`, '');
      out.push('<details><summary>' + `${g.entries.length} events` + '</summary>', '', '| Time | Step | Host | Status | Detail |', '|---|---|---|---|---|');
      for (const t of g.entries) out.push(`| ${when(t.at)} | \`${cellText(t.step)}\` | ${cellText(t.host)} | ${STATUS_MARK[t.status]} ${t.status}${t.attempt > 1 ? ` (attempt ${t.attempt})` : ''} | ${cellText([t.message, t.by && `by ${t.by}`, t.reason && `reason: ${t.reason}`].filter(Boolean).join('; '))} |`);
      out.push('', '</details>', '');
    }
  }
  return out.join('\n');
}
