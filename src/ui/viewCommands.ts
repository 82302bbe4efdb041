// What the viewing keys do: search and n/N, `:` jump, the hosts pane's sort / filters, jumping
// to failed hosts, folding the outline, the log view (follow, pager, copy) and the text prompt.
// Plain functions over CommandDeps, like commands.ts; nothing here runs a step or records state.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flash, answerPrompt } from '../engine/store.js';
import { resolvePattern } from '../engine/inventory/patterns.js';
import type { CommandId, KeyContext } from './keymap.js';
import type { CommandDeps } from './commands.js';
import { moveVisible, visibleSteps } from './outline.js';
import { nextProblem } from './hostView.js';
import { completeStepId, findNext, jumpCandidates, stepText } from './search.js';
import { readLogLines } from './components/LogView.js';
import { waitingHostKeys } from './hostKeyWaiting.js';
import type { SearchScope } from './uiState.js';

export const VIEW_COMMANDS: readonly CommandId[] = [
  'search.start', 'search.next', 'search.prev', 'step.jump', 'hosts.sort', 'hosts.filterStatus', 'fail.next', 'fail.prev',
  'section.fold', 'section.foldAll', 'log.follow', 'log.pager', 'log.copy', 'picker.pattern', 'input.complete', 'hostKey.acceptAll', 'view.close',
];

/** Move the steps selection over the visible (unfolded) steps; true when it handled the move. */
export function moveInOutline(d: CommandDeps, delta: number): boolean {
  const ui = d.ui();
  if (ui.overlay || ui.pane !== 'steps') return false;
  const to = moveVisible(d.rows(), ui.selected, delta);
  d.dispatch({ type: 'select', index: to });
  return true;
}

function searchScope(d: CommandDeps): SearchScope {
  const ui = d.ui();
  if (ui.overlay?.kind === 'log') return 'log';
  return ui.pane === 'doc' ? 'doc' : 'steps';
}

/** Jump to the next (dir 1) or previous match of the last search in its scope. */
export function searchMove(d: CommandDeps, dir: 1 | -1, query?: string, scope?: SearchScope): void {
  const ui = d.ui();
  const q = query ?? ui.search?.query ?? '';
  const sc = scope ?? ui.search?.scope ?? searchScope(d);
  if (q === '') return flash(d.store, 'info', 'no search yet', '/ starts one');
  if (sc === 'steps') {
    const steps = d.store.getState().runbook.steps;
    const vis = new Set(visibleSteps(d.rows()));
    const i = findNext(steps.length, (k) => (vis.has(k) || ui.folded.length === 0 ? stepText(steps[k]) : ''), q, ui.selected, dir);
    if (i < 0) return flash(d.store, 'warn', `no step matches "${q}"`);
    return d.dispatch({ type: 'select', index: i });
  }
  const lines = sc === 'log' ? d.logLines() : d.docLines();
  const from = sc === 'log' && ui.overlay?.kind === 'log' ? ui.overlay.scroll : ui.docScroll;
  const i = findNext(lines.length, (k) => lines[k], q, query !== undefined ? from - 1 : from, dir);
  if (i < 0) return flash(d.store, 'warn', `"${q}" is not in the ${sc === 'log' ? 'log' : 'document'}`);
  d.dispatch({ type: 'scrollTo', line: i });
}

function applyInput(d: CommandDeps): void {
  const ui = d.ui();
  const input = ui.input;
  if (!input) return;
  d.dispatch({ type: 'inputClose' });
  const value = input.value;
  const { store } = d;
  switch (input.kind) {
    case 'search': {
      const scope = input.scope ?? 'steps';
      if (value === '') return;
      d.dispatch({ type: 'setSearch', query: value, scope });
      return searchMove(d, 1, value, scope);
    }
    case 'hostFilter':
      d.dispatch({ type: 'hostNameFilter', value });
      return;
    case 'jump': {
      const steps = store.getState().runbook.steps;
      const [best] = jumpCandidates(steps, value);
      if (!best || value.trim() === '') return flash(store, 'warn', `no step id matches "${value}"`, ': then Tab completes step ids');
      const index = steps.indexOf(best);
      const section = best.sectionIndex;
      if (ui.folded.includes(section)) d.dispatch({ type: 'fold', section, folded: false });
      d.dispatch({ type: 'focus', pane: 'steps' });
      return d.dispatch({ type: 'select', index });
    }
    case 'pattern': {
      if (value.trim() === '') return;
      try {
        const r = resolvePattern(store.getState().inventory, value);
        if (r.unknown.length > 0 && r.hosts.length === 0) return flash(store, 'warn', `no host or group matches ${r.unknown.join(', ')}`);
        d.dispatch({ type: 'pickerSet', chosen: r.hosts.map((h) => h.name) });
        flash(store, 'info', `${value}: ${r.hosts.length} hosts selected${r.unknown.length ? ` (unknown: ${r.unknown.join(', ')})` : ''}`, 'Enter applies, Space adjusts');
      } catch (e) {
        flash(store, 'error', (e as Error).message, (e as { hint?: string }).hint);
      }
      return;
    }
  }
}

