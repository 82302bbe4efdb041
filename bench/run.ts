// `npm run bench`: in one run on the same loopback sshd hosts, `runbook run` with persistent shell
// sessions (the default) and with one exec channel per step (`runbook_session: exec`), the raw ssh2
// exec-per-step floor, OpenSSH (ControlMaster), Ansible (raw module, pipelining) and Ansible with
// Mitogen (strategy mitogen_linear, Debian's ansible-mitogen). Prints every run's wall and CPU time as
// it is measured, then the summary table, the ratios and the engine's per-step overhead. Beside the
// CPU of the measured process it gives the hosts' CPU: the lab's sshd processes and everything they
// ran (per-connection sshd, the shells and what those ran), from a cpuacct cgroup (v1, as root) the
// sshd masters are moved into, read once every connection of the run has ended; here the hosts
// share the 2 cores with the client, so their CPU is what a run at 20 hosts waits for.
// Env:
//   BENCH_HOSTS (default 20), BENCH_STEPS (default 20), BENCH_REPEAT (default 3)
//   BENCH_ANSIBLE_REPEAT (default 1): runs of the two Ansible rows, each 10-50 times slower than the
//                                 others (a few minutes per run on a busy machine)
//   BENCH_ONLY=runbook,floor,...  rows to run (default all): runbook, exec, floor, openssh, ansible,
//                                 mitogen, overhead (the 1-step runs behind the per-step overhead)
//   BENCH_TIMEOUT (s, default 300): a run still going after this is killed and reported as not finished
//   BENCH_MITOGEN_TIMEOUT (s, default BENCH_TIMEOUT): the same for the Mitogen row
//   BENCH_NET=127.N: the sshd lab's addresses in 127.N.0.0/16
// Every exit path (end, exception, SIGINT, SIGTERM, SIGHUP) kills the measured process group, closes
// every OpenSSH ControlMaster the rows left (ssh -O exit), stops the sshd lab and removes the temp dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSshHosts, type SshFixture } from '../test/helpers/sshd.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 20);
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const ANSIBLE_REPEAT = Number(process.env.BENCH_ANSIBLE_REPEAT ?? 1);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 300);
const MITOGEN_TIMEOUT_S = Number(process.env.BENCH_MITOGEN_TIMEOUT ?? TIMEOUT_S);
const ROW_IDS = ['runbook', 'exec', 'floor', 'openssh', 'ansible', 'mitogen', 'overhead'] as const;
type RowId = (typeof ROW_IDS)[number];
const root = resolve(import.meta.dirname, '..', '..');

function selectedRows(): ReadonlySet<RowId> {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return new Set(ROW_IDS);
  const asked = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((s) => !(ROW_IDS as readonly string[]).includes(s));
  if (unknown.length) {
    process.stderr.write(`BENCH_ONLY: unknown row ${unknown.join(', ')} (rows: ${ROW_IDS.join(', ')})\n`);
    process.exit(2);
  }
  return new Set(asked as RowId[]);
}
const only = selectedRows();

/** One measured run: wall ms, CPU (user+sys) ms, or the timeout it ran into. */
interface Run {
  readonly wall: number;
  readonly cpu: number;
  /** CPU (user+sys) ms of the hosts' sshd and everything they ran for this run (NaN when not measured). */
  readonly hostCpu: number;
  readonly timedOut: boolean;
  /** The run ended with a non-zero exit status (its figures do not count). */
  readonly failed?: string;
}
interface Timing {
  readonly runs: readonly Run[];
  /** Medians of the runs that finished (NaN when none did). */
  readonly median: number;
  readonly cpuMedian: number;
  readonly hostCpuMedian: number;
  /** Set when a run did not finish within its timeout (the row's later runs are not started). */
  readonly timeoutS?: number;
}

/** A run that counts: it finished in time and succeeded. */
const counts = (r: Run): boolean => !r.timedOut && !r.failed;

