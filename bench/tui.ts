// `npm run bench` (TUI part): the player's first frame for 500 steps x 200 hosts, key-to-frame
// latency idle and while 30 hosts stream heavy output, and bytes written to the terminal per idle
// second. The player runs in-process on fake TTY streams (the terminal writer is the real one);
// the heavy output is fed into the run store at the engine's own batching rate (one chunk per
// host every 50 ms), so the figures are the UI's cost, not the hosts'.
// Env: TUI_STEPS (500), TUI_HOSTS (200), TUI_KEYS (40), TUI_STREAM_HOSTS (30), TUI_CHUNK (16384).
import { PassThrough } from 'node:stream';
import React from 'react';
import { Box, render, Text } from 'ink';
import { App } from '../src/ui/App.js';
import { createFrameWriter } from '../src/ui/frameWriter.js';
import { plainTheme } from '../src/ui/theme.js';
import { parseRunbookText } from '../src/engine/parser/load.js';
import { parseInventory } from '../src/engine/inventory/inventory.js';
import { appendLive, createRunStore, setMode, setRecord, type RunStore } from '../src/engine/store.js';
import type { PlayerController } from '../src/engine/run/types.js';

const STEPS = Number(process.env.TUI_STEPS ?? 500);
const HOSTS = Number(process.env.TUI_HOSTS ?? 200);
const KEYS = Number(process.env.TUI_KEYS ?? 40);
const STREAM_HOSTS = Number(process.env.TUI_STREAM_HOSTS ?? 30);
const CHUNK = Number(process.env.TUI_CHUNK ?? 16384);
const COLS = 200;
const ROWS = 60;

function runbookText(): string {
  const out = ['---', 'title: TUI bench', '---', ''];
  for (let s = 0; s < STEPS; s++) {
    if (s % 10 === 0) out.push(`## Part ${s / 10}`, '', 'Some *prose* with `code` and a [link](https://example.com).', '');
    out.push(`\`\`\`bash {id=step-${String(s).padStart(3, '0')}}`, `echo step ${s} on {{ host.name }}`, '```', '');
  }
  return out.join('\n');
}

function inventoryText(): string {
  const hosts = Array.from({ length: HOSTS }, (_, i) => `    h${i + 1}: {ansible_connection: local}`);
  return ['all:', '  hosts:', ...hosts, ''].join('\n');
}

