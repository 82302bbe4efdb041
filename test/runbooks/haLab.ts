// A lab for the HA build's network-facing pieces: three network namespaces on one bridge (their own
// private addresses exist only inside them), the k8s-ha runbook rendered for an inventory whose
// hosts are those namespaces, and helpers to run the real programs (haproxy, keepalived, etcd,
// etcdctl, curl) inside them. Readiness is always polled with a deadline, never slept for.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../src/engine/inventory/inventory.js';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { RenderContext, type RealRender } from '../../src/engine/run/renderContext.js';
import type { Host, Inventory, Runbook, Step } from '../../src/engine/types.js';
import { K8S_HA } from './helpers.js';

/** The lab's addresses: a private /24 that exists only inside the namespaces. */
export const LAB_SUBNET = '10.12.0';
export const VIP = `${LAB_SUBNET}.100`;
export const VIP_PORT = 8443;
export const APISERVER_PORT = 6443;

export interface LabHost {
  /** Inventory name, also the suffix of its namespace. */
  readonly name: string;
  readonly ns: string;
  readonly address: string;
  readonly priority: number;
}

/** The programs the lab drives, with the Debian package that brings each. */
export const LAB_PROGRAMS: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  haproxy: 'haproxy',
  keepalived: 'keepalived',
  etcd: 'etcd-server',
  etcdctl: 'etcd-client',
  openssl: 'openssl',
  curl: 'curl',
  'systemd-analyze': 'systemd',
  unshare: 'util-linux',
  containerd: 'containerd',
  shellcheck: 'shellcheck',
};

