// `runbook plan`: per step and host, the fully rendered command or file and what state says.
// Connects to nothing.
import { RenderContext } from '../../engine/run/renderContext.js';
import { openState } from '../../engine/state/stateFile.js';
import { describeError, EXIT } from '../../engine/errors.js';
import { loadSession, type CommonOptions } from '../session.js';
import { STATUS_SYMBOL, formatDuration } from '../symbols.js';
import { compactLineDiff, formatDiffLine, olderHashes } from '../../engine/lineDiff.js';
import { connectionLine, describeConnection } from '../../engine/inventory/describe.js';
import type { Host, HostStepRecord, Step } from '../../engine/types.js';
import { transcriptNote } from '../../engine/parser/prompts.js';
import { writeOut } from '../stdout.js';

export interface PlanOptions extends CommonOptions {
  readonly json?: boolean;
}

/**
 * For a step changed since it ran on some of `hosts`: the lines saying so, with the old text
 * against the new one as a line diff when the state kept the old text.
 */
function changedLines(s: Step, recs: Readonly<Record<string, HostStepRecord>>, hosts: readonly string[], oldText: (hash: string) => string | undefined, mask: (t: string) => string): string[] {
  const changed = hosts.filter((h) => recs[h] && recs[h].hash !== s.hash);
  if (changed.length === 0) return [];
  const where = changed.join(', ');
  const previousText = olderHashes(changed.map((h) => recs[h]), s.hash).map(oldText).find((t) => t !== undefined);
  if (previousText === undefined) return [`  changed since it ran on ${where} (the old text is not in the state file: it ran before runbook kept step texts)`];
  if (previousText === s.source) return [`  changed since it ran on ${where}: same text; what changed is the hosts it targets (front matter hosts)`];
  return [`  changed since it ran on ${where}: - old, + new`, ...compactLineDiff(mask(previousText), mask(s.source)).map((l) => `  ${formatDiffLine(l)}`)];
}

function maybe(text: string | undefined, f: (t: string) => string): string | undefined {
  return text === undefined ? undefined : f(text);
}

function indent(text: string): string {
  return text.replace(/\n$/, '').split('\n').map((l) => `    ${l}`).join('\n');
}

export async function planCommand(path: string, o: PlanOptions, out: (l: string) => void = (l) => writeOut(l + '\n')): Promise<number> {
  const { runbook, inventory, cliVars, hostFilter, paths, recalled } = await loadSession(path, o, { memory: true });
  // The known_hosts file run and play would check against: --known-hosts, else the last session's, else ~/.ssh/known_hosts.
  const co = { knownHostsFile: recalled.knownHosts };
  const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'read' });
  const records = state.snapshot();
  const oldText = (stepId: string) => (hash: string): string | undefined => state.stepText(stepId, hash);
  await state.close();
  const ctx = new RenderContext(runbook, inventory, cliVars);
  // Captured values known from earlier sessions are shown as they are; the rest as placeholders.
  ctx.restoreCaptures(records);
  ctx.placeholderCaptures(runbook.steps);
  const mask = ctx.masker();
  let errors = 0;
  const json: unknown[] = [];
  const say = o.json ? (): void => {} : out;
  say(`# plan: ${runbook.title}${inventory.file ? ` (inventory ${inventory.file})` : ' (local machine)'}`);
  for (const w of runbook.warnings ?? []) if (w.level !== 'info') say(`! ${w.file}:${w.line}: ${w.message}`);
  // How each targeted host will be reached, once, before the steps.
  const targeted = new Map<string, Host>();
  for (const s of runbook.steps) {
    try {
      for (const h of ctx.stepHosts(s)) if (!hostFilter || hostFilter.includes(h.name)) targeted.set(h.name, h);
    } catch {
      /* reported with the step below */
    }
  }
  if (targeted.size) {
    say('\n## connections');
    for (const h of targeted.values()) say(`${h.name}  ${connectionLine(h, co)}`);
  }
  for (const s of runbook.steps) {
    let hosts;
    try {
      hosts = ctx.stepHosts(s);
    } catch (e) {
      errors++;
      say(`\n## ${s.id}  ✖ ${describeError(e)}`);
      continue;
    }
    if (hostFilter) hosts = hosts.filter((h) => hostFilter.includes(h.name));
    const flags = [s.attrs.sudo && 'sudo', s.attrs.confirm !== undefined && `confirm${s.attrs.confirm ? `="${s.attrs.confirm}"` : ''}`, s.attrs.serial && `serial=${s.attrs.serial}`, s.attrs.throttle && `throttle=${s.attrs.throttle}`, s.attrs.capture && `capture=${s.attrs.capture}`, s.attrs.timeoutMs && `timeout=${formatDuration(s.attrs.timeoutMs)}`, s.attrs.retries && `retries=${s.attrs.retries}`, s.attrs.continueOnError && 'continue_on_error']
      .filter(Boolean)
      .join(' ');
    say(`\n## ${s.id}  — ${s.title}${s.label !== undefined ? ` [${s.label}]` : ''}  (${s.loc.file}:${s.loc.line})  hosts=${s.hosts}${flags ? `  ${flags}` : ''}`);
    if (s.transcript) say(`  ${transcriptNote(s.transcript)}`);
    if (hosts.length === 0) say('  (matches no host)');
    for (const l of changedLines(s, records[s.id] ?? {}, hosts.map((h) => h.name), oldText(s.id), mask)) say(l);
    for (const h of hosts) {
      const rec = records[s.id]?.[h.name];
      const st = rec ? `${STATUS_SYMBOL[rec.status]} ${rec.status}${rec.hash !== s.hash ? ', changed since it ran' : ''}` : `${STATUS_SYMBOL.pending} pending`;
      try {
        const r = ctx.render(s, h);
        say(`### ${h.name}  [${st}]`);
        if (r.unless) say(`  unless: ${mask(r.unless)}`);
        if (r.cwd) say(`  in directory: ${mask(r.cwd)}`);
        if (r.file) say(`  writes ${r.file.path} (mode ${r.file.mode ?? '0644'}${r.file.owner ? `, owner ${r.file.owner}` : ''}):\n${indent(mask(r.file.content))}`);
        else say(indent(mask(r.shown)));
        if (r.verify) say(`  verify: ${mask(r.verify)}`);
        json.push({ step: s.id, host: h.name, connection: describeConnection(h, co), status: rec?.status ?? 'pending', changed: Boolean(rec && rec.hash !== s.hash), previousText: rec && rec.hash !== s.hash ? maybe(oldText(s.id)(rec.hash), mask) : undefined, script: r.file ? undefined : mask(r.script), file: r.file ? { ...r.file, content: mask(r.file.content) } : undefined, unless: r.unless && mask(r.unless), verify: r.verify && mask(r.verify) });
      } catch (e) {
        errors++;
        const msg = describeError(e);
        say(`### ${h.name}  ✖ ${msg}`);
        json.push({ step: s.id, host: h.name, error: msg });
      }
    }
  }
  if (o.json) out(JSON.stringify(json, null, 2));
  say(errors ? `\n${errors} step/host render error(s)` : `\n${runbook.steps.length} steps rendered for every targeted host`);
  return errors ? EXIT.BAD_INPUT : EXIT.OK;
}
