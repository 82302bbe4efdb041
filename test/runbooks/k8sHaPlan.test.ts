// The flagship runbook (runbooks/k8s-ha) rendered by `runbook plan` for the example inventory:
// every step renders for every host it targets, and the configs it writes are right for that
// inventory (haproxy backends, keepalived roles, etcd membership, kubeadm endpoint and subnets).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { RenderContext } from '../../src/engine/run/renderContext.js';
import type { Inventory, Runbook } from '../../src/engine/types.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { EXAMPLE_INVENTORY, K8S_HA, exampleInventory } from './helpers.js';

interface PlanEntry {
  step: string;
  host: string;
  error?: string;
  script?: string;
  file?: { path: string; content: string; mode?: string; owner?: string };
  unless?: string;
  verify?: string;
}

let runbook: Runbook;
let inventory: Inventory;
let textPlan: CliResult;
let plan: PlanEntry[];

const planArgs = (state: string): string[] => ['plan', K8S_HA, '-i', EXAMPLE_INVENTORY, '--no-ssh-config', '--state', state];

beforeAll(async () => {
  runbook = await loadRunbook(K8S_HA);
  inventory = await exampleInventory();
  const dir = mkdtempSync(join(tmpdir(), 'runbook-k8s-plan-'));
  const state = join(dir, 'state.jsonl');
  const [text, json] = await Promise.all([runCli(planArgs(state), { cwd: dir }), runCli([...planArgs(state), '--json'], { cwd: dir })]);
  textPlan = text;
  expect(json.code, json.stderr).toBe(0);
  plan = JSON.parse(json.stdout) as PlanEntry[];
});

const entries = (step: string): PlanEntry[] => plan.filter((e) => e.step === step);
const entry = (step: string, host: string): PlanEntry => {
  const e = plan.find((x) => x.step === step && x.host === host);
  if (!e) throw new Error(`plan has no entry for step ${step} on host ${host}`);
  return e;
};
const group = (name: string) => (inventory.groups[name] ?? []).map((n) => inventory.hosts.find((h) => h.name === n)!);
const globalVar = (name: string): string => String(inventory.hosts[0]!.vars[name] ?? runbook.vars[name]);

