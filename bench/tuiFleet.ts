// `npm run bench:tui-fleet` (also part of `npm run bench`), issue 14 defect 9 measured as it was
// found: the REAL CLI (bin/runbook play) in a real terminal (tmux, private socket) against 30 real
// loopback sshd hosts, every host streaming its output as fast as ssh carries it. The engine (ssh2
// decryption, framing, masking, logs, journal) shares the event loop with Ink here, which the
// in-process bench (bench/tui.ts) does not show.
//  - key-to-frame: from the `tmux send-keys j` to the moment the pane's output (tmux pipe-pane into
//    a FIFO, nothing polls the screen) holds the line of the newly selected step. Idle first, then
//    while the 30 hosts stream. A random gap of 20-120 ms between keys so that keys do not lock
//    step with the player's output timer.
//  - the same harness against `cat` in raw mode (a key echoed at once): the harness's own cost, on
//    its own before the player starts, and again while the 30 hosts stream (a cat key after each
//    player key): tmux, cat and this process wait for the CPU behind the hosts as the player does.
//  - the rate into the logs while the hosts stream and no key is pressed (3 s), then during the keys.
//  - bytes written to the terminal per second, idle and streaming; the player's CPU time (its
//    /proc/PID/stat) per second of streaming; the output rate reaching the logs.
// Every key is printed as median / p95 / max, then every run. Not a test: nothing asserts on a duration.
// Env: FLEET_HOSTS (30), FLEET_KEYS (40), FLEET_SIZES ("80x24,200x60"), FLEET_MB (output per host
//      per run of the step, 200 MB: more than the keys take; the step is aborted after the keys),
//      BENCH_NET ("127.N": keep the sshd lab in 127.N.0.0/16), FLEET_TMUX (socket prefix, rb-bench),
//      FLEET_HOSTS_NICE (a niceness for the 30 sshd and what they run, e.g. 19: the hosts then take
//      the CPU only when the player leaves it, as hosts elsewhere would; unset: same priority),
//      FLEET_DIR (where the runbook, its state and its logs go: the temp directory),
//      FLEET_NODE_ARGS (extra node options for the player, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { execFile, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, type ReadStream } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startSshHosts } from '../test/helpers/sshd.js';
import { removeTmuxSocket } from '../test/helpers/tmuxSocket.js';

