// k8s-ha's containerd steps as rendered, against the version strings the packages print: the
// configuration format follows the installed containerd (2.x: version 3, 1.x: version 2) and the
// install step's verify accepts only the pinned release. A stand-in `containerd --version` is used
// (containerd 2.x is not installable from Debian); the step's /etc/containerd paths live on a tmpfs
// over /etc in a private mount namespace, so this machine's /etc is never touched.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { RenderContext, type RealRender } from '../../src/engine/run/renderContext.js';
import type { Runbook } from '../../src/engine/types.js';
import { K8S_HA, exampleInventory } from './helpers.js';

const CONTAINERD_IO_2 = 'containerd containerd.io 2.2.1 dea7da592f5d1d2b7755e3a161be07f43fad8f75';
const CONTAINERD_IO_17 = 'containerd containerd.io 1.7.28 b98a3aace656320842a23f4a392a33f46af97866';
const DEBIAN_16 = 'containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3';

let dir: string;
let runbook: Runbook;
let ctx: RenderContext;
const render = (id: string): RealRender => {
  const step = runbook.steps.find((s) => s.id === id)!;
  return ctx.render(step, ctx.stepHosts(step)[0]!);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rb12-containerd-'));
  runbook = await loadRunbook(K8S_HA);
  ctx = new RenderContext(runbook, await exampleInventory(), {});
  ctx.placeholderCaptures(runbook.steps);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PATH whose `containerd --version` prints `version`. */
function fakeContainerd(version: string): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  writeFileSync(join(bin, 'containerd'), `#!/bin/sh\necho '${version}'\n`, { mode: 0o755 });
  return `${bin}:${process.env.PATH}`;
}

/** Runs the containerd-config step with both rendered formats in place; returns the installed file. */
function select(version: string): { status: number | null; installed: string; stderr: string } {
  const files = ['containerd-config-v3', 'containerd-config-v2'].map((id) => render(id).file!);
  const staged = mkdtempSync(join(dir, 'staged-'));
  for (const f of files) writeFileSync(join(staged, f.path.split('/').pop()!), f.content);
  const setup = [
    'mount -t tmpfs rb12 /etc',
    'mkdir -p /etc/containerd/k8s-ha',
    `cp "${staged}"/*.toml /etc/containerd/k8s-ha/`,
    'bash -c "$1"',
    'cat /etc/containerd/config.toml',
  ].join(' && ');
  const r = spawnSync('unshare', ['-m', 'sh', '-c', setup, 'containerd-config', render('containerd-config').script], { encoding: 'utf8', env: { ...process.env, PATH: fakeContainerd(version) } });
  return { status: r.status, installed: r.stdout, stderr: r.stderr };
}

describe('k8s-ha containerd configuration by installed version', () => {
  it('installs the version-3 file for containerd 2.x', () => {
    const r = select(CONTAINERD_IO_2);
    expect(r.status, r.stderr).toBe(0);
    expect(r.installed).toMatch(/^version = 3$/m);
    expect(r.installed).toContain("io.containerd.cri.v1.runtime");
  });

  it('installs the version-2 file for containerd 1.7', () => {
    const r = select(CONTAINERD_IO_17);
    expect(r.status, r.stderr).toBe(0);
    expect(r.installed).toMatch(/^version = 2$/m);
    expect(r.installed).toContain('io.containerd.grpc.v1.cri');
  });

  it('the install step accepts the pinned release only (containerd_version is a prefix of whole components)', () => {
    const verify = render('containerd-install').verify!;
    expect(verify).toContain('"^2.2[.]"');
    const ok = (version: string) => spawnSync('bash', ['-c', verify], { env: { ...process.env, PATH: fakeContainerd(version) } }).status === 0;
    expect(ok(CONTAINERD_IO_2)).toBe(true);
    expect(ok('containerd containerd.io 2.20.0 abc')).toBe(false);
    expect(ok(CONTAINERD_IO_17)).toBe(false);
    expect(ok(DEBIAN_16)).toBe(false);
  });

  it('the install step refuses containerd older than 1.7 (after installing the pinned package)', () => {
    const script = render('containerd-install').script;
    // Only the version check, after the package manager lines: the tail of the script from `version=`.
    const check = script.slice(script.indexOf('version=$(containerd --version'));
    const r = spawnSync('bash', ['-c', `set -euo pipefail\n${check}`], { encoding: 'utf8', env: { ...process.env, PATH: fakeContainerd(DEBIAN_16) } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/containerd 1\.6\.20 is older than 1\.7/);
  });
});
