// `npm run bench`: runbook run vs the raw ssh2 floor, OpenSSH (ControlMaster) and Ansible (raw module,
// pipelining) on the same loopback sshd hosts. Prints a table and the ratios.
// Env: BENCH_HOSTS (default 20), BENCH_STEPS (default 20), BENCH_REPEAT (default 3).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSshHosts } from '../test/helpers/sshd.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 20);
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const root = resolve(import.meta.dirname, '..', '..');

function timeIt(label: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; before?: () => void; after?: () => void } = {}): number {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    opts.before?.();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: { ...process.env, ...opts.env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    opts.after?.();
    if (r.status !== 0) {
      process.stderr.write(`${label} failed (exit ${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}\n`);
      throw new Error(`${label} failed`);
    }
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const fx = await startSshHosts(HOSTS, { namePrefix: 'b' });
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

  const results: { name: string; ms: number }[] = [];
  let n = 0;
  const state = (): string => join(dir, `state-${n}.jsonl`);
  results.push({
    name: 'runbook run (this tool)',
    ms: timeIt('runbook run', process.execPath, [join(root, 'bin', 'runbook'), 'run', rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(dir, 'state.jsonl')], {
      before: () => rmSync(join(dir, 'state.jsonl'), { force: true }),
      after: () => n++,
    }),
  });
  void state;
  results.push({ name: 'raw ssh2 floor (persistent connections)', ms: timeIt('floor', process.execPath, [join(root, 'dist-bench', 'bench', 'floor.js'), hostsJson, String(STEPS)]) });

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
  results.push({ name: 'OpenSSH, ControlMaster, a loop in bash', ms: timeIt('openssh', 'bash', ['-c', sshScript]) });

  if (have('ansible-playbook')) {
    const pb = join(dir, 'playbook.yaml');
    const tasks = Array.from({ length: STEPS }, (_, i) => `    - name: step ${i + 1}\n      raw: echo step-${i + 1}`).join('\n');
    writeFileSync(pb, `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}\n`);
    const cfg = join(dir, 'ansible.cfg');
    writeFileSync(
      cfg,
      `[defaults]\nforks = ${HOSTS}\nhost_key_checking = True\nstdout_callback = default\nretry_files_enabled = False\n[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${fx.knownHostsFile}\ncontrol_path_dir = ${join(dir, 'ansible-cp')}\n`,
    );
    results.push({ name: 'ansible-playbook, raw module, pipelining', ms: timeIt('ansible', 'ansible-playbook', ['-i', inv, pb], { env: { ANSIBLE_CONFIG: cfg } }) });
  } else {
    process.stderr.write('ansible-playbook not installed (apt-get install -y ansible): Ansible column skipped\n');
  }

  const floor = results[1].ms;
  const ours = results[0].ms;
  const lines = [
    `runbook benchmark: ${STEPS} trivial steps × ${HOSTS} loopback sshd hosts, median of ${REPEAT} runs, whole process wall time (${new Date().toISOString().slice(0, 10)}, node ${process.version})`,
    '',
    '| what | wall time | × raw ssh2 floor | runbook is faster by |',
    '|---|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${(r.ms / 1000).toFixed(2)} s | ${(r.ms / floor).toFixed(2)}× | ${r === results[0] ? '—' : `${(r.ms / ours).toFixed(2)}×`} |`),
    '',
    `per-step overhead of runbook over the floor: ${((ours - floor) / STEPS).toFixed(1)} ms per step (all ${HOSTS} hosts)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  await fx.stop();
  rmSync(dir, { recursive: true, force: true });
}
