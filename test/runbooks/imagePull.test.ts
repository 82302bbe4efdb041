// The troubleshooting runbook's image-pull check, as rendered, run by bash with stand-in `kubeadm`
// and `crictl` on PATH: it passes only when it pulled every image kubeadm listed, and fails (never
// "ok") when there was nothing it could check.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { RenderContext } from '../../src/engine/run/renderContext.js';
import { RUNBOOKS, exampleInventory } from './helpers.js';

let dir: string;
let script: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rb-imagepull-'));
  const runbook = await loadRunbook(join(RUNBOOKS, 'troubleshooting', 'kubeadm-init-timeout.md'));
  const ctx = new RenderContext(runbook, await exampleInventory(), {});
  const step = runbook.steps.find((s) => s.id === 'init-image-pull')!;
  const r = ctx.render(step, ctx.stepHosts(step)[0]!);
  script = r.script;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the step with only the given stand-ins (and the shell's basics) on PATH. */
function run(tools: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const bin = mkdtempSync(join(dir, 'bin-'));
  for (const [name, body] of Object.entries(tools)) writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('init-image-pull', () => {
  it('fails, saying why, when kubeadm is not installed (it checked nothing)', () => {
    const r = run({ crictl: 'exit 0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kubeadm could not list the images');
    expect(r.stdout).not.toContain('ok ');
  });

  it('fails when kubeadm lists no image', () => {
    const r = run({ kubeadm: 'exit 0', crictl: 'exit 0' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kubeadm listed no images');
  });

  it('passes when every listed image was pulled, naming each', () => {
    const r = run({ kubeadm: 'echo registry.k8s.io/pause:3.10; echo registry.k8s.io/etcd:3.5.21-0', crictl: 'exit 0' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok      registry.k8s.io/pause:3.10');
    expect(r.stdout).toContain('ok      registry.k8s.io/etcd:3.5.21-0');
  });

  it('fails naming the image that could not be pulled', () => {
    const r = run({ kubeadm: 'echo registry.k8s.io/pause:3.10; echo registry.k8s.io/etcd:3.5.21-0', crictl: 'case "$2" in *etcd*) exit 1;; esac' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FAILED  registry.k8s.io/etcd:3.5.21-0');
  });
});