const exec = promisify(execFile);
const HOSTS = Number(process.env.FLEET_HOSTS ?? 30);
const KEYS = Number(process.env.FLEET_KEYS ?? 40);
const MB = Number(process.env.FLEET_MB ?? 200);
const SIZES = (process.env.FLEET_SIZES ?? '80x24,200x60').split(',').map((s) => {
  const [cols, rows] = s.split('x').map(Number);
  return { cols, rows };
});
const root = resolve(import.meta.dirname, '..', '..');
const BIN = join(root, 'bin', 'runbook');
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]): number => sorted(xs)[Math.floor(xs.length / 2)];
const pct = (xs: readonly number[], p: number): number => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const fmt = (xs: readonly number[]): string => `median ${median(xs).toFixed(0)} ms, p95 ${pct(xs, 0.95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU time (user + system) of a process so far, in ms. */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS; // utime, stime (fields 14, 15)
}

/** Total size of the files under `dir` (the step logs: what the engine received from the hosts). */
function bytesUnder(dir: string): number {
  let n = 0;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  } catch { /* not created yet */ }
  return n;
}

/** A pane of a private tmux server whose output arrives here through pipe-pane. */
class Pane {
  out = '';
  bytes = 0;
  private waiters: { re: RegExp; from: number; res: (t: number) => void }[] = [];
  private constructor(private readonly socket: string, private readonly stream: ReadStream, readonly dir: string) {
    stream.on('data', (d: Buffer | string) => {
      const s = typeof d === 'string' ? d : d.toString('utf8');
      this.bytes += Buffer.byteLength(s);
      this.out += s;
      const now = performance.now();
      this.waiters = this.waiters.filter((w) => {
        if (!w.re.test(this.out.slice(w.from))) return true;
        w.res(now);
        return false;
      });
      // Keep the search window small: only what arrived since the oldest waiter (or the last 64 KB).
      const keep = Math.min(this.out.length - 65536, ...this.waiters.map((w) => w.from));
      if (keep > 0) {
        this.out = this.out.slice(keep);
        for (const w of this.waiters) w.from -= keep;
      }
    });
  }

  static async open(socket: string, command: string, size: { cols: number; rows: number }): Promise<Pane> {
    const dir = mkdtempSync(join(tmpdir(), 'rb-fleet-pane-'));
    const fifo = join(dir, 'pane');
    spawnSync('mkfifo', [fifo]);
    const tmux = (...args: string[]) => exec('tmux', ['-L', socket, '-f', '/dev/null', ...args]);
    await tmux('new-session', '-d', '-s', 'f', '-x', String(size.cols), '-y', String(size.rows), '-e', 'NO_COLOR=1', '-e', 'SSH_AUTH_SOCK=', 'sh', '-c', `read _ && exec ${command}`);
    const stream = createReadStream(fifo);
    const opened = new Promise<void>((r) => stream.once('open', () => r()));
    await tmux('pipe-pane', '-t', 'f', '-O', `cat > '${fifo}'`);
    await opened;
    const pane = new Pane(socket, stream, dir);
    await pane.key('Enter');
    return pane;
  }

  async key(...keys: string[]): Promise<void> {
    await exec('tmux', ['-L', this.socket, '-f', '/dev/null', 'send-keys', '-t', 'f', ...keys]);
  }

  /** Resolves once the pane has written nothing for `ms` (bounded): the player's start-up checks are done. */
  async quiet(ms: number, limitMs = 120_000): Promise<void> {
    const end = performance.now() + limitMs;
    for (;;) {
      const before = this.bytes;
      await pause(ms);
      if (this.bytes === before) return;
      if (performance.now() > end) throw new Error(`the pane never went quiet for ${ms} ms within ${limitMs / 1000} s`);
    }
  }

  /** Resolves with the time the pane's output, from now on, first matches `re` (bounded). */
  next(re: RegExp, what: string, ms = 120_000): Promise<number> {
    return new Promise<number>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no output matching ${re} (${what}) after ${ms / 1000} s; last output:\n${this.out.slice(-3000)}`)), ms);
      this.waiters.push({ re, from: this.out.length, res: (t) => { clearTimeout(timer); res(t); } });
    });
  }

  async pid(): Promise<number> {
    return Number((await exec('tmux', ['-L', this.socket, '-f', '/dev/null', 'list-panes', '-t', 'f', '-F', '#{pane_pid}'])).stdout.trim());
  }

  async close(): Promise<void> {
    await exec('tmux', ['-L', this.socket, '-f', '/dev/null', 'kill-server']).catch(() => undefined);
    removeTmuxSocket(this.socket);
    this.stream.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `n` keys; key k is `key`, answered when the output holds `expect(k)`. Returns each latency. */
async function keyLatencies(pane: Pane, n: number, key: string, expect: (k: number) => RegExp): Promise<number[]> {
  const out: number[] = [];
  for (let k = 1; k <= n; k++) {
    await pause(20 + Math.random() * 100);
    const seen = pane.next(expect(k), `frame after key ${k}`, 60_000);
    const t0 = performance.now();
    await pane.key(key);
    out.push((await seen) - t0);
  }
  return out;
}

/** `n` letters typed into the cat pane; each one's latency until its echo is seen. */
async function catKeys(pane: Pane, n: number): Promise<number[]> {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    await pause(20 + Math.random() * 100);
    const ch = letters[Math.floor(Math.random() * 26)];
    const seen = pane.next(new RegExp(ch), `echo of ${ch}`, 60_000);
    const t0 = performance.now();
    await pane.key(ch);
    out.push((await seen) - t0);
  }
  return out;
}

