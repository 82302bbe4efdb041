// Keys are data: one table maps command ids to keys, a description, a dangerous flag and the
// contexts where they apply. It drives input dispatch, the footer hints, the `?` help overlay and
// the README key table (keyTableMarkdown), so none of them can drift from the others.
import type { Key } from 'ink';

/** Where a key applies. 'main' is the player with no dialog open; the others are dialogs/overlays. */
export type KeyContext =
  | 'global'
  | 'main'
  | 'help'
  | 'log'
  | 'picker'
  | 'confirm'
  | 'quit'
  | 'hostKey'
  | 'var'
  | 'resume'
  | 'danger'
  | 'input';

export type CommandId =
  | 'nav.down'
  | 'nav.up'
  | 'nav.pageDown'
  | 'nav.pageUp'
  | 'nav.top'
  | 'nav.bottom'
  | 'pane.next'
  | 'step.run'
  | 'play.toggle'
  | 'step.retry'
  | 'host.retry'
  | 'step.skip'
  | 'host.skip'
  | 'host.markDone'
  | 'step.abort'
  | 'app.quit'
  | 'hosts.pick'
  | 'log.open'
  | 'report.write'
  | 'help.toggle'
  | 'dialog.confirm'
  | 'dialog.cancel'
  | 'picker.toggle'
  | 'picker.all'
  | 'hostKey.accept'
  | 'hostKey.reject'
  | 'resume.retry'
  | 'resume.markDone'
  | 'resume.skip'
  | 'confirm.skip'
  | 'var.save'
  | 'search.start'
  | 'search.next'
  | 'search.prev'
  | 'step.jump'
  | 'hosts.sort'
  | 'hosts.filterStatus'
  | 'fail.next'
  | 'fail.prev'
  | 'section.fold'
  | 'section.foldAll'
  | 'log.follow'
  | 'log.pager'
  | 'log.copy'
  | 'picker.pattern'
  | 'input.complete'
  | 'hostKey.acceptAll'
  | 'view.close';

export interface Command {
  readonly id: CommandId;
  /** Key descriptors: a printable character ('j', 'R', '?'), or a named key
   *  ('up', 'down', 'pageUp', 'pageDown', 'enter', 'esc', 'tab', 'space'), optionally 'ctrl+x'. */
  readonly keys: readonly string[];
  readonly description: string;
  /**
   * Records state that makes play pass a step without running it (skipped, done by hand). The
   * player asks first: pressing it opens the 'danger' dialog listing exactly what will be recorded
   * (y/Enter records it, n/Esc records nothing), unless `alreadyAsked`. Shown with a mark.
   */
  readonly dangerous?: boolean;
  /** A dangerous key pressed inside a dialog that already is the question (the confirm dialog's
   *  `s`): it acts at once, no second prompt. */
  readonly alreadyAsked?: boolean;
  readonly contexts: readonly KeyContext[];
  /** Shown in the footer hints of its contexts. */
  readonly hint?: boolean;
}

const NAV: readonly KeyContext[] = ['main', 'log', 'picker', 'confirm', 'help', 'hostKey'];

