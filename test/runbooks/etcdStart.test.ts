// k8s-ha's etcd-start step as rendered, run against a stand-in systemctl: a member still waiting
// for its peers (activating) is left alone, a retry after a start that timed out starts it again,
// and data the build did not create is refused. The step's fixed paths (/etc/etcd/...) live in a
// tmpfs over /etc inside a private mount namespace, so this machine's /etc is never touched.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { RenderContext, type RealRender } from '../../src/engine/run/renderContext.js';
import { K8S_HA, exampleInventory } from './helpers.js';

let dir: string;
let bin: string;
let data: string;
let start: RealRender;
let envFile: string;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rb12-etcd-start-'));
  bin = join(dir, 'bin');
  data = join(dir, 'data');
  mkdirSync(bin);
  // systemctl stand-in: is-active answers $FAKE_STATE, everything else is logged.
  writeFileSync(join(bin, 'systemctl'), '#!/bin/sh\nif [ "$1" = is-active ]; then echo "$FAKE_STATE"; [ "$FAKE_STATE" = active ]; exit; fi\necho "systemctl $*" >> "$SYSTEMCTL_LOG"\n', { mode: 0o755 });
  const runbook = await loadRunbook(K8S_HA);
  const inventory = await exampleInventory();
  const ctx = new RenderContext(runbook, inventory, { etcd_data_dir: data });
  ctx.placeholderCaptures(runbook.steps);
  const host = ctx.stepHosts(runbook.steps.find((s) => s.id === 'etcd-start')!)[0]!;
  start = ctx.render(runbook.steps.find((s) => s.id === 'etcd-start')!, host);
  const env = ctx.render(runbook.steps.find((s) => s.id === 'etcd-env-file')!, host).file!.content;
  envFile = join(dir, 'etcd.env');
  writeFileSync(envFile, env);
  token = /^ETCD_INITIAL_CLUSTER_TOKEN=(.*)$/m.exec(env)![1]!;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (extra: Record<string, string>) => ({ ...process.env, PATH: `${bin}:${process.env.PATH}`, SYSTEMCTL_LOG: join(dir, 'systemctl.log'), ...extra });

/** The step body with /etc replaced by an empty tmpfs holding etcd.env and, optionally, the marker. */
function runStart(opts: { memberData: boolean; marker?: string }): { status: number | null; stdout: string; stderr: string; log: string } {
  rmSync(data, { recursive: true, force: true });
  if (opts.memberData) mkdirSync(join(data, 'member'), { recursive: true });
  writeFileSync(join(dir, 'systemctl.log'), '');
  const setup = ['mount -t tmpfs rb12 /etc', 'mkdir /etc/etcd', `cp "${envFile}" /etc/etcd/etcd.env`, ...(opts.marker !== undefined ? [`printf '%s\\n' "${opts.marker}" > /etc/etcd/k8s-ha-cluster`] : []), 'bash -c "$1"', 'echo "marker: $(cat /etc/etcd/k8s-ha-cluster)"'].join(' && ');
  const r = spawnSync('unshare', ['-m', 'sh', '-c', setup, 'etcd-start', start.script], { encoding: 'utf8', env: env({}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, log: readFileSync(join(dir, 'systemctl.log'), 'utf8') };
}

describe('k8s-ha etcd-start', () => {
  it('is skipped while etcd is active or still activating (waiting for its peers)', () => {
    const guard = (state: string) => spawnSync('bash', ['-c', start.unless!], { env: env({ FAKE_STATE: state }) }).status;
    expect(guard('activating')).toBe(0);
    expect(guard('active')).toBe(0);
    expect(guard('failed')).not.toBe(0);
    expect(guard('inactive')).not.toBe(0);
  });

  it('starts a fresh member and marks the data directory as the build\'s own', () => {
    const r = runStart({ memberData: false });
    expect(r.status, r.stderr).toBe(0);
    expect(r.log).toContain('systemctl start --no-block etcd');
    expect(r.stdout).toContain(`marker: ${token}\n`);
  });

  it('starts again a member whose earlier start (by this build) timed out: its data is not "earlier etcd data"', () => {
    const r = runStart({ memberData: true, marker: token });
    expect(r.status, r.stderr).toBe(0);
    expect(r.log).toContain('systemctl start --no-block etcd');
  });

  it('refuses data this build did not create, and starts nothing', () => {
    for (const marker of [undefined, 'another-cluster']) {
      const r = runStart({ memberData: true, marker });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/already exists .* not created by this build/);
      expect(r.log).toBe('');
    }
  });
});