/** The stream step, then KEYS + 1 steps to move through. */
function runbook(dir: string): string {
  const out = ['---', 'title: Fleet stream bench', '---', '', '## Stream', ''];
  // Lines of about 120 bytes, as fast as the host's sshd sends them, until MB per host.
  out.push('```bash {id=stream}', `yes "stream line from {{ host.name }} $(printf '%0100d' 0)" | head -c ${MB}M`, '```', '', '## Steps to move through', '');
  for (let s = 1; s <= KEYS + 1; s++) out.push(`\`\`\`bash {id=step-${String(s).padStart(3, '0')}}`, `echo step ${s} on {{ host.name }}`, '```', '');
  const book = join(dir, 'stream.md');
  writeFileSync(book, out.join('\n'));
  return book;
}

const id = (k: number): string => `step-${String(k).padStart(3, '0')}`;
const selected = (k: number): RegExp => new RegExp(`› ${id(k)}\\b`);

interface SizeResult {
  readonly size: string;
  readonly idle: number[];
  readonly busy: number[];
  /** The harness (a cat key) between the player's keys while the hosts stream. */
  readonly busyHarness: number[];
  readonly idleBytesPerSec: number;
  readonly busyBytesPerSec: number;
  readonly busyCpuPerSec: number;
  readonly busyCpuPerKey: number;
  readonly streamMBps: number;
  readonly quietMBps: number;
  readonly load: number;
}

const dir = mkdtempSync(join(process.env.FLEET_DIR ?? tmpdir(), 'runbook-bench-fleet-'));
const fx = await startSshHosts(HOSTS, { namePrefix: 'f', net: process.env.BENCH_NET });
if (process.env.FLEET_HOSTS_NICE) {
  // Every sshd of the lab (their command lines name the fixture's directory); what they start inherits it.
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try { return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(fx.dir); } catch { return false; }
  });
  spawnSync('renice', ['-n', process.env.FLEET_HOSTS_NICE, '-p', ...pids]);
  process.stderr.write(`reniced ${pids.length} sshd processes to ${process.env.FLEET_HOSTS_NICE}\n`);
}
const socketBase = `${process.env.FLEET_TMUX ?? 'rb-bench'}-fleet-${process.pid}`;
const results: SizeResult[] = [];
let harness: number[] = [];
let catPane: Pane | undefined;
try {
  const inv = join(dir, 'inventory.yaml');
  writeFileSync(inv, fx.inventoryYaml({}));
  const book = runbook(dir);
  const node = quote(process.execPath);

  // The harness alone: a key echoed by cat in raw mode. The pane stays open for the streaming phases.
  catPane = await Pane.open(`${socketBase}-cat`, `sh -c 'stty raw -echo; exec cat'`, { cols: 80, rows: 24 });
  await pause(500); // let stty run before the first key (a measurement gap, not synchronisation)
  harness = await catKeys(catPane, KEYS);

  for (const size of SIZES) {
    const state = join(dir, `state-${size.cols}x${size.rows}`, 'state.jsonl');
    const play = `${node} ${process.env.FLEET_NODE_ARGS ?? ''} ${quote(BIN)} play ${quote(book)} -i ${quote(inv)} --known-hosts ${quote(fx.knownHostsFile)} --no-ssh-config --state ${quote(state)}`;
    const pane = await Pane.open(`${socketBase}-${size.cols}x${size.rows}`, play, size);
    try {
      await pane.next(/Enter\/r run/, 'the first frame');
      const pid = await pane.pid();
      // Idle: once the start-up checks behind the first frame are done (the status line says so while
      // they run), bytes written while nothing happens, then keys.
      await pane.quiet(1000);
      const idleFrom = pane.bytes;
      await pause(3000);
      const idleBytesPerSec = (pane.bytes - idleFrom) / 3;
      const idle = await keyLatencies(pane, KEYS, 'j', selected);
      // Back to the stream step and run it; keys once every host is streaming.
      const top = pane.next(/› stream\b/, 'the stream step selected');
      await pane.key('g');
      await top;
      await pane.key('Enter');
      const logs = join(dir, `state-${size.cols}x${size.rows}`, 'logs');
      const t = performance.now();
      while (bytesUnder(logs) < HOSTS * 1_000_000) {
        if (performance.now() - t > 120_000) throw new Error(`the hosts did not stream 1 MB each within 120 s (${bytesUnder(logs)} bytes in the logs)`);
        await pause(200); // polls the logs' size; no measurement is taken here
      }
      // The rate into the logs with no key pressed (fair reads must not starve the bulk transfer), then keys.
      const q0 = bytesUnder(logs);
      const qt = performance.now();
      await pause(3000);
      const quietMBps = (bytesUnder(logs) - q0) / ((performance.now() - qt) / 1000) / 1e6;
      const b0 = pane.bytes;
      const l0 = bytesUnder(logs);
      const c0 = cpuOf(pid);
      const t0 = performance.now();
      const busy: number[] = [];
      const busyHarness: number[] = [];
      for (let k = 1; k <= KEYS; k++) {
        busy.push(...await keyLatencies(pane, 1, 'j', () => selected(k)));
        busyHarness.push(...await catKeys(catPane, 1));
      }
      const secs = (performance.now() - t0) / 1000;
      const cpu = cpuOf(pid) - c0;
      const l1 = bytesUnder(logs);
      const b1 = pane.bytes;
      if (l1 >= HOSTS * MB * 1024 * 1024 * 0.99) process.stderr.write(`warning: the hosts finished streaming during the keys (FLEET_MB=${MB} too small)\n`);
      results.push({
        size: `${size.cols}x${size.rows}`, idle, busy, busyHarness, idleBytesPerSec, busyBytesPerSec: (b1 - b0) / secs,
        busyCpuPerSec: cpu / secs, busyCpuPerKey: cpu / KEYS, streamMBps: (l1 - l0) / secs / 1e6, quietMBps, load: loadavg()[0],
      });
      // Abort the step (Ctrl-C), then quit. The player says so in its status line; the steps pane's
      // row may be redrawn only where it changed, so "stream" and its ✖ need not arrive together.
      const aborted = pane.next(/stream\s+✖|⚠ stream aborted/, 'the stream step aborted');
      await pane.key('C-c');
      await aborted;
      await pane.key('q');
    } finally {
      await pane.close();
    }
  }
} finally {
  await catPane?.close();
  await fx.stop();
  rmSync(dir, { recursive: true, force: true });
}