const median = (xs: readonly number[]): number => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const secs = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '—');
const say = (line: string): void => void process.stdout.write(line + '\n');

// ------------------------------------------------------------------ cleanup on every exit path

let fx: SshFixture | undefined;
let dir: string | undefined;
let current: ChildProcess | undefined;

function killGroup(child: ChildProcess | undefined, sig: NodeJS.Signals): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, sig); // the child leads its own process group (detached)
  } catch {
    /* already gone */
  }
}

/** Close every OpenSSH ControlMaster (ControlPersist) whose socket is under `d`, by `ssh -O exit`. */
function closeControlMasters(d: string): void {
  if (!existsSync(d)) return;
  for (const e of readdirSync(d, { withFileTypes: true, recursive: true })) {
    if (!e.isSocket()) continue;
    const sock = join(e.parentPath, e.name);
    spawnSync('ssh', ['-o', `ControlPath=${sock}`, '-O', 'exit', 'bench-host'], { stdio: 'ignore', timeout: 10_000 });
  }
}

let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  killGroup(current, 'SIGKILL');
  if (dir) closeControlMasters(dir);
  await fx?.stop();
  stopHostsCgroup();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    process.stderr.write(`\nbench: ${sig}, cleaning up (the run in progress, ssh ControlMasters, the sshd lab, ${dir ?? 'temp dir'})\n`);
    void cleanup().finally(() => process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const)[sig]));
  });
}

// ------------------------------------------------------------------ measuring

/** Run `cmd` once under bash's `time` in its own process group; kill the group after `timeoutS`. */
function measureOnce(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutS: number): Promise<{ run: Run; status: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    // bash's `time` reports the CPU of what it ran (user+sys, its waited-for children included): on a
    // shared machine wall time says more about the other users than about the program.
    const t0 = process.hrtime.bigint();
    const child = spawn('bash', ['-c', 'TIMEFORMAT="__rb_cpu %3U %3S"; time "$@"', 'bash', cmd, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    current = child;
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-4000)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, timeoutS * 1000);
    child.once('error', fail);
    child.once('close', (status) => {
      clearTimeout(timer);
      current = undefined;
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      const m = /__rb_cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
      done({ run: { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, hostCpu: NaN, timedOut }, status, out, err });
    });
  });
}

async function timeIt(
  label: string,
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; before?: () => void; after?: () => void; timeoutS?: number; repeat?: number } = {},
): Promise<Timing> {
  const timeoutS = opts.timeoutS ?? TIMEOUT_S;
  const repeat = opts.repeat ?? REPEAT;
  const runs: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    opts.before?.();
    const hostsBefore = await hostsCpuMs();
    const measured = await measureOnce(cmd, args, opts.env ?? {}, timeoutS);
    opts.after?.();
    const { status, out, err } = measured;
    const run: Run = { ...measured.run, hostCpu: (await hostsCpuMs()) - hostsBefore };
    runs.push(run);
    if (run.timedOut) {
      say(`  ${label}, run ${i + 1}/${repeat}: did not finish in ${timeoutS} s (killed; CPU until then not counted); the row's later runs are not started`);
      break;
    }
    if (status !== 0) {
      // Reported in its row, not thrown: one tool failing (e.g. Ansible finding hosts unreachable on
      // a loaded machine) must not cost the other rows' figures.
      const why = `exit ${status}: ${lastLines(out + '\n' + err.replace(/__rb_cpu .*$/m, ''))}`;
      runs[runs.length - 1] = { ...run, failed: why };
      say(`  ${label}, run ${i + 1}/${repeat}: failed after ${secs(run.wall)} s (${why}); the row's later runs are not started`);
      break;
    }
    say(`  ${label}, run ${i + 1}/${repeat}: ${secs(run.wall)} s wall, ${secs(run.cpu)} s CPU (user+sys), hosts ${secs(run.hostCpu)} s CPU`);
  }
  const finished = runs.filter(counts);
  return {
    runs,
    median: median(finished.map((r) => r.wall)),
    cpuMedian: median(finished.map((r) => r.cpu)),
    hostCpuMedian: median(finished.map((r) => r.hostCpu)),
    timeoutS: runs.some((r) => r.timedOut) ? timeoutS : undefined,
  };
}

