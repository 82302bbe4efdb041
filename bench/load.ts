// `npm run bench:load`: the load figures of docs/reliability.md. Prints each figure and exits 1
// when a threshold is missed.
//   A. LOAD_HOSTS (100) loopback sshd hosts × LOAD_STEPS (50) trivial steps with `runbook run`:
//      completes, peak RSS of the player < 300 MB, per-step overhead against the raw ssh2 floor.
//   B. A step writing FLOOD_MB (500) MB to stdout on FLOOD_HOSTS (5) hosts at once: peak RSS
//      < 300 MB and every log on disk equal byte for byte (sha256) to what the step printed.
//   C. The TUI (src/ui App, ink-testing-library) over TUI_STEPS (500) steps × TUI_HOSTS (20)
//      hosts: time from loading the runbook text to the first frame, target < 1 s.
// Set LOAD_ONLY=A,B,C to run a subset.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { startSshHosts } from '../test/helpers/sshd.js';
import { expectedSha256, generatorCommand, stepLogOutputSha256, repoRoot, runMeasured, trivialRunbook } from './loadLib.js';
import { App } from '../src/ui/App.js';
import { parseRunbookText } from '../src/engine/parser/load.js';
import { parseInventory } from '../src/engine/inventory/inventory.js';
import { openState } from '../src/engine/state/stateFile.js';
import { resolveStatePaths } from '../src/engine/state/paths.js';
import { createRunStore } from '../src/engine/store.js';
import { createPlayer } from '../src/engine/run/player.js';
import { createLocalTransport } from '../src/engine/transport/local.js';

const RSS_LIMIT_MB = 300;
const FIRST_FRAME_LIMIT_MS = 1000;
const num = (name: string, dflt: number): number => Number(process.env[name] ?? dflt);
const only = (process.env.LOAD_ONLY ?? 'A,B,C').split(',');
const root = repoRoot();
const failures: string[] = [];

function figure(label: string, value: string, ok: boolean | undefined, limit?: string): void {
  const mark = ok === undefined ? ' ' : ok ? '✓' : '✗';
  process.stdout.write(`${mark} ${label}: ${value}${limit ? `  (limit ${limit})` : ''}\n`);
  if (ok === false) failures.push(label);
}

function workDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'runbook-load-'));
  chmodSync(d, 0o777);
  return d;
}