function fakeTty(): { stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream; frames: { t: number; text: string }[] } {
  const frames: { t: number; text: string }[] = [];
  const stdout = new PassThrough() as unknown as NodeJS.WriteStream;
  Object.assign(stdout, { columns: COLS, rows: ROWS, isTTY: true, write: (s: string) => { frames.push({ t: performance.now(), text: s }); return true; } });
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  Object.assign(stdin, { isTTY: true, isRaw: false, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
  return { stdout, stdin, frames };
}

function controllerFor(store: RunStore): PlayerController {
  const hosts = store.getState().inventory.hosts;
  return {
    targets: () => hosts,
    render: (stepId, host) => ({ ok: true, host, script: `echo ${stepId} on ${host}` }),
    runStep: async () => ({ stepId: '', hosts: {}, failed: false, aborted: false }),
    play: async () => ({ kind: 'end' }),
    pause: () => undefined, abort: () => undefined,
    skip: async () => undefined, markDone: async () => undefined, reset: async () => undefined,
    setVar: () => undefined, saveVar: async () => '', missingVars: () => [], previousText: () => undefined,
    close: async () => undefined,
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const until = async (cond: () => boolean, ms = 10_000): Promise<void> => {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise<void>((r) => setImmediate(r));
  }
};

/** Press j `KEYS` times; each latency is from the key to the frame write showing the new selection. */
async function keyLatencies(stdin: NodeJS.ReadStream, frames: { t: number; text: string }[]): Promise<number[]> {
  const out: number[] = [];
  for (let k = 1; k <= KEYS; k++) {
    const want = `› step-${String(k).padStart(3, '0')}`;
    const from = frames.length;
    const t0 = performance.now();
    stdin.write('j');
    await until(() => frames.slice(from).some((f) => f.text.includes(want))).catch((e: unknown) => {
      process.stderr.write(`no frame with "${want}" after the key; ${frames.length - from} frames since, last:\n${frames.at(-1)?.text.slice(0, 3000)}\n`);
      throw e;
    });
    out.push(frames.slice(from).find((f) => f.text.includes(want))!.t - t0);
  }
  return out;
}

const t0 = performance.now();
const runbook = parseRunbookText(runbookText(), '/bench/tui.md');
const inventory = parseInventory(inventoryText(), '/bench/inventory.yaml');
const store = createRunStore({ runbook, inventory });
const { stdout, stdin, frames } = fakeTty();
const screen = createFrameWriter(stdout);
const instance = render(React.createElement(App, { store, controller: controllerFor(store), stateDir: '/nonexistent', onQuit: () => undefined, theme: plainTheme }), {
  stdout: screen, stdin, exitOnCtrlC: false, debug: true, patchConsole: false,
});
await until(() => frames.length > 0);
const firstFrameMs = frames[0].t - t0;

// Idle: nothing runs, no key is pressed. Two windows: the first 5 s after the first frame hold
// the one redraw of the document pane once Markdown has loaded (it loads after the first frame);
// the next 5 s are the steady idle the target is about.
const idleBytes0 = screen.bytesWritten;
const settleFrames0 = frames.length;
await new Promise<void>((r) => setTimeout(r, 5000));
const settleBytes = screen.bytesWritten - idleBytes0;
const settleFrames = frames.length - settleFrames0;
const idleBytes1 = screen.bytesWritten;
await new Promise<void>((r) => setTimeout(r, 5000));
const idleBytesPerSec = (screen.bytesWritten - idleBytes1) / 5;

let cpu0 = process.cpuUsage();
let frames0 = frames.length;
const idle = await keyLatencies(stdin, frames);
const idleCpu = process.cpuUsage(cpu0);
const idleFrames = frames.length - frames0;

// 30 hosts streaming: one CHUNK of output per host every 50 ms (the engine's batching interval).
const stepId = runbook.steps[0].id;
const streaming = inventory.hosts.slice(0, STREAM_HOSTS).map((h) => h.name);
setMode(store, 'running', stepId);
for (const h of streaming) setRecord(store, stepId, h, { status: 'running', attempts: 1, hash: runbook.steps[0].hash, startedAt: new Date().toISOString() });
const line = `${'x'.repeat(120)}\n`;
const chunk = line.repeat(Math.max(1, Math.floor(CHUNK / line.length)));
let streamed = 0;
const feed = setInterval(() => {
  for (const h of streaming) appendLive(store, stepId, h, chunk);
  streamed += chunk.length * streaming.length;
}, 50);
// The player selects the running step when a run starts: let that land before pressing keys.
const mark = frames.length;
await until(() => frames.slice(mark).some((f) => f.text.includes('› step-000')));
const tStream = performance.now();
cpu0 = process.cpuUsage();
frames0 = frames.length;
const busy = await keyLatencies(stdin, frames);
const busyCpu = process.cpuUsage(cpu0);
const busyFrames = frames.length - frames0;
const streamSecs = (performance.now() - tStream) / 1000;
clearInterval(feed);
instance.unmount();

// Ink's own floor at this size: a full screen of distinct plain text rows (no borders, no colours), one
// character changed per frame. What any frame of an Ink app costs here, whatever the app does.
const floorTty = fakeTty();
const floorLine = (k: number, y: number): string => `${y === 0 ? k : ''} row ${y} ${'abcdefghij'.repeat(COLS).slice(y % 10)}`.slice(0, COLS - 1);
const floor = (k: number): React.ReactElement => React.createElement(Box, { flexDirection: 'column', width: COLS, height: ROWS - 1 },
  ...Array.from({ length: ROWS - 1 }, (_, y) => React.createElement(Text, { key: y }, floorLine(k, y))));
const floorInstance = render(floor(0), { stdout: createFrameWriter(floorTty.stdout), stdin: floorTty.stdin, exitOnCtrlC: false, debug: true, patchConsole: false });
await until(() => floorTty.frames.length > 0);
cpu0 = process.cpuUsage();
for (let k = 1; k <= KEYS; k++) {
  const from = floorTty.frames.length;
  floorInstance.rerender(floor(k));
  await until(() => floorTty.frames.length > from);
}
const floorCpu = process.cpuUsage(cpu0);
floorInstance.unmount();

const fmt = (xs: number[]): string => `median ${median(xs).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
const cpuPerKey = (u: NodeJS.CpuUsage): string => `${((u.user + u.system) / 1000 / KEYS).toFixed(1)} ms CPU per key`;
const load = (await import('node:os')).loadavg()[0].toFixed(1);
process.stdout.write([
  `TUI bench: ${STEPS} steps x ${HOSTS} hosts at ${COLS}x${ROWS} (node ${process.version}, load average ${load})`,
  `  first frame (parse + inventory + first render): ${firstFrameMs.toFixed(0)} ms`,
  `  bytes written while idle: ${settleBytes} B in ${settleFrames} frame(s) in the first 5 s after the first frame (the document pane is drawn again once Markdown has loaded), then ${idleBytesPerSec.toFixed(0)} B/s over the next 5 s`,
  `  key-to-frame, idle (${KEYS} keys): ${fmt(idle)}; ${cpuPerKey(idleCpu)}; ${(idleFrames / KEYS).toFixed(1)} frames per key`,
  `  key-to-frame, ${STREAM_HOSTS} hosts streaming ${(streamed / streamSecs / 1e6).toFixed(1)} MB/s into the store (${KEYS} keys): ${fmt(busy)}; ${cpuPerKey(busyCpu)} (feed included); ${busyFrames} frames in all`,
  `  Ink's floor at ${COLS}x${ROWS} (${ROWS - 1} distinct plain text rows, one character changed per frame, ${KEYS} frames): ${((floorCpu.user + floorCpu.system) / 1000 / KEYS).toFixed(1)} ms CPU per frame`,
  '',
].join('\n'));
process.exit(0);