describe('runbook plan runbooks/k8s-ha with the example inventory', () => {
  it('exits 0 and says every step rendered for every targeted host', () => {
    expect(textPlan.code, textPlan.stderr).toBe(0);
    expect(textPlan.stdout).toMatch(new RegExp(`${runbook.steps.length} steps rendered for every targeted host`));
    expect(textPlan.stdout).not.toContain('✖');
  });

  it('renders each step on exactly the hosts its pattern targets, without a render error', () => {
    const ctx = new RenderContext(runbook, inventory, {});
    const expected = runbook.steps.flatMap((s) => ctx.stepHosts(s).map((h) => `${s.id}@${h.name}`));
    expect(plan.map((e) => `${e.step}@${e.host}`)).toEqual(expected);
    expect(plan.filter((e) => e.error)).toEqual([]);
    for (const s of runbook.steps) expect(entries(s.id).length, `step ${s.id} targets no host`).toBeGreaterThan(0);
  });

  it('leaves no undefined variable or unrendered Liquid in any script, guard or file', () => {
    for (const e of plan) {
      const text = [e.script, e.file?.path, e.file?.content, e.unless, e.verify].filter(Boolean).join('\n');
      expect(text, `${e.step}@${e.host}`).not.toMatch(/\{\{|\{%|undefined/);
    }
  });

  it('renders the inventory-driven step targets the build relies on', () => {
    const names = (step: string) => entries(step).map((e) => e.host);
    expect(names('kubeadm-init')).toEqual([group('masters')[0]!.name]);
    expect(names('join-masters')).toEqual(group('masters').slice(1).map((h) => h.name));
    expect(names('join-workers')).toEqual(group('workers').map((h) => h.name));
    expect(names('etcd-start')).toEqual(group('etcd').map((h) => h.name));
    expect(names('haproxy-config')).toEqual(group('lb').map((h) => h.name));
  });
});

describe('haproxy', () => {
  it('has a backend server line for each of the 3 masters, with their addresses, on every lb host', () => {
    const masters = group('masters');
    expect(masters).toHaveLength(3);
    for (const e of entries('haproxy-config')) {
      const cfg = e.file!.content;
      expect(e.file!.path).toBe('/etc/haproxy/haproxy.cfg');
      const servers = cfg.split('\n').filter((l) => /^\s*server\s/.test(l));
      expect(servers).toHaveLength(3);
      for (const m of masters) expect(cfg).toMatch(new RegExp(`^\\s*server ${m.name} ${m.address.replaceAll('.', '\\.')}:6443 check`, 'm'));
    }
  });

  it('forwards TCP from the VIP port (mode tcp frontend bound to vip_port)', () => {
    const cfg = entry('haproxy-config', group('lb')[0]!.name).file!.content;
    const frontend = cfg.slice(cfg.indexOf('frontend '), cfg.indexOf('backend '));
    expect(frontend).toContain(`bind *:${globalVar('vip_port')}`);
    expect(frontend).toMatch(/^\s*mode tcp$/m);
  });
});

describe('keepalived', () => {
  const conf = (host: string): string => entry('keepalived-config', host).file!.content;

  it('gives every lb host a distinct priority, taken from its keepalived_priority host var', () => {
    const lb = group('lb');
    const priorities = lb.map((h) => Number(/^\s*priority (\d+)$/m.exec(conf(h.name))?.[1]));
    expect(priorities).toEqual(lb.map((h) => Number(h.vars.keepalived_priority)));
    expect(new Set(priorities).size).toBe(lb.length);
  });

  it('starts every lb host as BACKUP with nopreempt, never as MASTER', () => {
    for (const h of group('lb')) {
      expect(conf(h.name)).toMatch(/^\s*state BACKUP$/m);
      expect(conf(h.name)).toMatch(/^\s*nopreempt$/m);
      expect(conf(h.name)).not.toMatch(/state MASTER/);
    }
  });

  it('tracks a check script without weight, so a failing check releases the VIP despite nopreempt', () => {
    const c = conf(group('lb')[0]!.name);
    const script = /vrrp_script (\S+) \{([^}]*)\}/.exec(c);
    expect(script).not.toBeNull();
    expect(script![2]).not.toMatch(/weight/);
    expect(c).toMatch(new RegExp(`track_script \\{\\s*${script![1]}\\s*\\}`));
    expect(c).toContain(`${globalVar('vip')}/${globalVar('vip_prefix')}`);
  });

  it('writes the check script as a file block whose shell text is not expanded at write time', () => {
    const step = runbook.steps.find((s) => s.id === 'keepalived-check-script')!;
    expect(step.kind).toBe('file');
    for (const h of group('lb')) {
      const f = entry('keepalived-check-script', h.name).file!;
      // What keepalived runs is the block verbatim: only the Liquid variables are filled in, every
      // $(...), $VAR and command stays shell text to be evaluated at each check.
      expect(f.content).toBe(step.body.replaceAll('{{ vip_port }}', globalVar('vip_port')) + (step.body.endsWith('\n') ? '' : '\n'));
      expect(f.content).toMatch(/\$\(/);
      expect(f.content.startsWith('#!/bin/bash\n')).toBe(true);
      expect(f.mode).toBe('0755');
      expect(conf(h.name)).toContain(`script "${f.path}"`);
    }
  });
});

describe('external etcd', () => {
  it("lists every member with its peer URL in each member's initial cluster", () => {
    const etcd = group('etcd');
    const members = etcd.map((h) => `${String(h.vars.etcd_name ?? h.name)}=https://${h.address}:2380`);
    for (const h of etcd) {
      const env = entry('etcd-env-file', h.name).file!.content;
      const initial = /^ETCD_INITIAL_CLUSTER=(.*)$/m.exec(env)?.[1]?.split(',');
      expect(initial).toEqual(members);
      expect(env).toMatch(new RegExp(`^ETCD_NAME=${String(h.vars.etcd_name ?? h.name)}$`, 'm'));
      expect(env).toContain(`ETCD_INITIAL_ADVERTISE_PEER_URLS=https://${h.address}:2380`);
    }
  });

  it('puts every etcd host name and address into the member certificate SANs', () => {
    const cnf = entries('etcd-openssl-config')[0]!.file!.content;
    for (const h of group('etcd')) {
      expect(cnf).toMatch(new RegExp(`^DNS\\.\\d+ = ${h.name}$`, 'm'));
      expect(cnf).toMatch(new RegExp(`^IP\\.\\d+ = ${h.address.replaceAll('.', '\\.')}$`, 'm'));
    }
  });
});

describe('kubeadm and flannel', () => {
  const docs = () => parseAllDocuments(entries('kubeadm-config')[0]!.file!.content).map((d) => d.toJS() as Record<string, any>);

  it('uses the VIP as controlPlaneEndpoint and the external etcd members as endpoints', () => {
    const cluster = docs().find((d) => d.kind === 'ClusterConfiguration')!;
    expect(cluster.apiVersion).toBe('kubeadm.k8s.io/v1beta4');
    expect(cluster.controlPlaneEndpoint).toBe(`${globalVar('vip')}:${globalVar('vip_port')}`);
    expect(cluster.etcd.external.endpoints).toEqual(group('etcd').map((h) => `https://${h.address}:2379`));
  });

  it("gives kubeadm's podSubnet the same network flannel's manifest is set to", () => {
    const cluster = docs().find((d) => d.kind === 'ClusterConfiguration')!;
    const podSubnet = cluster.networking.podSubnet as string;
    expect(podSubnet).toBe(globalVar('pod_subnet'));
    const flannel = entries('flannel-manifest')[0]!.file!;
    const config = parseAllDocuments(flannel.content).map((d) => d.toJS() as Record<string, any>).find((d) => d.kind === 'ConfigMap')!;
    expect(JSON.parse(config.data['net-conf.json']).Network).toBe(podSubnet);
  });

  it('ships the flannel manifest as a file with every image from flannel_image_repository, nothing from github.com', () => {
    const flannel = entries('flannel-manifest')[0]!;
    expect(flannel.file!.path).toBe('/etc/kubernetes/addons/kube-flannel.yml');
    const images = [...flannel.file!.content.matchAll(/^\s*image: (\S+)$/gm)].map((m) => m[1]!);
    expect(images.length).toBe(3);
    for (const image of images) expect(image.startsWith(`${globalVar('flannel_image_repository')}/`), image).toBe(true);
    for (const e of plan) expect([e.script, e.file?.content].join('\n'), `${e.step}@${e.host}`).not.toContain('github.com/flannel-io');
  });

  it("lists every Kubernetes node's inventory address as a flannel --iface, so each node uses its own", () => {
    const content = entries('flannel-manifest')[0]!.file!.content;
    const ifaces = [...content.matchAll(/--iface=(\S+)/g)].map((m) => m[1]);
    expect(ifaces).toEqual([...group('masters'), ...group('workers')].map((h) => h.address));
  });

  it('gives every kubelet its inventory address as node-ip (init config and the kubelet defaults file)', () => {
    const init = docs().find((d) => d.kind === 'InitConfiguration')!;
    expect(init.nodeRegistration.kubeletExtraArgs).toEqual([{ name: 'node-ip', value: group('masters')[0]!.address }]);
    for (const h of [...group('masters'), ...group('workers')]) {
      expect(entry('kubelet-node-ip-deb', h.name).file!.content).toContain(`KUBELET_EXTRA_ARGS=--node-ip=${h.address}\n`);
    }
  });

  it('names the CRI socket for init and for both joins', () => {
    const init = docs().find((d) => d.kind === 'InitConfiguration')!;
    const socket = globalVar('cri_socket');
    expect(init.nodeRegistration.criSocket).toBe(socket);
    for (const step of ['join-masters', 'join-workers']) for (const e of entries(step)) expect(e.script).toContain(`--cri-socket "${socket}"`);
  });
});

describe('role targeting with dedicated etcd and lb hosts', () => {
  const INVENTORY = `all:
  vars:
    vip: 10.20.0.100
  children:
    masters:
      hosts:
        m1: {ansible_host: 10.20.0.11}
        m2: {ansible_host: 10.20.0.12}
        m3: {ansible_host: 10.20.0.13}
    etcd:
      hosts:
        e1: {ansible_host: 10.20.0.21}
        e2: {ansible_host: 10.20.0.22}
        e3: {ansible_host: 10.20.0.23}
    lb:
      hosts:
        l1: {ansible_host: 10.20.0.31, keepalived_priority: 150}
        l2: {ansible_host: 10.20.0.32, keepalived_priority: 140}
    workers:
      hosts:
        w1: {ansible_host: 10.20.0.41}
`;
  // Steps that install or configure Kubernetes-node software: never on a dedicated etcd or lb host
  // (a kubelet there never gets a config and crash-loops forever).
  const NODE_ONLY = /^(kube-repo-|kube-packages-install|kubelet-|containerd-|crictl-config|pause-image-pull|prepare-modules-|prepare-sysctl-|prepare-swap-off|kube-proxy-mode)/;

  it('renders without error, and gives etcd-only and lb-only hosts no kubelet, kubeadm, containerd or node kernel setup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-k8s-roles-'));
    const inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, INVENTORY);
    const r = await runCli(['plan', K8S_HA, '-i', inv, '--no-ssh-config', '--json', '--state', join(dir, 'state.jsonl')], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rolePlan = JSON.parse(r.stdout) as PlanEntry[];
    expect(rolePlan.filter((e) => e.error)).toEqual([]);
    const nodeSteps = rolePlan.filter((e) => NODE_ONLY.test(e.step));
    expect(new Set(nodeSteps.map((e) => e.step)).size).toBeGreaterThan(15);
    expect([...new Set(nodeSteps.map((e) => e.host))].sort()).toEqual(['m1', 'm2', 'm3', 'w1']);
    // They still get what their role needs.
    expect(rolePlan.filter((e) => e.step === 'etcd-start').map((e) => e.host)).toEqual(['e1', 'e2', 'e3']);
    expect(rolePlan.filter((e) => e.step === 'lb-start').map((e) => e.host)).toEqual(['l1', 'l2']);
    expect(rolePlan.filter((e) => e.step === 'prepare-hosts-merge').map((e) => e.host).sort()).toEqual(['e1', 'e2', 'e3', 'l1', 'l2', 'm1', 'm2', 'm3', 'w1']);
  });
});
