// `npm run bench` (start-up part), issue 11 and issue 14: how long the real CLI (bin/runbook) takes
// before it is useful, beside `node -e 0` on the same machine in the same run.
//  - whole-process wall time of `node -e 0`, `runbook --version`, `runbook status` and `runbook plan`
//    on the HA build (runbooks/k8s-ha) with an inventory of its shape, before it was ever run or
//    played (no .runbook/: parsed) and after (its .runbook/ holds the parse cache);
//  - first frame of `runbook play` in a real terminal (tmux, private socket): from the key that
//    starts the process to the moment the frame's bytes reach the pane (tmux pipe-pane), for the HA
//    build over 5 real loopback sshd hosts at 80x24, and for 500 steps x 200 local hosts at 200x60.
//    The same harness times `node -e` printing one line, so its own cost (a tmux client to send the
//    key) is in the baseline too.
// Every run is printed, then the median. Not a test: nothing asserts on a duration.
// Env: STARTUP_REPEAT (10 runs per command), STARTUP_FRAME_REPEAT (5 per first frame),
//      STARTUP_FLEET_REPEAT (3 for 500x200), BENCH_NET ("127.N": keep the sshd lab in 127.N.0.0/16),
//      STARTUP_TMUX (tmux socket name prefix, default rb-bench).
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, stringify as yamlStringify } from 'yaml';
import { startSshHosts, TEST_USER, type SshFixture } from '../test/helpers/sshd.js';
import { removeTmuxSocket } from '../test/helpers/tmuxSocket.js';

const exec = promisify(execFile);
const REPEAT = Number(process.env.STARTUP_REPEAT ?? 10);
const FRAME_REPEAT = Number(process.env.STARTUP_FRAME_REPEAT ?? 5);
const FLEET_REPEAT = Number(process.env.STARTUP_FLEET_REPEAT ?? 3);
const root = resolve(import.meta.dirname, '..', '..');
const BIN = join(root, 'bin', 'runbook');

