// A runbook as an Ansible playbook with the same semantics: one play per step, in order. What
// cannot be expressed faithfully is refused with the step named, never exported differently.
//
//   hosts=        -> play hosts (the same pattern syntax); any_errors_fatal (a failure stops the run)
//   sudo          -> become: true (guard, body and verify all run as root, as in runbook)
//   serial        -> play serial (batches: a failed batch stops the rolling, any_errors_fatal)
//   throttle      -> play throttle (at most N hosts at once, no batches)
//   confirm       -> a pause task with the reason as its prompt (run_once)
//   unless        -> a shell task registered as the guard (changed_when/failed_when false); the
//                    body, verify and capture run `when` the guard failed
//   body          -> shell (bash, `set -eo pipefail` first, chdir for cwd), retries/delay/until,
//                    timeout, ignore_errors for continue_on_error, no_log for secret captures
//   verify        -> a shell task after the body
//   file=         -> the parent directory, then copy content= with mode (0644 by default) and owner/group
//   capture       -> register + set_fact; from a single-host step the fact is set on every host
//                    (delegate_facts), as runbook makes such a capture global
//   Liquid        -> Jinja2 (./jinja.ts)
//   front matter vars -> the defaults of a role every play lists (roles/runbook_defaults): the
//                    lowest precedence in Ansible, below every inventory var, and absent from
//                    hostvars, as runbook keeps them out of host.vars
import { stringify } from 'yaml';
import { resolvePattern } from '../inventory/patterns.js';
import { isSecretName } from '../secrets.js';
import type { Inventory, Runbook, Step } from '../types.js';
import { liquidToJinja, UnfaithfulError, type JinjaContext } from './jinja.js';

/** The role whose defaults hold the front matter vars. */
export const DEFAULTS_ROLE = 'runbook_defaults';

export interface AnsibleExport {
  readonly playbook: string;
  /** Front matter vars (not the secret ones) for `roles/runbook_defaults/defaults/main.yml` beside the playbook. */
  readonly defaults?: string;
  /** Secret front matter vars: not written anywhere; give them with -e or Ansible Vault. */
  readonly secretVars: readonly string[];
}

export interface Refusal {
  readonly step: string;
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export class ExportRefused extends Error {
  constructor(readonly refusals: readonly Refusal[]) {
    super(`${refusals.length} step(s) cannot be exported faithfully`);
  }
}

const BASH = '/bin/bash';
const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));


/**
 * Text with template markers that opens with `{` or `[` and closes with `}` or `]` (not a marker's
 * own braces): once rendered, Ansible may parse it as a Python literal and hand copy a dict or list,
 * which it writes back as one-line JSON, not the text (checked with ansible-core 2.14).
 */
