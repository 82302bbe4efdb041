// Runbooks exported to Ansible: every template the playbook carries, rendered by Ansible itself
// (ansible-playbook, debug tasks, nothing connects), is byte for byte what runbook renders for the
// same step on the same host of the k8s-ha example inventory. Checked on the whole k8s-ha build
// and on a runbook of the Liquid constructs whose meaning differs most between the two languages.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { RenderContext } from '../../src/engine/run/renderContext.js';
import type { Inventory, Runbook, Step } from '../../src/engine/types.js';
import { runCli, sharedTempDir } from '../helpers/cli.js';
import { EXAMPLE_INVENTORY, exampleInventory, K8S_HA } from '../runbooks/helpers.js';

const inventory: Inventory = await exampleInventory();
const CONSTRUCTS = join(import.meta.dirname, 'fixtures', 'liquid-constructs.md');

type Task = Record<string, unknown> & { name: string };
type Play = Record<string, unknown> & { hosts: string; tasks: Task[] };

/** What each step's templates render to per host: `field -> host -> text`, keyed by step index. */
type Renders = Map<number, Map<string, Map<string, string>>>;
const put = (r: Renders, step: number, field: string, host: string, text: string): void => {
  const byField = r.get(step) ?? new Map<string, Map<string, string>>();
  r.set(step, byField);
  const byHost = byField.get(field) ?? new Map<string, string>();
  byField.set(field, byHost);
  byHost.set(host, text);
};

/** A capture's stand-in value: the same in both tools. */
const captured = (name: string, host: string): string => `captured ${name} on ${host}`;

/** Each capture as runbook makes it: per host, or (from a single-host step) global. */
function captures(runbook: Runbook, ctx: RenderContext): { name: string; made: { host: string; value: string }[]; global: boolean }[] {
  return runbook.steps
    .filter((s) => s.attrs.capture)
    .map((s) => {
      const hosts = ctx.stepHosts(s);
      return { name: s.attrs.capture!, made: hosts.map((h) => ({ host: h.name, value: captured(s.attrs.capture!, h.name) })), global: hosts.length === 1 };
    });
}

/** runbook's side: RenderContext (what plan and the player render), every capture made. */
function runbookRenders(runbook: Runbook): Renders {
  const ctx = new RenderContext(runbook, inventory, {});
  for (const c of captures(runbook, ctx)) for (const m of c.made) ctx.addCapture(m.host, c.name, m.value, { global: c.global, secret: false });
  const out: Renders = new Map();
  runbook.steps.forEach((step, i) => {
    for (const h of ctx.stepHosts(step)) {
      const name = h.connection === 'local' ? 'localhost' : h.name;
      const r = ctx.render(step, h);
      if (r.file) {
        put(out, i, 'content', name, r.file.content);
        put(out, i, 'dest', name, r.file.path);
        if (r.file.mode) put(out, i, 'mode', name, r.file.mode);
      } else {
        // The playbook runs the prelude and the body; cwd is the shell task's chdir.
        put(out, i, 'script', name, `set -eo pipefail\n${r.shown}`);
        if (r.cwd !== undefined) put(out, i, 'chdir', name, r.cwd);
      }
      if (r.unless !== undefined) put(out, i, 'unless', name, r.unless);
      if (r.verify !== undefined) put(out, i, 'verify', name, r.verify);
    }
  });
  return out;
}

/** The strings a play's tasks template, by field (what runbookRenders calls them). */
function templates(play: Play, step: Step): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of play.tasks) {
    const shell = t['ansible.builtin.shell'] as string | undefined;
    const copy = t['ansible.builtin.copy'] as Record<string, string> | undefined;
    if (t.name === 'run') {
      out.script = shell!;
      const chdir = (t.args as Record<string, string>).chdir;
      if (chdir !== undefined) out.chdir = chdir;
    } else if (t.name === 'unless (already done?)') out.unless = shell!;
    else if (t.name === 'verify') out.verify = shell!;
    else if (copy) {
      out.content = copy.content;
      out.dest = copy.dest;
      if (step.attrs.mode) out.mode = copy.mode;
    }
  }
  return out;
}

/**
 * A playbook printing what the export's tasks template: first every capture as a fact (spread
 * like the export spreads it), then, for each hosts pattern of the export, one play (with the
 * export's roles) and one debug task whose msg holds every template of the steps on those hosts:
 * each string of a task's arguments is templated on its own, as in the exported tasks. (One task
 * per pattern instead of per step: Ansible forks a worker per host and task.)
 */