interface Timing {
  readonly name: string;
  readonly runs: readonly number[];
  readonly median: number;
  /** CPU time (user + system) of each run, when measured: steadier than wall time on a shared machine. */
  readonly cpu?: readonly number[];
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timing = (name: string, runs: number[], cpu?: number[]): Timing => ({ name, runs, median: median(runs), cpu });
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/**
 * Whole-process wall time of `node ARGS`, `REPEAT` times (it must exit 0), and its CPU time: the
 * command runs under a shell that then prints its children's user + system ticks (/proc/self/stat
 * fields 16 and 17, 10 ms resolution).
 */
function timeProcess(name: string, args: readonly string[], cwd: string): Timing {
  const runs: number[] = [];
  const cpu: number[] = [];
  const script = `"$0" "$@" >/dev/null || exit $?; cat /proc/$$/stat >&2`;
  for (let i = 0; i < REPEAT; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('sh', ['-c', script, process.execPath, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}:\n${r.stderr.slice(-2000)}`);
    const fields = r.stderr.trim().split('\n').at(-1)!.replace(/^.*\) /, '').split(' ');
    cpu.push((Number(fields[13]) + Number(fields[14])) * TICK_MS); // cutime, cstime (fields 16, 17)
  }
  return timing(name, runs, cpu);
}

/** Resolves once process `pid` no longer exists, or after `ms` (then says so on stderr). */
async function gone(pid: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > until) {
      process.stderr.write(`bench: process ${pid} still there ${ms} ms after its terminal closed\n`);
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Time from the key that starts `command` (a shell command) in a fresh tmux pane of cols x rows to
 * the moment the pane's output first matches `frame`. The pane's output comes through
 * `tmux pipe-pane` into a FIFO this process reads, so nothing polls the screen.
 */
async function timeFirstFrame(socket: string, command: string, size: { cols: number; rows: number }, frame: RegExp, cleanup: () => void): Promise<number> {
  const tmux = (...args: string[]) => exec('tmux', ['-L', socket, '-f', '/dev/null', ...args]);
  const dir = mkdtempSync(join(tmpdir(), 'rb-frame-'));
  const fifo = join(dir, 'pane');
  spawnSync('mkfifo', [fifo]);
  cleanup();
  let pid = 0;
  try {
    // The shell waits for the key; only then does the measured process start.
    await tmux('new-session', '-d', '-s', 'f', '-x', String(size.cols), '-y', String(size.rows), '-e', 'NO_COLOR=1', '-e', 'SSH_AUTH_SOCK=', 'sh', '-c', `read _ && exec ${command}`);
    const pane = createReadStream(fifo);
    const opened = new Promise<void>((r) => pane.once('open', () => r()));
    await tmux('pipe-pane', '-t', 'f', '-O', `cat > '${fifo}'`);
    await opened;
    let out = '';
    let t0 = 0;
    const seen = new Promise<number>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no frame matching ${frame} after 120 s; output so far:\n${out.slice(-3000)}`)), 120_000);
      pane.on('data', (d: Buffer | string) => {
        out += typeof d === 'string' ? d : d.toString('latin1');
        if (t0 && frame.test(out)) {
          clearTimeout(timer);
          res(performance.now() - t0);
        }
      });
    });
    // The pane's process: the shell, then (exec) the measured command.
    pid = Number((await tmux('display-message', '-p', '-t', 'f', '#{pane_pid}')).stdout.trim());
    t0 = performance.now();
    await tmux('send-keys', '-t', 'f', 'Enter');
    const ms = await seen;
    pane.destroy();
    return ms;
  } finally {
    await tmux('kill-server').catch(() => undefined);
    removeTmuxSocket(socket);
    // The next run starts once this one's process is gone: the player leaves like `q` on the
    // terminal's hang-up (its connections, begun after the first frame, closed; the state flushed),
    // ~350 ms here, which fell on the next run's start.
    if (pid) await gone(pid, 10_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The HA example inventory with each of its 5 hosts pointed at a loopback sshd host of the lab. */
function haInventory(fx: SshFixture): string {
  const example = parseYaml(readFileSync(join(root, 'runbooks', 'k8s-ha', 'inventory.example.yaml'), 'utf8')) as { all: { children: Record<string, { hosts: Record<string, Record<string, unknown> | null> }> } };
  let next = 0;
  const placed = new Map<string, number>();
  for (const group of Object.values(example.all.children)) {
    for (const [name, vars] of Object.entries(group.hosts)) {
      if (!vars || !('ansible_host' in vars)) continue;
      if (!placed.has(name)) placed.set(name, next++);
      const h = fx.hosts[placed.get(name)!];
      Object.assign(vars, { ansible_host: h.address, ansible_port: h.port, ansible_user: TEST_USER, ansible_ssh_private_key_file: fx.privateKeyFile });
    }
  }
  if (placed.size !== fx.hosts.length) throw new Error(`the HA example inventory has ${placed.size} hosts; the lab has ${fx.hosts.length}`);
  return yamlStringify(example);
}

/** 500 steps in sections of 10, each rendering a host variable (as bench/tui.ts), and 200 local hosts. */
function fleet(dir: string): { book: string; inventory: string } {
  const out = ['---', 'title: Fleet bench', '---', ''];
  for (let s = 0; s < 500; s++) {
    if (s % 10 === 0) out.push(`## Part ${s / 10}`, '', 'Some *prose* with `code` and a [link](https://example.com).', '');
    out.push(`\`\`\`bash {id=step-${String(s).padStart(3, '0')}}`, `echo step ${s} on {{ host.name }}`, '```', '');
  }
  const book = join(dir, 'fleet.md');
  writeFileSync(book, out.join('\n'));
  const inventory = join(dir, 'fleet.yaml');
  writeFileSync(inventory, ['all:', '  hosts:', ...Array.from({ length: 200 }, (_, i) => `    h${i + 1}: {ansible_connection: local}`), ''].join('\n'));
  return { book, inventory };
}

const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-startup-'));
const fx = await startSshHosts(5, { namePrefix: 'ha', net: process.env.BENCH_NET });
const socket = `${process.env.STARTUP_TMUX ?? 'rb-bench'}-startup-${process.pid}`;
const loads: number[] = [loadavg()[0]];
try {
  const ha = join(dir, 'k8s-ha');
  cpSync(join(root, 'runbooks', 'k8s-ha'), ha, { recursive: true });
  const haInv = join(dir, 'ha-lab.yaml');
  writeFileSync(haInv, haInventory(fx));
  const planned = JSON.parse(spawnSync(process.execPath, [BIN, 'plan', ha, '-i', haInv, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout) as { step: string }[];
  const steps = new Set(planned.map((p) => p.step)).size;
  // The HA build's state directory (beside the runbook directory, as for any runbook): it holds
  // the state and the parse cache. Commands of a runbook never run or played find none.
  const haState = join(dir, '.runbook');
  const { book, inventory } = fleet(dir);
  const fleetState = join(dir, '.runbook');

  const rows: Timing[] = [];
  rows.push(timeProcess('node -e 0', ['-e', '0'], dir));
  rows.push(timeProcess('runbook --version', [BIN, '--version'], dir));
  rmSync(haState, { recursive: true, force: true });
  rows.push(timeProcess(`runbook status (HA build, ${steps} steps x 5 hosts, never played: no .runbook/, parsed)`, [BIN, 'status', ha, '-i', haInv], dir));
  rows.push(timeProcess(`runbook plan (HA build, ${steps} steps x 5 hosts, never played: parsed)`, [BIN, 'plan', ha, '-i', haInv], dir));
  // As after a first run or play: .runbook/ exists (0700), the first command keeps the parse cache.
  mkdirSync(haState, { mode: 0o700 });
  spawnSync(process.execPath, [BIN, 'status', ha, '-i', haInv], { stdio: 'ignore' });
  rows.push(timeProcess(`runbook status (HA build, ${steps} steps x 5 hosts, with its .runbook/: parse cache)`, [BIN, 'status', ha, '-i', haInv], dir));
  rows.push(timeProcess(`runbook plan (HA build, ${steps} steps x 5 hosts, with its .runbook/: parse cache)`, [BIN, 'plan', ha, '-i', haInv], dir));
  loads.push(loadavg()[0]);

  const frames: Timing[] = [];
  let served = 0;
  const frameRuns = async (name: string, n: number, command: string, size: { cols: number; rows: number }, frame: RegExp, cleanup: () => void): Promise<void> => {
    const runs: number[] = [];
    // A tmux server of its own for each run: a server told to exit can still hold the socket's
    // name when the next run starts one under it ("server exited unexpectedly").
    for (let i = 0; i < n; i++) runs.push(await timeFirstFrame(`${socket}-${++served}`, command, size, frame, cleanup));
    frames.push(timing(name, runs));
  };
  const node = quote(process.execPath);
  await frameRuns('tmux baseline: node -e printing one line, 80x24', FRAME_REPEAT, `${node} -e "console.log('first frame')"`, { cols: 80, rows: 24 }, /first frame/, () => undefined);
  const haPlay = `${node} ${quote(BIN)} play ${quote(ha)} -i ${quote(haInv)} --known-hosts ${quote(fx.knownHostsFile)} --no-ssh-config`;
  const haFrame = new RegExp(`steps 0/${steps}[^]*Enter/r run`);
  // First play: no state, no parse cache (removed before each run).
  await frameRuns(`first frame of play, HA build (${steps} steps, 5 sshd hosts), 80x24, first play: no .runbook/`, FRAME_REPEAT, haPlay, { cols: 80, rows: 24 }, haFrame, () => rmSync(haState, { recursive: true, force: true }));
  // Played before: the state (no step recorded) and the parse cache are kept.
  spawnSync(process.execPath, [BIN, 'status', ha, '-i', haInv], { stdio: 'ignore' });
  await frameRuns(`first frame of play, HA build (${steps} steps, 5 sshd hosts), 80x24, played before: state and parse cache`, FRAME_REPEAT, haPlay, { cols: 80, rows: 24 }, haFrame, () => undefined);
  loads.push(loadavg()[0]);
  const fleetPlay = `${node} ${quote(BIN)} play ${quote(book)} -i ${quote(inventory)}`;
  await frameRuns('first frame of play, 500 steps x 200 local hosts, 200x60', FLEET_REPEAT, fleetPlay, { cols: 200, rows: 60 }, /steps 0\/500[^]*Enter\/r run/, () => rmSync(fleetState, { recursive: true, force: true }));
  loads.push(loadavg()[0]);

  const base = rows[0].median;
  const cpuBase = median(rows[0].cpu!);
  const frameBase = frames[0].median;
  const runsOf = (t: Timing): string => t.runs.map((r) => r.toFixed(0)).join(', ');
  process.stdout.write(
    [
      `Start-up bench (node ${process.version}, load average ${loads.map((l) => l.toFixed(1)).join(' -> ')}; every run in ms, then the median)`,
      ...rows.map((t, i) => `  ${t.name}: median ${t.median.toFixed(0)} ms${i ? ` (+${(t.median - base).toFixed(0)} over node -e 0)` : ''}; runs ${runsOf(t)}; CPU median ${median(t.cpu!).toFixed(0)} ms${i ? ` (+${(median(t.cpu!) - cpuBase).toFixed(0)})` : ''}, runs ${t.cpu!.map((c) => c.toFixed(0)).join(', ')}`),
      ...frames.map((t, i) => `  ${t.name}: median ${t.median.toFixed(0)} ms${i ? ` (+${(t.median - frameBase).toFixed(0)} over the baseline)` : ''}; runs ${runsOf(t)}`),
      '',
    ].join('\n'),
  );
} finally {
  await fx.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