export function have(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** Programs missing here, as "program (package)". */
export function missingPrograms(programs: readonly string[] = Object.keys(LAB_PROGRAMS)): string[] {
  return programs.filter((p) => !have(p)).map((p) => `${p} (Debian package ${LAB_PROGRAMS[p]})`);
}

export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface LabProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export class Lab {
  readonly id = randomBytes(3).toString('hex');
  readonly dir: string;
  /** Root-owned directory outside /tmp (keepalived refuses scripts on a world-writable path). */
  readonly runDir: string;
  readonly hosts: readonly LabHost[];
  private readonly bridgeNs: string;
  private readonly procs: LabProcess[] = [];
  private namespaces: string[] = [];

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'rb12-lab-'));
    mkdirSync('/run', { recursive: true });
    this.runDir = mkdtempSync('/run/rb12-lab-');
    this.bridgeNs = `rb12-${this.id}-br`;
    this.hosts = ['a', 'b', 'c'].map((s, i) => ({ name: `lab-${s}`, ns: `rb12-${this.id}-${s}`, address: `${LAB_SUBNET}.${11 + i}`, priority: 120 - 10 * i }));
  }

  /** Create the namespaces: each host's eth0 plugged into one bridge, lo up. */
  up(): void {
    const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: 'pipe' });
    ip('netns', 'add', this.bridgeNs);
    this.namespaces.push(this.bridgeNs);
    ip('-n', this.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', this.bridgeNs, 'link', 'set', 'br0', 'up');
    this.hosts.forEach((h, i) => {
      ip('netns', 'add', h.ns);
      this.namespaces.push(h.ns);
      ip('-n', this.bridgeNs, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
      ip('-n', this.bridgeNs, 'link', 'set', `p${i}`, 'master', 'br0', 'up');
      ip('-n', h.ns, 'link', 'set', 'lo', 'up');
      ip('-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0');
      ip('-n', h.ns, 'link', 'set', 'eth0', 'up');
    });
  }

  /** Stop every process the lab started, then delete its namespaces and directories. */
  async down(): Promise<void> {
    for (const p of this.procs.splice(0).reverse()) await p.stop();
    for (const ns of this.namespaces.splice(0).reverse()) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.runDir, { recursive: true, force: true });
  }

  /** Run a command in a host's namespace to completion. */
  exec(host: LabHost, cmd: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', host.ns, ...cmd], { encoding: 'utf8', env: opts.env ?? process.env, input: opts.input, timeout: opts.timeoutMs ?? 30_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Start a long-running program in a host's namespace (`ip netns exec` execs it: the pid is the program's). */
  start(host: LabHost, cmd: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): LabProcess {
    const child = spawn('ip', ['netns', 'exec', host.ns, ...cmd], { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    const proc: LabProcess = {
      child,
      output: () => out,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killed);
      },
    };
    this.procs.push(proc);
    return proc;
  }

  /** IPv4 addresses on a host's eth0. */
  addresses(host: LabHost): string[] {
    const out = execFileSync('ip', ['-n', host.ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
    return [...out.matchAll(/inet (\S+)\//g)].map((m) => m[1]!);
  }

  /** Names of the hosts whose eth0 carries the VIP now. */
  vipHolders(): string[] {
    return this.hosts.filter((h) => this.addresses(h).includes(VIP)).map((h) => h.name);
  }

  file(name: string, content: string, mode = 0o644): string {
    const p = join(this.dir, name);
    writeFileSync(p, content, { mode });
    return p;
  }

  /** Ansible YAML inventory for the lab: the three namespace hosts are masters, etcd and lb. */
  inventoryYaml(overrides: { lbMode?: 'keepalived' | 'external' } = {}): string {
    const hostLines = this.hosts
      .map((h) => `        ${h.name}:\n          ansible_host: ${h.address}\n          keepalived_priority: ${h.priority}\n          etcd_data_dir: ${join(this.dir, `etcd-data-${h.name}`)}`)
      .join('\n');
    const names = (indent: string) => this.hosts.map((h) => `${indent}${h.name}:`).join('\n');
    const external = overrides.lbMode === 'external';
    return [
      'all:',
      '  vars:',
      `    vip: ${VIP}`,
      '    vip_prefix: 24',
      '    vip_interface: eth0',
      `    vip_port: ${VIP_PORT}`,
      `    etcd_pki_dir: ${join(this.dir, 'etcd-pki')}`,
      `    etcd_ca_dir: ${join(this.dir, 'etcd-ca')}`,
      ...(external ? ['    lb_mode: external'] : []),
      '  children:',
      '    masters:',
      '      hosts:',
      hostLines,
      '    etcd:',
      '      hosts:',
      names('        '),
      '    lb:',
      ...(external ? ['      hosts: {}'] : ['      hosts:', names('        ')]),
      // A worker for rendering only (no namespace): the worker steps render and lint like on a real build.
      '    workers:',
      '      hosts:',
      `        lab-w:\n          ansible_host: ${LAB_SUBNET}.21`,
      '',
    ].join('\n');
  }
}

/** The k8s-ha runbook rendered for the lab inventory through the engine's render API. */
export class LabRender {
  private constructor(
    readonly runbook: Runbook,
    readonly inventory: Inventory,
    readonly ctx: RenderContext,
  ) {}

  static async load(inventoryFile: string, runbookPath = K8S_HA): Promise<LabRender> {
    const runbook = await loadRunbook(runbookPath);
    const inventory = await loadInventory(inventoryFile, { sshConfigFile: null });
    return new LabRender(runbook, inventory, new RenderContext(runbook, inventory, {}));
  }

  step(id: string): Step {
    const s = this.runbook.steps.find((x) => x.id === id);
    if (!s) throw new Error(`the runbook has no step ${id}`);
    return s;
  }

  host(name: string): Host {
    const h = this.inventory.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`the inventory has no host ${name}`);
    return h;
  }

  hostsOf(id: string): Host[] {
    return this.ctx.stepHosts(this.step(id));
  }

  render(id: string, hostName: string): RealRender {
    const step = this.step(id);
    const host = this.ctx.stepHosts(step).find((h) => h.name === hostName) ?? this.host(hostName);
    return this.ctx.render(step, host);
  }

  /** Run a step's rendered script here, as the player would on that host (bash, the step prelude). */
  runHere(id: string, hostName: string): string {
    const r = this.render(id, hostName);
    return execFileSync('bash', ['-c', r.script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** A guard (unless=/verify=) of a step, run here: true when it exits 0. */
  guardHere(text: string): boolean {
    return spawnSync('bash', ['-c', text], { stdio: 'ignore' }).status === 0;
  }
}

/** `KEY=value` lines of an environment file (systemd's EnvironmentFile= syntax, no quoting used). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** `export KEY=value` lines of a profile script. */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}
