// `npm run bench`: in one run on the same loopback sshd hosts, `runbook run` with persistent shell
// sessions (the default) and with one exec channel per step (`runbook_session: exec`), the raw ssh2
// exec-per-step floor, OpenSSH (ControlMaster), Ansible (raw module, pipelining) and Ansible with
// Mitogen (strategy mitogen_linear, Debian's ansible-mitogen). Prints every run's time, the medians,
// the ratios, and the engine's per-step overhead.
// Env: BENCH_HOSTS (default 20), BENCH_STEPS (default 20), BENCH_REPEAT (default 3).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSshHosts } from '../test/helpers/sshd.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 20);
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const root = resolve(import.meta.dirname, '..', '..');

interface Timing {
  readonly median: number;
  readonly runs: readonly number[];
  /** CPU time (user+sys, ms) of the measured process and the children it waited for, per run. */
  readonly cpu: readonly number[];
  readonly cpuMedian: number;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeIt(label: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; before?: () => void; after?: () => void } = {}): Timing {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    opts.before?.();
    // bash's `time` reports the CPU of what it ran (user+sys, its waited-for children included): on a
    // shared machine wall time says more about the other users than about the program.
    const t0 = process.hrtime.bigint();
    const r = spawnSync('bash', ['-c', 'TIMEFORMAT="__rb_cpu %3U %3S"; time "$@"', 'bash', cmd, ...args], {
      env: { ...process.env, ...opts.env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    opts.after?.();
    if (r.status !== 0) {
      process.stderr.write(`${label} failed (exit ${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}\n`);
      throw new Error(`${label} failed`);
    }
    const m = /__rb_cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    times.push(ms);
    cpu.push(m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN);
  }
  return { median: median(times), runs: times, cpu, cpuMedian: median(cpu) };
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const fx = await startSshHosts(HOSTS, { namePrefix: 'b', net: process.env.BENCH_NET });
const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-'));
try {
  const inv = join(dir, 'inventory.yaml');
  writeFileSync(inv, fx.inventoryYaml());
  const rb = join(dir, 'bench.md');
  const body = ['---', 'title: bench', '---', ''];
  for (let s = 1; s <= STEPS; s++) body.push(`## Step ${s}`, '', '```bash', `echo step-${s}`, '```', '');
  writeFileSync(rb, body.join('\n'));
  const hostsJson = join(dir, 'hosts.json');
  writeFileSync(hostsJson, JSON.stringify(fx.hosts.map((h) => ({ address: h.address, port: h.port, user: fx.user, key: fx.privateKeyFile }))));

  const execInv = join(dir, 'inventory-exec.yaml');
  writeFileSync(execInv, `${fx.inventoryYaml()}  vars:\n    runbook_session: exec\n`);
  const oneStep = join(dir, 'one.md');
  writeFileSync(oneStep, ['---', 'title: one', '---', '', '## Step 1', '', '```bash', 'echo step-1', '```', ''].join('\n'));

  const results: { name: string; t: Timing }[] = [];
  const runbookRun = (label: string, file: string, inventory: string): Timing =>
    timeIt(label, process.execPath, [join(root, 'bin', 'runbook'), 'run', file, '-i', inventory, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(dir, 'state.jsonl')], {
      before: () => rmSync(join(dir, 'state.jsonl'), { force: true }),
    });
  results.push({ name: 'runbook run, persistent sessions (default)', t: runbookRun('runbook run (sessions)', rb, inv) });
  results.push({ name: 'runbook run, runbook_session: exec', t: runbookRun('runbook run (exec)', rb, execInv) });
  const floorT = timeIt('floor', process.execPath, [join(root, 'dist-bench', 'bench', 'floor.js'), hostsJson, String(STEPS)]);
  results.push({ name: 'raw ssh2 floor (exec per step, persistent connections)', t: floorT });

  // OpenSSH with ControlMaster: one master connection per host, every step multiplexed over it.
  const ctl = join(dir, 'ctl');
  const sshOpts = `-o BatchMode=yes -o UserKnownHostsFile=${fx.knownHostsFile} -o StrictHostKeyChecking=yes -o ControlMaster=auto -o ControlPath=${ctl}-%C -o ControlPersist=60 -i ${fx.privateKeyFile}`;
  const sshScript = [
    'set -e',
    `hosts=(${fx.hosts.map((h) => `"-p ${h.port} ${fx.user}@${h.address}"`).join(' ')})`,
    `for s in $(seq 1 ${STEPS}); do`,
    '  pids=()',
    `  for h in "\${hosts[@]}"; do ssh ${sshOpts} $h "echo step-$s" >/dev/null & pids+=($!); done`,
    '  for p in "${pids[@]}"; do wait "$p"; done',
    'done',
    `for h in "\${hosts[@]}"; do ssh ${sshOpts} -O exit $h 2>/dev/null || true; done`,
  ].join('\n');
  results.push({ name: 'OpenSSH, ControlMaster, a loop in bash', t: timeIt('openssh', 'bash', ['-c', sshScript]) });

  if (have('ansible-playbook')) {
    const pb = join(dir, 'playbook.yaml');
    const tasks = Array.from({ length: STEPS }, (_, i) => `    - name: step ${i + 1}\n      raw: echo step-${i + 1}`).join('\n');
    writeFileSync(pb, `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}\n`);
    const ansibleCfg = (extra: string): string => {
      const cfg = join(dir, `ansible-${results.length}.cfg`);
      writeFileSync(
        cfg,
        `[defaults]\nforks = ${HOSTS}\nhost_key_checking = True\nstdout_callback = default\nretry_files_enabled = False\n${extra}[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${fx.knownHostsFile}\ncontrol_path_dir = ${join(dir, 'ansible-cp')}\n`,
      );
      return cfg;
    };
    results.push({ name: 'ansible-playbook, raw module, pipelining', t: timeIt('ansible', 'ansible-playbook', ['-i', inv, pb], { env: { ANSIBLE_CONFIG: ansibleCfg('') } }) });
    // Ask ansible-playbook's own interpreter (its #! line; python3 on PATH may be another one).
    const playbookBin = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).stdout.trim();
    const interpreter = /^#!\s*(\S+)/.exec(readFileSync(playbookBin, 'utf8').split('\n')[0])?.[1] ?? 'python3';
    const mitogen = spawnSync(interpreter, ['-c', 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))'], { encoding: 'utf8' });
    if (mitogen.status === 0) {
      const plugins = join(mitogen.stdout.trim(), 'plugins', 'strategy');
      results.push({
        name: 'ansible-playbook + Mitogen (mitogen_linear), raw module',
        t: timeIt('ansible+mitogen', 'ansible-playbook', ['-i', inv, pb], { env: { ANSIBLE_CONFIG: ansibleCfg(`strategy_plugins = ${plugins}\nstrategy = mitogen_linear\n`) } }),
      });
    } else {
      process.stderr.write('Mitogen for Ansible not installed (apt-get install -y ansible-mitogen): Mitogen row skipped\n');
    }
  } else {
    process.stderr.write('ansible-playbook not installed (apt-get install -y ansible): Ansible rows skipped\n');
  }

  // Per-step overhead of the engine (state journal, logs, store, rendering), fixed start-up removed:
  // the exec-mode run against the floor, at STEPS steps and at 1 step.
  const oneRb = runbookRun('runbook run (exec, 1 step)', oneStep, execInv);
  const oneFloor = timeIt('floor (1 step)', process.execPath, [join(root, 'dist-bench', 'bench', 'floor.js'), hostsJson, '1']);
  const overhead = STEPS > 1 ? (results[1].t.median - floorT.median - (oneRb.median - oneFloor.median)) / (STEPS - 1) : NaN;
  // The same in CPU time of the two processes, per host and step (the hosts' sshd and shells not counted).
  const cpuOverhead = STEPS > 1 ? (results[1].t.cpuMedian - floorT.cpuMedian - (oneRb.cpuMedian - oneFloor.cpuMedian)) / (STEPS - 1) / HOSTS : NaN;

  const floor = floorT.median;
  const ours = results[0].t.median;
  const secs = (ms: number): string => (ms / 1000).toFixed(2);
  const lines = [
    `runbook benchmark: ${STEPS} trivial steps × ${HOSTS} loopback sshd hosts, whole process wall time, ${REPEAT} runs each (${new Date().toISOString().slice(0, 16)}Z, node ${process.version})`,
    '',
    '| what | median wall | every run (s) | × raw ssh2 floor | runbook (sessions) is faster by | CPU user+sys, median (every run, s) |',
    '|---|---:|---|---:|---:|---|',
    ...results.map((r) => `| ${r.name} | ${secs(r.t.median)} s | ${r.t.runs.map(secs).join(', ')} | ${(r.t.median / floor).toFixed(2)}× | ${r === results[0] ? '—' : `${(r.t.median / ours).toFixed(2)}×`} | ${secs(r.t.cpuMedian)} s (${r.t.cpu.map(secs).join(', ')}) |`),
    '',
    `engine overhead per step (exec mode vs the floor, start-up removed; all ${HOSTS} hosts): ${overhead.toFixed(1)} ms` +
      ` (1-step runs: runbook ${oneRb.runs.map(secs).join(', ')} s, floor ${oneFloor.runs.map(secs).join(', ')} s)`,
    `engine CPU per host and step (the same, in CPU time of runbook and of the floor process): ${cpuOverhead.toFixed(2)} ms` +
      ` (1-step runs' CPU: runbook ${oneRb.cpu.map(secs).join(', ')} s, floor ${oneFloor.cpu.map(secs).join(', ')} s)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await fx.stop();
  rmSync(dir, { recursive: true, force: true });
}