/** Write a host's output (the log without runbook's own header lines) to a file; OSC 52 copies it too. */
export function copyOutput(d: CommandDeps, stepId: string, host: string, log: string | undefined): void {
  const lines = readLogLines(d.stateDir, log);
  if (!log) return flash(d.store, 'warn', `no output recorded for ${host} yet`);
  const text = lines.filter((l) => !l.startsWith('### runbook:')).join('\n') + '\n';
  const dir = join(d.stateDir, 'copies');
  const file = join(dir, `${stepId}.${host}.txt`.replace(/[^\w.-]/g, '_'));
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text, { mode: 0o600 });
  } catch (e) {
    return flash(d.store, 'error', `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  // OSC 52: terminals that allow it put the text on the clipboard; the others ignore it.
  if (text.length <= 100_000) d.terminal?.(`\u001b]52;c;${Buffer.from(text).toString('base64')}\u0007`);
  flash(d.store, 'info', `output of ${host} written to ${file}`, 'also sent to the clipboard where the terminal allows OSC 52');
}

/** Carry out a view command (VIEW_COMMANDS). */
export function runViewCommand(d: CommandDeps, id: CommandId, context: KeyContext): void {
  const { store, dispatch } = d;
  const ui = d.ui();
  const steps = store.getState().runbook.steps;
  const step = steps[ui.selected];
  switch (id) {
    case 'search.start':
      if (context === 'main' && ui.pane === 'hosts') return dispatch({ type: 'inputOpen', kind: 'hostFilter' });
      return dispatch({ type: 'inputOpen', kind: 'search', scope: searchScope(d) });
    case 'search.next': return searchMove(d, 1);
    case 'search.prev': return searchMove(d, -1);
    case 'step.jump': return dispatch({ type: 'inputOpen', kind: 'jump' });
    case 'hosts.sort': return dispatch({ type: 'hostSortToggle' });
    case 'hosts.filterStatus': return dispatch({ type: 'hostStatusFilterNext' });
    case 'fail.next':
    case 'fail.prev': {
      const host = step ? d.selectedHostName() : undefined;
      const next = nextProblem(steps, store.getState().records, d.targetsOf, { stepIndex: ui.selected, host }, id === 'fail.next' ? 1 : -1);
      if (!next) return flash(store, 'info', 'no failed or interrupted host in this runbook');
      const target = steps[next.stepIndex];
      if (ui.folded.includes(target.sectionIndex)) dispatch({ type: 'fold', section: target.sectionIndex, folded: false });
      // Show the failed host whatever the hosts pane's filter: clear a name filter that hides it.
      if (ui.hostNameFilter && !next.host.toLowerCase().includes(ui.hostNameFilter.toLowerCase())) dispatch({ type: 'hostNameFilter', value: '' });
      return dispatch({ type: 'select', index: next.stepIndex, host: next.host });
    }
    case 'section.fold': {
      if (!step) return;
      const s = step.sectionIndex;
      const folding = !ui.folded.includes(s);
      dispatch({ type: 'fold', section: s, folded: folding });
      return;
    }
    case 'section.foldAll': {
      const all = store.getState().runbook.sections.map((_, i) => i);
      if (ui.folded.length > 0) return dispatch({ type: 'foldAll', sections: [] });
      return dispatch({ type: 'foldAll', sections: all.filter((i) => i !== step?.sectionIndex) });
    }
    case 'log.follow': {
      const o = ui.overlay;
      if (o?.kind !== 'log') return;
      return dispatch({ type: 'logFollow', follow: !o.follow });
    }
    case 'log.pager': {
      const o = ui.overlay;
      if (o?.kind !== 'log') return;
      if (!o.log) return flash(store, 'warn', 'no log recorded for this host and step yet');
      if (!d.pager) return flash(store, 'warn', 'no pager available here');
      return d.pager(join(d.stateDir, o.log));
    }
    case 'log.copy': {
      const o = ui.overlay;
      if (o?.kind === 'log') return copyOutput(d, o.stepId, o.host, store.getState().records[o.stepId]?.[o.host]?.log ?? o.log);
      const host = d.selectedHostName();
      if (!step || !host) return;
      return copyOutput(d, step.id, host, store.getState().records[step.id]?.[host]?.log);
    }
    case 'picker.pattern': return dispatch({ type: 'inputOpen', kind: 'pattern' });
    case 'input.complete': {
      if (ui.input?.kind !== 'jump') return;
      return dispatch({ type: 'inputValue', value: completeStepId(steps, ui.input.value) });
    }
    case 'hostKey.acceptAll': {
      // Exactly the ones the dialog lists, in its order: every unknown host key waiting, each with its fingerprint.
      const { prompts: all, inventory } = store.getState();
      const prompts = waitingHostKeys(all, inventory.hosts);
      dispatch({ type: 'hostKeyScroll', delta: -Number.MAX_SAFE_INTEGER, max: 0 });
      for (const p of prompts) answerPrompt(store, p.id, true);
      return flash(store, 'info', `accepted ${prompts.length} host key${prompts.length === 1 ? '' : 's'}: ${prompts.map((p) => `${p.host} ${p.fingerprint}`).join(', ')}`);
    }
    case 'view.close': return dispatch({ type: 'close' });
    default: return;
  }
}

export { applyInput };