async function manyHosts(): Promise<void> {
  const HOSTS = num('LOAD_HOSTS', 100);
  const STEPS = num('LOAD_STEPS', 50);
  process.stdout.write(`\nA. ${HOSTS} hosts × ${STEPS} steps, runbook run --forks ${HOSTS}\n`);
  const fx = await startSshHosts(HOSTS, { namePrefix: 'a', net: process.env.BENCH_NET });
  const dir = workDir();
  try {
    const inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, fx.inventoryYaml());
    const rb = join(dir, 'many.md');
    writeFileSync(rb, trivialRunbook(STEPS));
    const r = await runMeasured(['run', rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(dir, 'state.jsonl'), '--forks', String(HOSTS)], { cwd: dir });
    figure('runbook run exit code', String(r.code), r.code === 0, '0');
    if (r.code !== 0) process.stderr.write(r.stdout.slice(-3000) + r.stderr.slice(-3000));
    figure('peak RSS of the player', `${r.peakRssMb.toFixed(1)} MB`, r.peakRssMb < RSS_LIMIT_MB, `${RSS_LIMIT_MB} MB`);
    figure('runbook run wall time', `${(r.wallMs / 1000).toFixed(2)} s`, undefined);

    const hostsJson = join(dir, 'hosts.json');
    writeFileSync(hostsJson, JSON.stringify(fx.hosts.map((h) => ({ address: h.address, port: h.port, user: fx.user, key: fx.privateKeyFile }))));
    const t0 = process.hrtime.bigint();
    const f = spawnSync(process.execPath, [join(root, 'dist-bench', 'bench', 'floor.js'), hostsJson, String(STEPS)], { encoding: 'utf8' });
    const floorMs = Number(process.hrtime.bigint() - t0) / 1e6;
    figure('raw ssh2 floor exit code', String(f.status), f.status === 0, '0');
    figure('raw ssh2 floor wall time', `${(floorMs / 1000).toFixed(2)} s`, undefined);
    figure('per-step overhead over the floor', `${((r.wallMs - floorMs) / STEPS).toFixed(1)} ms per step (all ${HOSTS} hosts), ${(r.wallMs / floorMs).toFixed(2)}× the floor`, undefined);
  } finally {
    await fx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function flood(): Promise<void> {
  const HOSTS = num('FLOOD_HOSTS', 5);
  const BYTES = num('FLOOD_MB', 500) * 1024 * 1024;
  process.stdout.write(`\nB. ${BYTES / 1024 / 1024} MB of stdout on ${HOSTS} hosts at once\n`);
  const fx = await startSshHosts(HOSTS, { namePrefix: 'f', net: process.env.BENCH_NET });
  const dir = workDir();
  try {
    const inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, fx.inventoryYaml());
    const rb = join(dir, 'flood.md');
    writeFileSync(rb, `# Flood\n\n\`\`\`bash {id=flood hosts=all}\n${generatorCommand(BYTES)}\n\`\`\`\n`);
    const [r, want] = await Promise.all([
      runMeasured(['run', rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(dir, 'state.jsonl')], { cwd: dir }),
      expectedSha256(BYTES),
    ]);
    figure('runbook run exit code', String(r.code), r.code === 0, '0');
    if (r.code !== 0) process.stderr.write(r.stdout.slice(-3000) + r.stderr.slice(-3000));
    figure('peak RSS of the player', `${r.peakRssMb.toFixed(1)} MB`, r.peakRssMb < RSS_LIMIT_MB, `${RSS_LIMIT_MB} MB`);
    figure('wall time', `${(r.wallMs / 1000).toFixed(2)} s (${((HOSTS * BYTES) / 1024 / 1024 / (r.wallMs / 1000)).toFixed(0)} MB/s through the player)`, undefined);
    let same = 0;
    for (const h of fx.hosts) {
      let log: { sha256: string; bytes: number };
      try {
        log = stepLogOutputSha256(join(dir, 'logs', 'flood', 'flood', `${h.name}.1.log`));
      } catch {
        log = { sha256: 'missing', bytes: 0 };
      }
      if (log.sha256 === want && log.bytes === BYTES) same++;
      else process.stderr.write(`${h.name}: log has ${log.bytes} bytes, sha256 ${log.sha256}; expected ${BYTES} bytes, ${want}\n`);
    }
    figure('logs equal byte for byte (sha256) to the output', `${same}/${HOSTS}`, same === HOSTS, `${HOSTS}/${HOSTS}`);
  } finally {
    await fx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function firstFrame(): Promise<void> {
  const STEPS = num('TUI_STEPS', 500);
  const HOSTS = num('TUI_HOSTS', 20);
  const REPEAT = num('TUI_REPEAT', 5);
  process.stdout.write(`\nC. TUI first frame, ${STEPS} steps (in ${STEPS / 10} sections) × ${HOSTS} hosts, median of ${REPEAT}\n`);
  const sections: string[] = ['---', 'title: Big runbook', '---', ''];
  for (let s = 1; s <= STEPS; s++) {
    if (s % 10 === 1) sections.push(`## Section ${Math.ceil(s / 10)}`, '', 'Some **text** explaining the steps below, with `code` and a [link](https://example.com).', '');
    sections.push('```bash {id=s' + s + ' hosts=all}', `echo step ${s} on {{ host.name }}`, '```', '');
  }
  const text = sections.join('\n');
  const invYaml = ['all:', '  hosts:', ...Array.from({ length: HOSTS }, (_, i) => `    t${i + 1}:\n      ansible_host: 127.0.0.1`)].join('\n') + '\n';
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const dir = workDir();
    const rb = join(dir, 'big.md');
    const t0 = process.hrtime.bigint();
    const runbook = parseRunbookText(text, rb);
    const inventory = parseInventory(invYaml, join(dir, 'inv.yaml'));
    const paths = resolveStatePaths(rb, { stateFile: join(dir, 'state.jsonl') });
    const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'write' });
    const store = createRunStore({ runbook, inventory, records: state.snapshot() });
    const controller = createPlayer({ runbook, inventory, transport: createLocalTransport(), state, paths, store });
    const r = render(React.createElement(App, { store, controller, stateDir: paths.dir, onQuit: () => undefined, width: 120, height: 40 }));
    while (!(r.lastFrame() ?? '').includes('Big runbook')) {
      if (Number(process.hrtime.bigint() - t0) / 1e6 > 30_000) throw new Error(`no first frame after 30 s:\n${r.lastFrame()}`);
      await new Promise<void>((res) => setImmediate(res));
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    r.unmount();
    await controller.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  figure('time to first frame (parse + state + store + render)', `median ${median.toFixed(0)} ms, first (cold) ${times[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`, median < FIRST_FRAME_LIMIT_MS && times[0] < FIRST_FRAME_LIMIT_MS, `${FIRST_FRAME_LIMIT_MS} ms`);
}

process.stdout.write(`runbook load benchmark (${new Date().toISOString().slice(0, 10)}, node ${process.version})\n`);
if (only.includes('A')) await manyHosts();
if (only.includes('B')) await flood();
if (only.includes('C')) await firstFrame();
process.stdout.write(failures.length ? `\nFAILED: ${failures.join(', ')}\n` : '\nall load thresholds met\n');
process.exit(failures.length ? 1 : 0);
