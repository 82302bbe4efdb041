// What each command loads at start-up (issue 11): the built CLI (bin/runbook -> dist/bundle/) is run
// with a loader hook that records every module file it loads, and the bundle's metafile says which
// packages and sources each loaded file holds. Start-up time itself is measured by `npm run bench`
// (no test here asserts on a duration).
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const HOOK = join(ROOT, 'test', 'helpers', 'recordLoads.mjs');
const QUICKSTART = join(ROOT, 'runbooks', 'quickstart.md');
const HA = join(ROOT, 'runbooks', 'k8s-ha');
const HA_INVENTORY = join(HA, 'inventory.example.yaml');

interface Metafile {
  readonly outputs: Record<string, { readonly inputs: Record<string, unknown> }>;
}

/** Run the CLI; the packages (node_modules/NAME), our source files (dist/...) and Node's own modules (child_process, internal/deps/undici/undici...) it loaded. */
function loadsOf(args: readonly string[]): { code: number | null; stdout: string; files: string[]; packages: Set<string>; sources: Set<string>; builtins: Set<string> } {
  const record = join(mkdtempSync(join(tmpdir(), 'rb-loads-')), 'loads.txt');
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    env: { ...process.env, RUNBOOK_TEST_LOADS: record, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'meta.json'), 'utf8')) as Metafile;
  const lines = readFileSync(record, 'utf8').split('\n');
  const files = lines.filter((u) => u.startsWith('file:')).map((u) => relative(ROOT, fileURLToPath(u)));
  const builtins = new Set(lines.filter((u) => u.startsWith('builtin:')).map((u) => u.slice('builtin:'.length)));
  const inputs = files.flatMap((f) => (meta.outputs[f] ? Object.keys(meta.outputs[f].inputs) : [f]));
  const packages = new Set(inputs.filter((i) => i.startsWith('node_modules/')).map((i) => i.split('/')[1]));
  const sources = new Set(inputs.filter((i) => i.startsWith('dist/')));
  return { code: r.status, stdout: r.stdout, files, packages, sources, builtins };
}

const PLAYER_ONLY = ['ink', 'react', 'react-reconciler', 'marked', 'marked-terminal', 'ink-spinner', 'yoga-layout'];

describe('start-up: each command loads only what it needs', () => {
  it('--version prints the package version and loads no package at all (not even commander)', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const r = loadsOf(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
    expect([...r.packages]).toEqual([]);
    expect([...r.sources].filter((s) => s.startsWith('dist/cli/commands/'))).toEqual([]);
  });

  it('-V is --version too', () => {
    const r = loadsOf(['-V']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('status and plan start from their CommonJS quick bundle (bin/quick.cjs), not from the ES module bundle', () => {
    for (const command of ['status', 'plan']) {
      const r = loadsOf([command, HA, '-i', HA_INVENTORY]);
      expect(r.code).toBe(0);
      expect(r.files.filter((f) => f.startsWith('dist/'))).toEqual([`dist/bundle/quick/${command}.cjs`]);
    }
  });

  it('status loads neither the player (Ink, React, marked), nor templating (liquidjs), nor ssh2; nor string-width for ASCII host names and step ids', () => {
    const r = loadsOf(['status', HA, '-i', HA_INVENTORY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('host-steps done');
    for (const p of [...PLAYER_ONLY, 'liquidjs', 'ssh2', 'zustand', 'string-width']) expect(r.packages, p).not.toContain(p);
    expect(r.sources).not.toContain('dist/cli/commands/run.js');
    expect(r.sources).not.toContain('dist/engine/transport/ssh.js');
  });

  // (node:net itself is loaded here anyway: the test reads standard output through a pipe, a socket.)
  it('status does not load node:child_process (nor dgram with it): commander and ssh-config load it only to start a process', () => {
    const r = loadsOf(['status', HA, '-i', HA_INVENTORY]);
    expect(r.code).toBe(0);
    expect(r.builtins).toContain('fs'); // the record holds Node's modules
    for (const m of ['child_process', 'dgram']) expect(r.builtins, m).not.toContain(m);
  });

  it('status of a runbook never played, printing to a file, loads neither node:crypto, nor node:fs/promises, nor Node\'s streams, and prints what it prints to a pipe', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-builtins-'));
    cpSync(HA, join(dir, 'k8s-ha'), { recursive: true });
    const args = ['status', join(dir, 'k8s-ha'), '-i', join(dir, 'k8s-ha', 'inventory.example.yaml')];
    const record = join(dir, 'builtins.txt');
    const outFile = join(dir, 'status.txt');
    const fd = openSync(outFile, 'w');
    let r;
    try {
      r = spawnSync(process.execPath, ['-r', join(ROOT, 'test', 'helpers', 'builtinsAtExit.cjs'), BIN, ...args], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, RUNBOOK_TEST_BUILTINS: record }, encoding: 'utf8', timeout: 60_000 });
    } finally {
      closeSync(fd);
    }
    expect(r.status, r.stderr).toBe(0);
    const builtins = readFileSync(record, 'utf8').split('\n');
    expect(builtins).toContain('fs'); // the record holds Node's modules
    for (const m of ['crypto', 'fs/promises', 'stream', 'internal/fs/sync_write_stream']) expect(builtins, m).not.toContain(m);
    expect(existsSync(join(dir, '.runbook')), 'a command that only reads creates nothing').toBe(false);
    const piped = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(piped.status).toBe(0);
    expect(readFileSync(outFile, 'utf8')).toBe(piped.stdout);
    expect(piped.stdout).toContain('0/275 host-steps done.');
  });

  it('plan of the HA build does not load node:child_process', () => {
    const r = loadsOf(['plan', HA, '-i', HA_INVENTORY]);
    expect(r.code).toBe(0);
    expect(r.builtins).not.toContain('child_process');
  });

  it('the player\'s bundle holds highlight.js\' core and the common languages, not its index of all 190', () => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'meta.json'), 'utf8')) as Metafile;
    const inputs = new Set(Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs)));
    const languages = [...inputs].filter((i) => i.startsWith('node_modules/highlight.js/lib/languages/')).map((i) => i.replace(/^.*\//, '').replace(/\.js$/, ''));
    expect(inputs).toContain('node_modules/highlight.js/lib/core.js');
    expect(inputs).not.toContain('node_modules/highlight.js/lib/index.js');
    for (const l of ['bash', 'shell', 'yaml', 'ini', 'json', 'dockerfile', 'nginx', 'python']) expect(languages, l).toContain(l);
    expect(languages.length).toBeLessThan(50);
  });

  it('status takes zod from zod/mini: the classic zod API is never loaded', () => {
    const r = loadsOf(['status', QUICKSTART]);
    expect(r.code).toBe(0);
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'meta.json'), 'utf8')) as Metafile;
    const classic = Object.values(meta.outputs).some((o) => Object.keys(o.inputs).some((i) => i.startsWith('node_modules/zod/v4/classic/')));
    expect(classic).toBe(false);
  });

  it('plan renders steps (liquidjs) without loading the player or ssh2', () => {
    const r = loadsOf(['plan', QUICKSTART]);
    expect(r.code).toBe(0);
    expect(r.packages).toContain('liquidjs');
    for (const p of [...PLAYER_ONLY, 'ssh2']) expect(r.packages, p).not.toContain(p);
  });

  it('--help still comes from commander and lists the commands', () => {
    const r = loadsOf(['--help']);
    expect(r.code).toBe(0);
    expect(r.packages).toContain('commander');
    expect(r.stdout).toMatch(/^ +status \[options\] <path> /m);
  });
});