function renderPlaybook(runbook: Runbook, plays: Play[]): Play[] {
  const ctx = new RenderContext(runbook, inventory, {});
  const facts: Task[] = [];
  for (const c of captures(runbook, ctx)) {
    const value = c.global ? c.made[0].value : captured(c.name, '{{ inventory_hostname }}');
    const on = c.global ? 'all' : c.made.map((m) => m.host).join(',');
    facts.push({ name: `capture ${c.name}`, 'ansible.builtin.set_fact': { [c.name]: value }, when: `inventory_hostname in ${JSON.stringify(on === 'all' ? inventory.hosts.map((h) => h.name) : on.split(','))}` });
  }
  const byPattern = new Map<string, { play: Play; msg: Record<string, string> }>();
  plays.forEach((play, i) => {
    const key = `${play.hosts}|${String(play.connection ?? '')}`;
    let entry = byPattern.get(key);
    if (!entry) {
      const { tasks: _t, become: _b, any_errors_fatal: _a, serial: _s, throttle: _th, name: _n, ...rest } = play;
      entry = { play: { ...rest, name: `templates of the steps on ${play.hosts}`, tasks: [] }, msg: {} };
      entry.play.tasks.push({ name: 'templates', 'ansible.builtin.debug': { msg: entry.msg } });
      byPattern.set(key, entry);
    }
    for (const [field, text] of Object.entries(templates(play, runbook.steps[i]))) entry.msg[`${i}|${field}`] = text;
  });
  return [{ name: 'captures', hosts: 'all', gather_facts: false, tasks: facts }, ...[...byPattern.values()].map((e) => e.play)];
}

function ansibleRenders(playbook: string, cwd: string): Promise<Renders> {
  const env = {
    ...process.env,
    ANSIBLE_CONFIG: join(cwd, 'no-such-ansible.cfg'),
    ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json',
    // Nothing here opens a connection (debug and set_fact run in the controller); local keeps it so.
    ANSIBLE_TRANSPORT: 'local',
    ANSIBLE_LOCAL_TEMP: join(cwd, '.ansible-local'),
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORKS: '5',
  };
  return new Promise((resolve, reject) => {
    const p = spawn('ansible-playbook', ['-i', EXAMPLE_INVENTORY, playbook], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ansible-playbook exited ${code}\n${stderr}\n${stdout.slice(-4000)}`));
      const out: Renders = new Map();
      const result = JSON.parse(stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, { msg?: unknown }> }[] }[] };
      for (const play of result.plays) {
        for (const t of play.tasks) {
          if (t.task.name !== 'templates') continue;
          for (const [host, r] of Object.entries(t.hosts)) {
            for (const [key, text] of Object.entries(r.msg as Record<string, unknown>)) {
              const [, step, field] = /^(\d+)\|(.+)$/.exec(key)!;
              put(out, Number(step), field, host, typeof text === 'string' ? text : JSON.stringify(text));
            }
          }
        }
      }
      resolve(out);
    });
  });
}

/** The export of `path` renders every template, step by step and host by host, as runbook does. */
async function describeRendering(title: string, path: string): Promise<void> {
  const runbook = await loadRunbook(path);
  describe(title, () => {
    let expected: Renders;
    let actual: Renders;
    let plays: Play[];

    beforeAll(async () => {
      const dir = sharedTempDir();
      const ex = await runCli(['export', 'ansible', path, '-i', EXAMPLE_INVENTORY, '--no-ssh-config', '-o', dir]);
      expect(ex.code, ex.stdout + ex.stderr).toBe(0);
      plays = parse(readFileSync(join(dir, 'playbook.yml'), 'utf8')) as Play[];
      writeFileSync(join(dir, 'render.yml'), stringify(renderPlaybook(runbook, plays), { lineWidth: 0 }));
      expected = runbookRenders(runbook);
      actual = await ansibleRenders(join(dir, 'render.yml'), dir);
    }, 600_000);

    it('exports every step, one play per step in order', () => {
      expect(plays.map((p) => String(p.name).split(':')[0])).toEqual(runbook.steps.map((s) => s.id));
    });

    it.each(runbook.steps.map((s, i) => [s.id, i] as const))('%s: every template renders byte for byte as runbook renders it, on every host', (_id, i) => {
      const asObject = (r: Map<string, Map<string, string>> | undefined) => Object.fromEntries([...(r ?? [])].map(([f, hosts]) => [f, Object.fromEntries(hosts)]));
      const want = asObject(expected.get(i));
      expect(Object.keys(want).length).toBeGreaterThan(0);
      expect(asObject(actual.get(i))).toEqual(want);
    });
  });
}

await describeRendering('export ansible: every step of the k8s-ha build renders the same text under Ansible as under runbook', K8S_HA);
await describeRendering('export ansible: Liquid truthiness, right-to-left and/or, loops, forloop, assign, filters, raw and comments render the same under Ansible', CONSTRUCTS);
