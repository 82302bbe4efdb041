// A report as one self-contained HTML file: inline CSS, no script, no external resource. A host ×
// step grid coloured by status and a timeline of the session (one bar per step and host).
import { formatDuration } from '../duration.js';
import { HOST_STATUSES, type HostStatus } from '../types.js';
import { sessionHeading, sessionVars, STATUS_MARK, timelineBySession } from './markdown.js';
import { PROBLEM, verdict, type Report } from './model.js';

const COLOUR: Readonly<Record<HostStatus, string>> = {
  pending: '#e5e7eb',
  running: '#93c5fd',
  ok: '#86efac',
  failed: '#fca5a5',
  skipped: '#d8b4fe',
  'done-already': '#bbf7d0',
  interrupted: '#fcd34d',
  'done-manual': '#a5f3fc',
  unreachable: '#fdba74',
};

export function escapeHtml(t: string): string {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
const e = escapeHtml;
const when = (iso: string | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#111827}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #e5e7eb}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #e5e7eb;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f9fafb}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#111827;color:#f9fafb;padding:.6em .8em;overflow-x:auto;border-radius:4px}
.verdict{font-weight:600;font-size:1.1em}.grid td.c{text-align:center;min-width:2.2em;font-size:12px}
.grid th.h{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:500}
.legend span{display:inline-block;padding:1px 8px;margin:2px;border-radius:3px;font-size:12px}
.tl{position:relative;height:14px;background:#f3f4f6;min-width:420px}.tl div{position:absolute;top:1px;height:12px;border-radius:2px;min-width:2px}
.muted{color:#6b7280}
${HOST_STATUSES.map((s) => `.s-${s}{background:${COLOUR[s]}}`).join('')}
`;

interface Span {
  readonly step: string;
  readonly host: string;
  readonly status: HostStatus;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly attempt: number;
}

/** Bars from start to end on the axis t0..t1, in start order. */
function timelineTable(spans: readonly Span[], t0: number, t1: number): string {
  const total = Math.max(1, t1 - t0);
  const rows = [`<p class="muted">${e(when(new Date(t0).toISOString()))} → ${e(when(new Date(t1).toISOString()))} (${e(formatDuration(t1 - t0))})</p>`, '<table><tr><th>Step</th><th>Host</th><th>Start</th><th style="width:60%">Time</th></tr>'];
  for (const x of [...spans].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))) {
    const a = Date.parse(x.startedAt);
    const b = Date.parse(x.endedAt);
    const left = (((a - t0) / total) * 100).toFixed(2);
    const width = (((b - a) / total) * 100).toFixed(2);
    rows.push(`<tr><td><code>${e(x.step)}</code>${x.attempt > 1 ? ` <span class="muted">attempt ${x.attempt}</span>` : ''}</td><td>${e(x.host)}</td><td>${e(when(x.startedAt))}</td><td><div class="tl"><div class="s-${x.status}" style="left:${left}%;width:${width}%" title="${e(`${x.status} ${formatDuration(Math.max(0, b - a))}`)}"></div></div></td></tr>`);
  }
  rows.push('</table>');
  return rows.join('\n');
}

export function reportHtml(r: Report): string {
  const out: string[] = [];
  out.push('<!doctype html>', '<html lang="en"><head><meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>Runbook report: ${e(r.title)}</title>`, `<style>${CSS}</style></head><body>`);
  out.push(`<h1>Runbook report: ${e(r.title)}</h1>`, `<p class="verdict">${e(verdict(r))}</p>`);
  const facts: [string, string][] = [
    ['Runbook', `<code>${e(r.runbook)}</code>`],
    ['Runbook hash', `<code>${e(r.runbookHash.slice(0, 16))}</code>`],
    ['State file', `<code>${e(r.stateFile)}</code>${r.stateCreatedAt ? ` (created ${e(when(r.stateCreatedAt))})` : ''}`],
    ['Inventory', `${r.inventory.file ? `<code>${e(r.inventory.file)}</code>` : 'the local machine'}: ${r.inventory.hosts.map((h) => `${e(h.name)} <span class="muted">${e(h.address)}${h.groups.length ? ` [${e(h.groups.join(', '))}]` : ''}</span>`).join(', ') || '—'}`],
    ['Ran by', r.ranBy.length ? e(r.ranBy.join(', ')) : 'not recorded in the state file'],
    ['Activity', r.firstActivity ? `${e(when(r.firstActivity))} → ${e(when(r.lastActivity))}` : 'none recorded'],
    ...(r.since ? [['Period', `since ${e(when(r.since))}`] as [string, string]] : []),
    ...(r.session ? [['Period', `session ${e(r.session)} only`] as [string, string]] : []),
    ['Report', `generated ${e(when(r.generatedAt))} by ${e(r.generatedBy)}`],
  ];
  out.push('<table>', ...facts.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`), '</table>');
  out.push(`<p class="legend">${HOST_STATUSES.map((s) => `<span class="s-${s}">${STATUS_MARK[s]} ${s} ${r.totals[s]}</span>`).join('')} <span>* changed since it ran</span></p>`);

  if (r.sessions.length) {
    out.push('<h2>Sessions</h2><table><tr><th>Session</th><th>Started</th><th>Ended</th><th>Who</th><th>Command</th><th>Inventory</th><th>Hosts</th><th>Vars</th><th>Events</th><th>Outcome</th></tr>');
    for (const s of r.sessions) {
      out.push(`<tr><td>${e(s.id)}</td><td>${e(when(s.startedAt))}</td><td>${s.endedAt ? e(when(s.endedAt)) : '<span class="muted">not recorded (killed?)</span>'}</td><td>${e(s.by)} <span class="muted">pid ${s.pid}</span></td><td><code>${e(s.command)}</code></td><td>${s.inventory.length ? s.inventory.map((i) => `<code>${e(i)}</code>`).join(', ') : 'local machine'}</td><td>${e(s.hosts ?? 'all')}</td><td>${e(sessionVars(s))}</td><td>${s.events}</td><td>${e(s.outcome ?? '—')}</td></tr>`);
    }
    out.push('</table>');
  }

  out.push('<h2>Steps × hosts</h2>');
  if (r.steps.length === 0) out.push('<p class="muted">No step in this report.</p>');
  else {
    out.push(`<table class="grid"><tr><th>Step</th>${r.hosts.map((h) => `<th class="h">${e(h)}</th>`).join('')}</tr>`);
    for (const s of r.steps) {
      const cells = r.hosts.map((h) => {
        const c = s.cells[h];
        if (!c) return '<td></td>';
        const tip = [c.status, c.attempts > 1 && `${c.attempts} attempts`, c.durationMs !== undefined && formatDuration(c.durationMs), c.message, c.by && `by ${c.by}`, c.reason && `reason: ${c.reason}`, c.changed && 'changed since it ran'].filter(Boolean).join('\n');
        return `<td class="c s-${c.status}" title="${e(tip)}">${STATUS_MARK[c.status]}${c.changed ? '*' : ''}${c.attempts > 1 ? `<sub>×${c.attempts}</sub>` : ''}</td>`;
      });
      out.push(`<tr><td><code>${e(s.id)}</code> <span class="muted">${e(s.title)}</span></td>${cells.join('')}</tr>`);
    }
    out.push('</table>');
  }

  const manual = r.steps.flatMap((s) => r.hosts.filter((h) => s.cells[h]?.status === 'skipped' || s.cells[h]?.status === 'done-manual').map((h) => ({ s, h, c: s.cells[h] })));
  if (manual.length) {
    out.push('<h2>Skipped or marked done by hand</h2><table><tr><th>Step</th><th>Host</th><th>What</th><th>By</th><th>Reason</th></tr>');
    for (const { s, h, c } of manual) out.push(`<tr><td><code>${e(s.id)}</code></td><td>${e(h)}</td><td>${e(c.status)}</td><td>${e(c.by ?? 'not recorded')}</td><td>${e(c.reason ?? 'not recorded')}</td></tr>`);
    out.push('</table>');
  }
  if (r.changedSteps.length) out.push(`<h2>Changed since they ran</h2><p>${r.changedSteps.map((id) => `<code>${e(id)}</code>`).join(', ')}</p>`);

  const failed = r.steps.flatMap((s) => r.hosts.filter((h) => PROBLEM.includes(s.cells[h]?.status)).map((h) => ({ s, h, c: s.cells[h] })));
  if (failed.length) {
    out.push('<h2>Failures</h2>');
    for (const { s, h, c } of failed) {
      out.push(`<h3><code>${e(s.id)}</code> on ${e(h)}: ${e(c.status)}</h3><p>${e(c.message ?? c.status)}${c.log ? ` <span class="muted">(log: <code>${e(c.log)}</code>)</span>` : ''}</p>`);
      out.push(c.tail?.length ? `<pre>${e(c.tail.join('\n'))}</pre>` : '<p class="muted">No output recorded.</p>');
    }
  }

  // Timeline, per session: one row per attempt (step and host) with a bar from its start to its end
  // on the session's time axis. Files older than sessions: the last attempt of each step and host.
  // A record made by hand (skip, mark done) has no start: a mark at the moment it was made.
  const groups = timelineBySession(r).map((g) => ({ ...g, spans: g.entries.filter((t) => t.status !== 'running').map((t) => ({ ...t, startedAt: t.startedAt ?? t.at })) }));
  if (groups.some((g) => g.session && g.spans.length)) {
    out.push('<h2>Timeline</h2>');
    for (const g of groups) {
      if (g.spans.length === 0) continue;
      const t0 = Math.min(...g.spans.map((t) => Date.parse(t.startedAt!)), g.session ? Date.parse(g.session.startedAt) : Infinity);
      const t1 = Math.max(...g.spans.map((t) => Date.parse(t.at)), g.session?.endedAt ? Date.parse(g.session.endedAt) : -Infinity);
      out.push(`<h3 class="session">${e(sessionHeading(g.session))}</h3>`);
      if (g.session?.outcome) out.push(`<p>${e(g.session.outcome)}</p>`);
      out.push(timelineTable(g.spans.map((t) => ({ step: t.step, host: t.host, status: t.status, startedAt: t.startedAt!, endedAt: t.at, attempt: t.attempt })), t0, t1));
    }
  } else {
    const spans = r.steps.flatMap((s) => r.hosts.filter((h) => s.cells[h]?.startedAt).map((h) => ({ step: s.id, host: h, status: s.cells[h].status, startedAt: s.cells[h].startedAt!, endedAt: s.cells[h].endedAt ?? s.cells[h].startedAt!, attempt: s.cells[h].attempts })));
    if (spans.length) {
      const t0 = Math.min(...spans.map((x) => Date.parse(x.startedAt)));
      const t1 = Math.max(...spans.map((x) => Date.parse(x.endedAt)));
      out.push(`<h2>Timeline</h2><p class="muted">last attempt of each step on each host</p>`);
      out.push(timelineTable(spans, t0, t1));
    }
  }
  if (r.timeline.length) {
    out.push(`<details><summary>${r.timeline.length} recorded events</summary><table><tr><th>Time</th><th>Step</th><th>Host</th><th>Status</th><th>Detail</th></tr>`);
    for (const t of r.timeline) out.push(`<tr><td>${e(when(t.at))}</td><td><code>${e(t.step)}</code></td><td>${e(t.host)}</td><td class="s-${t.status}">${e(t.status)}${t.attempt > 1 ? ` (attempt ${t.attempt})` : ''}</td><td>${e([t.message, t.by && `by ${t.by}`, t.reason && `reason: ${t.reason}`].filter(Boolean).join('; '))}</td></tr>`);
    out.push('</table></details>');
  }
  out.push('</body></html>', '');
  return out.join('\n');
}