/** The last non-empty lines of a tool's output, on one line, to say why a run failed. */
function lastLines(text: string, n = 3): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(-n).join(' / ').slice(0, 400);
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

// ------------------------------------------------------------------ the hosts' CPU

/** pid -> parent pid, from /proc. */
function parents(): Map<number, number> {
  const t = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      t.set(Number(e), Number(readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1].split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  return t;
}

/** The lab's sshd masters: sshd processes whose command line names the lab's directory (their -f config), not started by another of them. */
function labSshds(t: Map<number, number>): number[] {
  if (!fx) return [];
  const ours = new Set<number>();
  for (const pid of t.keys()) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('sshd') && cmd.includes(fx.dir)) ours.add(pid);
    } catch {
      /* gone meanwhile */
    }
  }
  return [...ours].filter((p) => !ours.has(t.get(p)!));
}

const CPUACCT = '/sys/fs/cgroup/cpuacct';
/** A cpuacct cgroup (cgroup v1) holding the lab's sshd masters, so everything they start is in it too. */
let hostsCgroup: string | undefined;
let hostsCgroupWhyNot = '';

function startHostsCgroup(): void {
  const cg = join(CPUACCT, `runbook-bench-${process.pid}`);
  try {
    mkdirSync(cg);
    hostsCgroup = cg;
    for (const pid of labSshds(parents())) writeFileSync(join(cg, 'cgroup.procs'), String(pid));
  } catch (e) {
    hostsCgroupWhyNot = `no cpuacct cgroup for the hosts (${(e as Error).message})`;
    stopHostsCgroup();
  }
}

function stopHostsCgroup(): void {
  if (!hostsCgroup) return;
  const cg = hostsCgroup;
  hostsCgroup = undefined;
  try {
    for (const pid of readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try {
        writeFileSync(join(CPUACCT, 'cgroup.procs'), pid);
      } catch {
        /* gone meanwhile */
      }
    }
    rmdirSync(cg);
  } catch {
    /* nothing left to undo */
  }
}

/**
 * CPU ms used so far by the lab's sshd processes and everything they ran (per-connection sshd, the
 * shells and what those ran), read once no sshd master has a child left (every connection of the
 * run has ended; bounded), NaN without the cgroup.
 */
async function hostsCpuMs(): Promise<number> {
  if (!hostsCgroup) return NaN;
  let t = parents();
  const masters = new Set(labSshds(t));
  for (let i = 0; i < 200 && [...t.values()].some((ppid) => masters.has(ppid)); i++) {
    await new Promise((r) => setTimeout(r, 50));
    t = parents();
  }
  return Number(readFileSync(join(hostsCgroup, 'cpuacct.usage'), 'utf8')) / 1e6;
}

// ------------------------------------------------------------------ the rows

interface Row {
  readonly id: RowId;
  readonly name: string;
  readonly t?: Timing;
  /** Why the row has no figures (not installed, not selected...). */
  readonly note?: string;
}