/** The one key table. Order is the order of the help overlay and the README table. */
export const COMMANDS: readonly Command[] = [
  { id: 'nav.down', keys: ['down', 'j'], description: 'move down', contexts: NAV },
  { id: 'nav.up', keys: ['up', 'k'], description: 'move up', contexts: NAV },
  { id: 'nav.pageDown', keys: ['pageDown'], description: 'page down', contexts: NAV },
  { id: 'nav.pageUp', keys: ['pageUp'], description: 'page up', contexts: NAV },
  { id: 'nav.top', keys: ['g'], description: 'go to the first item', contexts: NAV },
  { id: 'nav.bottom', keys: ['G'], description: 'go to the last item', contexts: NAV },
  { id: 'pane.next', keys: ['tab'], description: 'focus the next pane', contexts: ['main'] },
  { id: 'step.run', keys: ['enter', 'r'], description: 'run the selected step on its pending hosts', contexts: ['main'], hint: true },
  { id: 'play.toggle', keys: ['space'], description: 'play / pause (run step after step)', contexts: ['main'], hint: true },
  { id: 'step.retry', keys: ['R'], description: 'retry the failed and interrupted hosts of the step', contexts: ['main'], hint: true },
  { id: 'host.retry', keys: ['e'], description: 're-run the step on the selected host only (asks first when it is done there)', contexts: ['main'] },
  { id: 'step.skip', keys: ['s'], description: 'skip the step on all its pending hosts', contexts: ['main'], dangerous: true, hint: true },
  { id: 'host.skip', keys: ['S'], description: 'skip the step on the selected host', contexts: ['main'], dangerous: true },
  { id: 'host.markDone', keys: ['m'], description: 'mark the step done by hand on the selected host', contexts: ['main'], dangerous: true },
  // Not dangerous: aborting records the running hosts failed, which play never passes (R reruns
  // them). It is the safe direction and must act at once, so it never asks.
  { id: 'step.abort', keys: ['ctrl+c'], description: 'abort the running step at once, never asks (twice: quit)', contexts: ['global'] },
  { id: 'hosts.pick', keys: ['h'], description: 'choose the hosts of this session', contexts: ['main'], hint: true },
  { id: 'log.open', keys: ['l'], description: 'open the full log of the selected host', contexts: ['main'] },
  { id: 'fail.next', keys: [']'], description: 'jump to the next failed host (this step, then the next steps)', contexts: ['main'], hint: true },
  { id: 'fail.prev', keys: ['['], description: 'jump to the previous failed host', contexts: ['main'] },
  { id: 'search.start', keys: ['/'], description: 'search the steps, the document or the log (hosts pane: filter hosts by name)', contexts: ['main', 'log'], hint: true },
  { id: 'search.next', keys: ['n'], description: 'next search match', contexts: ['main', 'log'] },
  { id: 'search.prev', keys: ['N'], description: 'previous search match', contexts: ['main', 'log'] },
  { id: 'step.jump', keys: [':'], description: 'jump to a step id (Tab completes)', contexts: ['main'] },
  { id: 'hosts.sort', keys: ['o'], description: 'hosts: failed and running first / inventory order', contexts: ['main'] },
  { id: 'hosts.filterStatus', keys: ['f'], description: 'hosts: show all, failed, running, pending or done ones (cycles)', contexts: ['main'] },
  { id: 'section.fold', keys: ['z'], description: 'fold / unfold the section of the selected step', contexts: ['main'] },
  { id: 'section.foldAll', keys: ['Z'], description: 'fold every other section / unfold all (outline)', contexts: ['main'] },
  { id: 'log.follow', keys: ['F'], description: 'follow the output while the step runs (like less +F)', contexts: ['log'], hint: true },
  { id: 'log.pager', keys: ['o'], description: 'open the log in $PAGER (less by default)', contexts: ['log'], hint: true },
  { id: 'log.copy', keys: ['y'], description: "copy the host's output without borders: written to a file (path shown) and sent to the clipboard (OSC 52)", contexts: ['log', 'main'], hint: true },
  { id: 'report.write', keys: ['w'], description: 'write a report of the session (Markdown and HTML, under the state directory)', contexts: ['main'] },
  { id: 'help.toggle', keys: ['?'], description: 'show / hide this help', contexts: ['main', 'help'], hint: true },
  { id: 'app.quit', keys: ['q'], description: 'quit (asks first while a step runs)', contexts: ['main'], hint: true },
  { id: 'picker.toggle', keys: ['space'], description: 'toggle the host under the cursor', contexts: ['picker'], hint: true },
  { id: 'picker.all', keys: ['a'], description: 'select all / no hosts', contexts: ['picker'], hint: true },
  { id: 'picker.pattern', keys: ['p', '/'], description: 'select the hosts of a group or pattern (masters, web[1:], web*:!web3)', contexts: ['picker'], hint: true },
  { id: 'hostKey.accept', keys: ['y'], description: 'accept the host key (saved to known_hosts)', contexts: ['hostKey'], hint: true },
  { id: 'hostKey.reject', keys: ['n', 'esc'], description: 'reject the host key', contexts: ['hostKey'], hint: true },
  { id: 'hostKey.acceptAll', keys: ['A'], description: 'accept every unknown host key waiting (all listed with their fingerprints)', contexts: ['hostKey'], hint: true },
  { id: 'resume.retry', keys: ['R'], description: 'retry the interrupted hosts', contexts: ['resume'], hint: true },
  { id: 'resume.markDone', keys: ['m'], description: 'mark the interrupted hosts done by hand', contexts: ['resume'], dangerous: true, hint: true },
  { id: 'resume.skip', keys: ['s'], description: 'skip the interrupted hosts', contexts: ['resume'], dangerous: true, hint: true },
  { id: 'confirm.skip', keys: ['s'], description: 'skip the step instead of running it', contexts: ['confirm'], dangerous: true, alreadyAsked: true, hint: true },
  { id: 'var.save', keys: ['tab'], description: 'save the value for next time (on / off; never for secrets)', contexts: ['var'], hint: true },
  { id: 'input.complete', keys: ['tab'], description: 'complete the step id', contexts: ['input'], hint: true },
  { id: 'dialog.confirm', keys: ['enter', 'y'], description: 'confirm / apply', contexts: ['confirm', 'danger', 'quit', 'picker', 'var', 'input'], hint: true },
  { id: 'dialog.cancel', keys: ['esc', 'n'], description: 'cancel / close', contexts: ['confirm', 'danger', 'quit', 'picker', 'resume', 'var', 'input'], hint: true },
  { id: 'view.close', keys: ['esc', 'q'], description: 'close', contexts: ['log', 'help'], hint: true },
];

/** In the var prompt, letters are text: only named keys dispatch there. */
const TEXT_CONTEXTS: readonly KeyContext[] = ['var', 'input'];