const list = (xs: readonly number[]): string => xs.map((x) => x.toFixed(0)).join(' ');
process.stdout.write([
  `TUI fleet bench: the built CLI in tmux, ${HOSTS} loopback sshd hosts${process.env.FLEET_HOSTS_NICE ? ` at nice ${process.env.FLEET_HOSTS_NICE}` : ''}, ${KEYS} keys per phase (node ${process.version})`,
  `  harness (tmux send-keys to cat in raw mode, echo seen through pipe-pane): ${fmt(harness)}`,
  ...results.flatMap((r) => [
    `  ${r.size} (load average ${r.load.toFixed(1)}):`,
    `    idle: ${r.idleBytesPerSec.toFixed(0)} B/s written; key-to-frame ${fmt(r.idle)}`,
    `    ${HOSTS} hosts streaming, no key pressed: ${r.quietMBps.toFixed(1)} MB/s into the logs`,
    `    ${HOSTS} hosts streaming ${r.streamMBps.toFixed(1)} MB/s into the logs: key-to-frame ${fmt(r.busy)}; ${(r.busyBytesPerSec / 1000).toFixed(1)} KB/s written to the terminal; player CPU ${(r.busyCpuPerSec / 10).toFixed(0)}% of a core (${r.busyCpuPerKey.toFixed(0)} ms per key and the cat key after it, ${r.streamMBps > 0 ? (r.busyCpuPerSec / r.streamMBps).toFixed(1) : '-'} ms per MB received)`,
    `    the harness (cat) between those keys: ${fmt(r.busyHarness)}`,
    `    runs idle: ${list(r.idle)}`,
    `    runs streaming: ${list(r.busy)}`,
  ]),
  '',
].join('\n'));
process.exit(0);