async function main(): Promise<void> {
  const started = new Date();
  say(
    `runbook benchmark: ${STEPS} trivial steps x ${HOSTS} loopback sshd hosts, whole process, ${REPEAT} runs per row (Ansible rows: ${ANSIBLE_REPEAT}); ` +
      `rows: ${[...only].join(', ')} (${started.toISOString().slice(0, 16)}Z, node ${process.version}, load average ${loadAvg()})`,
  );
  fx = await startSshHosts(HOSTS, { namePrefix: 'b', net: process.env.BENCH_NET });
  startHostsCgroup();
  if (hostsCgroupWhyNot) say(`hosts' CPU not measured: ${hostsCgroupWhyNot}`);
  dir = mkdtempSync(join(tmpdir(), 'runbook-bench-'));
  const lab = fx;
  const d = dir;

  const inv = join(d, 'inventory.yaml');
  writeFileSync(inv, lab.inventoryYaml());
  const rb = join(d, 'bench.md');
  const body = ['---', 'title: bench', '---', ''];
  for (let s = 1; s <= STEPS; s++) body.push(`## Step ${s}`, '', '```bash', `echo step-${s}`, '```', '');
  writeFileSync(rb, body.join('\n'));
  const hostsJson = join(d, 'hosts.json');
  writeFileSync(hostsJson, JSON.stringify(lab.hosts.map((h) => ({ address: h.address, port: h.port, user: lab.user, key: lab.privateKeyFile }))));
  const execInv = join(d, 'inventory-exec.yaml');
  writeFileSync(execInv, `${lab.inventoryYaml()}  vars:\n    runbook_session: exec\n`);
  const oneStep = join(d, 'one.md');
  writeFileSync(oneStep, ['---', 'title: one', '---', '', '## Step 1', '', '```bash', 'echo step-1', '```', ''].join('\n'));

  const rows: Row[] = [];
  const row = async (id: RowId, name: string, measure: () => Promise<Timing | string>): Promise<void> => {
    if (!only.has(id)) return;
    say(`${name}:`);
    const r = await measure();
    if (typeof r === 'string') {
      say(`  ${r}`);
      rows.push({ id, name, note: r });
    } else {
      rows.push({ id, name, t: r });
      say(`  median ${secs(r.median)} s wall, ${secs(r.cpuMedian)} s CPU`);
    }
  };

  const runbookRun = (label: string, file: string, inventory: string): Promise<Timing> =>
    timeIt(label, process.execPath, [join(root, 'bin', 'runbook'), 'run', file, '-i', inventory, '--known-hosts', lab.knownHostsFile, '--no-ssh-config', '--state', join(d, 'state.jsonl')], {
      // Every run starts from nothing: the state and the step logs beside it (a log name taken by
      // an earlier run makes the next one try `-2`, `-3`, ... first: one failed open more per
      // host-step and run).
      before: () => {
        rmSync(join(d, 'state.jsonl'), { force: true });
        rmSync(join(d, 'logs'), { recursive: true, force: true });
      },
    });
  const floorRun = (label: string, steps: number): Promise<Timing> => timeIt(label, process.execPath, [join(root, 'dist-bench', 'bench', 'floor.js'), hostsJson, String(steps)]);

  await row('runbook', 'runbook run, persistent sessions (default)', () => runbookRun('runbook run (sessions)', rb, inv));
  await row('exec', 'runbook run, runbook_session: exec', () => runbookRun('runbook run (exec)', rb, execInv));
  await row('floor', 'raw ssh2 floor (exec per step, persistent connections)', () => floorRun('floor', STEPS));

  // OpenSSH with ControlMaster: one master connection per host, every step multiplexed over it.
  await row('openssh', 'OpenSSH, ControlMaster, a loop in bash', () => {
    const ctl = join(d, 'ctl');
    const sshOpts = `-o BatchMode=yes -o UserKnownHostsFile=${lab.knownHostsFile} -o StrictHostKeyChecking=yes -o ControlMaster=auto -o ControlPath=${ctl}-%C -o ControlPersist=60 -i ${lab.privateKeyFile}`;
    const sshScript = [
      'set -e',
      `hosts=(${lab.hosts.map((h) => `"-p ${h.port} ${lab.user}@${h.address}"`).join(' ')})`,
      `for s in $(seq 1 ${STEPS}); do`,
      '  pids=()',
      `  for h in "\${hosts[@]}"; do ssh ${sshOpts} $h "echo step-$s" >/dev/null & pids+=($!); done`,
      '  for p in "${pids[@]}"; do wait "$p"; done',
      'done',
      `for h in "\${hosts[@]}"; do ssh ${sshOpts} -O exit $h 2>/dev/null || true; done`,
    ].join('\n');
    return timeIt('openssh', 'bash', ['-c', sshScript], { after: () => closeControlMasters(d) });
  });

  const ansible = have('ansible-playbook');
  const pb = join(d, 'playbook.yaml');
  // ansible_python_interpreter as Mitogen users set it: mitogen_linear reads only this variable (not
  // ansible.cfg's interpreter_python), and without it re-runs interpreter discovery (about 20 remote
  // commands and Python runs) for every raw task on every host, since raw tasks do not keep the
  // discovered fact. Plain Ansible's raw module never uses Python, so the row is unchanged by it.
  const ansibleInv = join(d, 'inventory-ansible.yaml');
  writeFileSync(ansibleInv, `${lab.inventoryYaml()}  vars:\n    ansible_python_interpreter: /usr/bin/python3\n`);
  const tasks = Array.from({ length: STEPS }, (_, i) => `    - name: step ${i + 1}\n      raw: echo step-${i + 1}`).join('\n');
  writeFileSync(pb, `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}\n`);
  const ansibleCfg = (name: string, extra: string): string => {
    const cfg = join(d, `ansible-${name}.cfg`);
    writeFileSync(
      cfg,
      `[defaults]\nforks = ${HOSTS}\ntimeout = 120\nhost_key_checking = True\nstdout_callback = default\nretry_files_enabled = False\n${extra}[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${lab.knownHostsFile}\ncontrol_path_dir = ${join(d, 'ansible-cp')}\n`,
    );
    return cfg;
  };
  const ansibleRun = (label: string, cfg: string, timeoutS: number): Promise<Timing> =>
    timeIt(label, 'ansible-playbook', ['-i', ansibleInv, pb], { env: { ANSIBLE_CONFIG: cfg }, after: () => closeControlMasters(d), timeoutS, repeat: ANSIBLE_REPEAT });

  await row('ansible', 'ansible-playbook, raw module, pipelining', async () =>
    ansible ? ansibleRun('ansible', ansibleCfg('raw', ''), TIMEOUT_S) : 'ansible-playbook not installed (apt-get install -y ansible): row skipped',
  );
  await row('mitogen', 'ansible-playbook + Mitogen (mitogen_linear), raw module', async () => {
    if (!ansible) return 'ansible-playbook not installed (apt-get install -y ansible): row skipped';
    // Ask ansible-playbook's own interpreter (its #! line; python3 on PATH may be another one).
    const playbookBin = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).stdout.trim();
    const interpreter = /^#!\s*(\S+)/.exec(readFileSync(playbookBin, 'utf8').split('\n')[0])?.[1] ?? 'python3';
    const mitogen = spawnSync(interpreter, ['-c', 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))'], { encoding: 'utf8' });
    if (mitogen.status !== 0) return 'Mitogen for Ansible not installed (apt-get install -y ansible-mitogen): row skipped';
    const plugins = join(mitogen.stdout.trim(), 'plugins', 'strategy');
    return ansibleRun('ansible+mitogen', ansibleCfg('mitogen', `strategy_plugins = ${plugins}\nstrategy = mitogen_linear\n`), MITOGEN_TIMEOUT_S);
  });

  // Per-step overhead of the engine (state journal, logs, store, rendering), fixed start-up removed:
  // the exec-mode run against the floor, at STEPS steps and at 1 step.
  let oneRb: Timing | undefined;
  let oneFloor: Timing | undefined;
  if (only.has('overhead')) {
    say('1-step runs (for the per-step overhead):');
    oneRb = await runbookRun('runbook run (exec, 1 step)', oneStep, execInv);
    oneFloor = await floorRun('floor (1 step)', 1);
  }

  const byId = (id: RowId): Timing | undefined => rows.find((r) => r.id === id)?.t;
  const floor = byId('floor')?.median ?? NaN;
  const ours = byId('runbook')?.median ?? NaN;
  const cell = (r: Row): string => {
    const t = r.t;
    if (!t) return `| ${r.name} | ${r.note} | | | | | |`;
    const every = t.runs.map((x) => (x.timedOut ? `did not finish in ${t.timeoutS} s` : x.failed ? `failed after ${secs(x.wall)} s (${x.failed})` : secs(x.wall))).join(', ');
    const cpuEvery = t.runs.filter(counts).map((x) => secs(x.cpu)).join(', ');
    const hostEvery = t.runs.filter(counts).map((x) => secs(x.hostCpu)).join(', ');
    const wall = Number.isFinite(t.median) ? `${secs(t.median)} s` : t.timeoutS ? `did not finish in ${t.timeoutS} s` : 'failed';
    const vsFloor = Number.isFinite(t.median / floor) ? `${(t.median / floor).toFixed(2)}×` : '—';
    const vsOurs = r.id === 'runbook' ? '—' : Number.isFinite(t.median / ours) ? `${(t.median / ours).toFixed(2)}×` : t.timeoutS ? `> ${(t.timeoutS * 1000 / ours).toFixed(0)}×` : '—';
    return `| ${r.name} | ${wall} | ${every} | ${vsFloor} | ${vsOurs} | ${secs(t.cpuMedian)} s (${cpuEvery}) | ${secs(t.hostCpuMedian)} s (${hostEvery}) |`;
  };
  const lines = [
    '',
    `runbook benchmark: ${STEPS} trivial steps × ${HOSTS} loopback sshd hosts, whole process wall time, ${REPEAT} runs each (Ansible rows: ${ANSIBLE_REPEAT}) (${started.toISOString().slice(0, 16)}Z–${new Date().toISOString().slice(11, 16)}Z, node ${process.version}, load average at the end ${loadAvg()})`,
    '',
    '| what | median wall | every run (s) | × raw ssh2 floor | runbook (sessions) is faster by | CPU user+sys, median (every run, s) | hosts\' CPU (sshd and all they ran), median (every run, s) |',
    '|---|---:|---|---:|---:|---|---|',
    ...rows.map(cell),
  ];
  const exec = byId('exec');
  const floorT = byId('floor');
  if (oneRb && oneFloor && exec && floorT && STEPS > 1) {
    const overhead = (exec.median - floorT.median - (oneRb.median - oneFloor.median)) / (STEPS - 1);
    // The same in CPU time of the two processes, per host and step (the hosts' sshd and shells not counted).
    const cpuOverhead = (exec.cpuMedian - floorT.cpuMedian - (oneRb.cpuMedian - oneFloor.cpuMedian)) / (STEPS - 1) / HOSTS;
    const w = (t: Timing): string => t.runs.map((x) => secs(x.wall)).join(', ');
    const c = (t: Timing): string => t.runs.map((x) => secs(x.cpu)).join(', ');
    lines.push(
      '',
      `engine overhead per step (exec mode vs the floor, start-up removed; all ${HOSTS} hosts): ${overhead.toFixed(1)} ms` +
        ` (1-step runs: runbook ${w(oneRb)} s, floor ${w(oneFloor)} s)`,
      `engine CPU per host and step (the same, in CPU time of runbook and of the floor process): ${cpuOverhead.toFixed(2)} ms` +
        ` (1-step runs' CPU: runbook ${c(oneRb)} s, floor ${c(oneFloor)} s)`,
    );
  } else if (only.has('overhead')) {
    lines.push('', 'engine overhead per step: needs the exec and floor rows too (BENCH_ONLY=exec,floor,overhead)');
  }
  say(lines.join('\n'));
}

function loadAvg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