const NAMED: Record<string, (input: string, key: Key) => boolean> = {
  up: (_i, k) => k.upArrow,
  down: (_i, k) => k.downArrow,
  pageUp: (_i, k) => k.pageUp,
  pageDown: (_i, k) => k.pageDown,
  enter: (_i, k) => k.return,
  esc: (_i, k) => k.escape,
  tab: (_i, k) => k.tab && !k.shift,
  space: (i, k) => i === ' ' && !k.ctrl && !k.meta,
};

/** True when a context takes typed text (letters are text there, not commands). */
export function isTextContext(context: KeyContext): boolean {
  return TEXT_CONTEXTS.includes(context);
}

/** True when the key event matches one descriptor of the table. */
export function matchKey(descriptor: string, input: string, key: Key): boolean {
  if (descriptor.startsWith('ctrl+')) return key.ctrl && input === descriptor.slice(5);
  const named = NAMED[descriptor];
  if (named) return named(input, key);
  return !key.ctrl && !key.meta && input === descriptor;
}

/** The command a key triggers in a context ('global' commands apply everywhere), if any. */
export function resolveCommand(context: KeyContext, input: string, key: Key): CommandId | undefined {
  const text = TEXT_CONTEXTS.includes(context);
  for (const cmd of COMMANDS) {
    if (!cmd.contexts.includes(context) && !cmd.contexts.includes('global')) continue;
    for (const d of cmd.keys) {
      if (text && d.length === 1 && d !== ' ') continue;
      if (matchKey(d, input, key)) return cmd.id;
    }
  }
  return undefined;
}

const LABELS: Record<string, string> = {
  up: '↑', down: '↓', pageUp: 'PgUp', pageDown: 'PgDn', enter: 'Enter', esc: 'Esc', tab: 'Tab', space: 'Space',
};

/** Human label of one key descriptor ('ctrl+c' -> 'Ctrl-C', 'down' -> '↓'). */
export function keyLabel(descriptor: string): string {
  if (descriptor.startsWith('ctrl+')) return `Ctrl-${descriptor.slice(5).toUpperCase()}`;
  return LABELS[descriptor] ?? descriptor;
}

export function commandsFor(context: KeyContext): readonly Command[] {
  return COMMANDS.filter((c) => c.contexts.includes(context));
}

/** True when pressing the command opens the 'danger' dialog first (dangerous and not already asked). */
export function asksFirst(id: CommandId): boolean {
  const c = getCommand(id);
  return c.dangerous === true && c.alreadyAsked !== true;
}

export function getCommand(id: CommandId): Command {
  const c = COMMANDS.find((x) => x.id === id);
  if (!c) throw new Error(`unknown command ${id}`);
  return c;
}

/** Footer hints for a context, e.g. "Enter/r run  Space play  ? help" (without the `omit` commands). */
export function hintLine(context: KeyContext, omit: readonly CommandId[] = []): string {
  return commandsFor(context)
    .filter((c) => c.hint && !omit.includes(c.id))
    .map((c) => `${c.keys.map(keyLabel).join('/')} ${shortDescription(c)}`)
    .join('  ');
}

function shortDescription(c: Command): string {
  const short: Partial<Record<CommandId, string>> = {
    'step.run': 'run', 'play.toggle': 'play/pause', 'step.retry': 'retry', 'step.skip': 'skip',
    'hosts.pick': 'hosts', 'help.toggle': 'help', 'app.quit': 'quit', 'picker.toggle': 'toggle',
    'picker.all': 'all', 'hostKey.accept': 'accept', 'hostKey.reject': 'reject', 'resume.retry': 'retry',
    'resume.markDone': 'mark done', 'resume.skip': 'skip', 'confirm.skip': 'skip', 'dialog.confirm': 'confirm', 'dialog.cancel': 'cancel',
    'var.save': 'save for next time', 'fail.next': 'next failed', 'search.start': 'search', 'log.follow': 'follow',
    'log.pager': 'pager', 'log.copy': 'copy output', 'picker.pattern': 'pattern', 'input.complete': 'complete',
    'hostKey.acceptAll': 'accept all listed', 'view.close': 'close',
  };
  return short[c.id] ?? c.description;
}

const CONTEXT_TITLES: Record<KeyContext, string> = {
  global: 'Anywhere', main: 'Player', help: 'Help', log: 'Log view', picker: 'Host picker',
  confirm: 'Confirm dialog', quit: 'Quit dialog', hostKey: 'Host key dialog', var: 'Variable prompt', resume: 'Resume banner',
  danger: 'Skip / mark done dialog', input: 'Search / jump / pattern prompt',
};

export function contextTitle(c: KeyContext): string {
  return CONTEXT_TITLES[c];
}

/** The README key table, generated from COMMANDS. */
export function keyTableMarkdown(): string {
  const rows = COMMANDS.map((c) => {
    const keys = c.keys.map((k) => `\`${keyLabel(k)}\``).join(', ');
    const where = c.contexts.map(contextTitle).join(', ');
    return `| ${keys} | ${c.description}${c.dangerous ? (c.alreadyAsked ? ' (records state)' : ' (records state; asks first)') : ''} | ${where} | \`${c.id}\` |`;
  });
  return ['| Keys | Action | Where | Command |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