function looksLikeTemplatedData(body: string): boolean {
  const t = body.trim();
  if (!/\{\{|\{%/.test(t)) return false;
  const opens = (t.startsWith('{') && !/^\{[{%]/.test(t)) || t.startsWith('[');
  const closes = (t.endsWith('}') && !/[}%]\}$/.test(t)) || t.endsWith(']');
  return opens && closes;
}

function translate(ctx: JinjaContext, what: string, text: string): string {
  try {
    return liquidToJinja(text, ctx);
  } catch (e) {
    if (e instanceof UnfaithfulError) throw new UnfaithfulError(`${what}: ${e.message}`);
    throw e;
  }
}

function playFor(step: Step, inventory: Inventory, index: number, withDefaults: boolean, context: JinjaContext): Record<string, unknown> {
  const a = step.attrs;
  const { hosts, unknown } = resolvePattern(inventory, step.hosts);
  if (unknown.length) throw new UnfaithfulError(`hosts=${step.hosts} names ${unknown.join(', ')}, which the inventory does not define`);
  const local = hosts.some((h) => h.connection === 'local') && !inventory.hosts.some((h) => h.name === 'local');
  if (local && hosts.length > 1) throw new UnfaithfulError(`hosts=${step.hosts} mixes this machine (local) with inventory hosts, which no Ansible play targets at once`);
  // A step on runbook's own machine is a play on Ansible's implicit localhost.
  const ctx: JinjaContext = local ? { ...context, local: true } : context;
  const reg = `rb_${index}`;
  const guard = `${reg}_guard`;
  const ran = a.unless !== undefined ? `${guard}.rc != 0` : undefined;
  const tasks: Record<string, unknown>[] = [];
  const when = (extra?: string): Record<string, unknown> => {
    const conds = [ran, extra].filter(Boolean);
    return conds.length ? { when: conds.length === 1 ? conds[0] : conds } : {};
  };
  if (a.confirm !== undefined) {
    tasks.push({ name: 'confirm', 'ansible.builtin.pause': { prompt: `${step.id}: ${a.confirm || 'run this step?'} (Enter to go on, Ctrl-C then A to stop)` }, run_once: true });
  }
  if (a.unless !== undefined) {
    tasks.push({
      name: 'unless (already done?)',
      'ansible.builtin.shell': translate(ctx, 'unless=', a.unless),
      args: { executable: BASH },
      register: guard,
      changed_when: false,
      failed_when: false,
    });
  }
  const onFailure: Record<string, unknown> = {
    ...(a.retries > 0 && { retries: a.retries, delay: seconds(a.delayMs), until: `${reg} is succeeded` }),
    ...(a.timeoutMs !== undefined && { timeout: seconds(a.timeoutMs) }),
    ...(a.continueOnError && { ignore_errors: true }),
  };
  if (step.kind === 'file') {
    if (looksLikeTemplatedData(step.body)) {
      throw new UnfaithfulError('file content: a templated file that reads as a list or dict (JSON, for instance) would be written re-serialised: Ansible parses the rendered text of copy content= as data');
    }
    const path = translate(ctx, 'file=', a.file!);
    const [owner, group] = a.owner ? translate(ctx, 'owner=', a.owner).split(':') : [];
    // The destination as a task variable, so a templated path is rendered once, then dirname'd.
    tasks.push({ name: 'parent directory', 'ansible.builtin.file': { path: '{{ rb_dest | dirname }}', state: 'directory' }, vars: { rb_dest: path }, ...when() });
    tasks.push({
      name: `write ${a.file}`,
      'ansible.builtin.copy': {
        dest: path,
        content: translate(ctx, 'file content', step.body),
        mode: a.mode ? translate(ctx, 'mode=', a.mode) : '0644',
        ...(owner && { owner }),
        ...(group && { group }),
      },
      register: reg,
      ...when(),
      ...onFailure,
    });
  } else {
    tasks.push({
      name: 'run',
      'ansible.builtin.shell': `set -eo pipefail\n${translate(ctx, 'script', step.body)}`,
      args: { executable: BASH, ...(a.cwd !== undefined && { chdir: translate(ctx, 'cwd=', a.cwd) }) },
      register: reg,
      ...when(),
      ...onFailure,
      ...(a.secret && { no_log: true }),
    });
  }
  if (a.verify !== undefined) {
    tasks.push({
      name: 'verify',
      'ansible.builtin.shell': translate(ctx, 'verify=', a.verify),
      args: { executable: BASH },
      changed_when: false,
      ...when(a.continueOnError ? `${reg} is succeeded` : undefined),
      ...(a.continueOnError && { ignore_errors: true }),
    });
  }
  if (a.capture) {
    const value = `{{ ${reg}.stdout | trim }}`;
    const single = hosts.length === 1;
    tasks.push({
      name: `capture ${a.capture}`,
      'ansible.builtin.set_fact': { [a.capture]: value },
      ...(single && { delegate_to: '{{ item }}', delegate_facts: true, loop: "{{ groups['all'] }}" }),
      ...when(a.continueOnError ? `${reg} is succeeded` : undefined),
      ...(a.secret && { no_log: true }),
    });
  }
  return {
    name: `${step.id}: ${step.title}`,
    hosts: local ? 'localhost' : step.hosts,
    ...(local && { connection: 'local' }),
    gather_facts: false,
    ...(withDefaults && { roles: [DEFAULTS_ROLE] }),
    ...(a.sudo && { become: true }),
    ...(a.serial !== undefined && { serial: a.serial }),
    ...(a.throttle !== undefined && { throttle: a.throttle }),
    ...(!a.continueOnError && { any_errors_fatal: true }),
    tasks,
  };
}

/** What the translation must know of the runbook and the inventory to refuse what would differ. */
function jinjaContext(runbook: Runbook, inventory: Inventory): JinjaContext {
  const captures = new Map<string, 'global' | 'host'>();
  for (const s of runbook.steps) {
    if (!s.attrs.capture) continue;
    let single = false;
    try {
      single = resolvePattern(inventory, s.hosts).hosts.length === 1;
    } catch {
      /* refused with the step */
    }
    if (single || !captures.has(s.attrs.capture)) captures.set(s.attrs.capture, single ? 'global' : 'host');
  }
  const inventoryVars = new Set<string>();
  const nonScalarVars = new Set<string>();
  const scalar = (v: unknown): boolean => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  for (const [k, v] of Object.entries(runbook.vars)) if (!scalar(v)) nonScalarVars.add(k);
  for (const h of inventory.hosts) {
    for (const [k, v] of Object.entries(h.vars)) {
      inventoryVars.add(k);
      if (!scalar(v)) nonScalarVars.add(k);
    }
  }
  return { captures, inventoryVars, nonScalarVars };
}

/** Export the runbook; throws ExportRefused naming every step that cannot be exported faithfully. */
export function exportAnsible(runbook: Runbook, inventory: Inventory): AnsibleExport {
  const plays: Record<string, unknown>[] = [];
  const refusals: Refusal[] = [];
  const context = jinjaContext(runbook, inventory);
  const fmVars: Record<string, unknown> = {};
  const secretVars = Object.keys(runbook.vars).filter((k) => runbook.secretVars.includes(k) || isSecretName(k));
  for (const [k, v] of Object.entries(runbook.vars)) if (!secretVars.includes(k)) fmVars[k] = v;
  const withDefaults = Object.keys(fmVars).length > 0;
  runbook.steps.forEach((s, i) => {
    try {
      plays.push(playFor(s, inventory, i + 1, withDefaults, context));
    } catch (e) {
      if (!(e instanceof UnfaithfulError)) throw e;
      refusals.push({ step: s.id, file: s.loc.file, line: s.loc.line, reason: e.message });
    }
  });
  for (const [k, v] of Object.entries(fmVars)) {
    if (typeof v === 'string' && /\{\{|\{%/.test(v)) refusals.push({ step: `vars.${k}`, file: runbook.sources[0]?.file ?? runbook.path, line: 1, reason: 'a front matter value with template markup is rendered differently by Ansible' });
  }
  if (refusals.length) throw new ExportRefused(refusals);
  const header = `# Exported by runbook from ${runbook.title} (${runbook.steps.length} steps): one play per step, in order.\n# Run: ansible-playbook -i INVENTORY playbook.yml${secretVars.length ? ` -e ${secretVars.map((v) => `${v}=...`).join(' -e ')}` : ''}\n`;
  return {
    playbook: header + stringify(plays, { lineWidth: 0 }),
    ...(withDefaults && { defaults: `# Front matter vars of ${runbook.title}: role defaults, below every inventory var and out of hostvars, as in runbook\n${stringify(fmVars)}` }),
    secretVars,
  };
}
