import { describe, it, expect } from 'vitest';
import { BadInputError } from '../../src/engine/errors.js';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { renderTemplate } from '../../src/engine/template/render.js';
import { buildHostViews, buildVars, parseVarAssignment, type Captures } from '../../src/engine/template/vars.js';
import type { Runbook } from '../../src/engine/types.js';

function runbook(vars: Record<string, unknown>): Runbook {
  return { path: '/rb.md', title: 'rb', sources: [], sections: [], steps: [], vars, secretVars: [] };
}

const inventory = parseInventory(
  `all:
  vars:
    level: group-all
    from_group: yes-group
  children:
    masters:
      hosts:
        m1: { ansible_host: 10.0.0.1, level: host-m1 }
        m2: { ansible_host: 10.0.0.2, ansible_user: admin }
    workers:
      vars:
        level: group-workers
      hosts:
        w1: { ansible_host: 10.0.1.1 }
`,
  '/inv/hosts.yml',
);
const host = (name: string) => inventory.hosts.find((h) => h.name === name)!;
const noCaptures: Captures = { byHost: {}, global: {} };

describe("Ansible's magic vars in templates", () => {
  it('renders inventory_hostname, inventory_hostname_short, group_names, inventory_file and inventory_dir per host', () => {
    const v = buildVars({ runbook: runbook({}), inventory, host: host('m2'), cliVars: {}, captures: noCaptures });
    const text = '{{ inventory_hostname }} {{ inventory_hostname_short }} {{ group_names | join: "," }} {{ inventory_file }} {{ inventory_dir }}';
    expect(renderTemplate(text, v, { file: 'f.md', line: 1, what: 't' })).toBe('m2 m2 masters /inv/hosts.yml /inv');
  });

  it('keeps an IP address whole in inventory_hostname_short, and shortens a dotted name', () => {
    const inv = parseInventory('[web]\n10.0.0.7\nweb1.example.com\n', '/inv/hosts.ini');
    const short = inv.hosts.map((h) => buildVars({ runbook: runbook({}), inventory: inv, host: h, cliVars: {}, captures: noCaptures }).inventory_hostname_short);
    expect(short).toEqual(['10.0.0.7', 'web1']);
  });

  it('lets an inventory var reference inventory_dir, as key paths relative to the inventory do', () => {
    const inv = parseInventory('all:\n  hosts:\n    a:\n      ansible_ssh_private_key_file: "{{ inventory_dir }}/keys/id_a"\n', '/srv/inv/hosts.yml');
    expect(inv.hosts[0].privateKeyFile).toBe('/srv/inv/keys/id_a');
  });
});

describe('buildVars precedence', () => {
  it('lets inventory group vars override runbook vars', () => {
    const v = buildVars({ runbook: runbook({ level: 'runbook', only_rb: 1 }), inventory, host: host('w1'), cliVars: {}, captures: noCaptures });
    expect(v.level).toBe('group-workers');
    expect(v.only_rb).toBe(1);
  });

  it('lets host vars override group vars', () => {
    const v = buildVars({ runbook: runbook({}), inventory, host: host('m1'), cliVars: {}, captures: noCaptures });
    expect(v.level).toBe('host-m1');
    expect(v.from_group).toBe('yes-group');
  });

  it('lets --var values override host vars', () => {
    const v = buildVars({ runbook: runbook({}), inventory, host: host('m1'), cliVars: { level: 'cli' }, captures: noCaptures });
    expect(v.level).toBe('cli');
  });

  it('lets captured values override --var values', () => {
    const captures: Captures = { byHost: { m1: { level: 'captured' } }, global: {} };
    const v = buildVars({ runbook: runbook({}), inventory, host: host('m1'), cliVars: { level: 'cli' }, captures });
    expect(v.level).toBe('captured');
  });

  it('lets reserved names override every other source', () => {
    const v = buildVars({ runbook: runbook({ host: 'x', groups: 'y' }), inventory, host: host('m1'), cliVars: { hosts: 'z' }, captures: noCaptures });
    expect((v.host as { name: string }).name).toBe('m1');
    expect(Array.isArray((v.groups as Record<string, unknown>).masters)).toBe(true);
    expect(Object.keys(v.hosts as object)).toEqual(['m1', 'm2', 'w1']);
  });
});

describe('captures', () => {
  const captures: Captures = { byHost: { m1: { join_cmd: 'kubeadm join abc', own: 'm1-own' } }, global: { join_cmd: 'kubeadm join abc' } };

  it('makes a global capture usable plainly on every host', () => {
    const v = buildVars({ runbook: runbook({}), inventory, host: host('w1'), cliVars: {}, captures });
    expect(renderTemplate('{{ join_cmd }}', v, { file: 'f.md', line: 1, what: 't' })).toBe('kubeadm join abc');
  });

  it('makes a per-host capture usable plainly only on the host that made it', () => {
    const onM1 = buildVars({ runbook: runbook({}), inventory, host: host('m1'), cliVars: {}, captures });
    const onW1 = buildVars({ runbook: runbook({}), inventory, host: host('w1'), cliVars: {}, captures });
    expect(onM1.own).toBe('m1-own');
    expect(onW1.own).toBeUndefined();
  });

  it('exposes every host capture through hosts.<name>.captured', () => {
    const v = buildVars({ runbook: runbook({}), inventory, host: host('w1'), cliVars: {}, captures });
    expect(renderTemplate('{{ hosts.m1.captured.own }}', v, { file: 'f.md', line: 1, what: 't' })).toBe('m1-own');
  });
});

describe('reserved names', () => {
  const v = buildVars({ runbook: runbook({}), inventory, host: host('m2'), cliVars: {}, captures: noCaptures });

  it('describes the current host as `host`', () => {
    expect(v.host).toEqual({ name: 'm2', address: '10.0.0.2', port: 22, user: 'admin', groups: ['all', 'masters'], vars: { level: 'group-all', from_group: 'yes-group' }, captured: {} });
  });

  it('lists host objects per group in inventory order for loops', () => {
    const text = '{% for h in groups.masters %}server {{ h.name }} {{ h.address }}:6443 check\n{% endfor %}';
    expect(renderTemplate(text, v, { file: 'f.md', line: 1, what: 't' })).toBe('server m1 10.0.0.1:6443 check\nserver m2 10.0.0.2:6443 check\n');
  });

  it('indexes host objects by name in `hosts`', () => {
    expect(renderTemplate('{{ hosts.w1.address }}', v, { file: 'f.md', line: 1, what: 't' })).toBe('10.0.1.1');
  });
});

describe('parseVarAssignment', () => {
  it('splits at the first equals sign', () => {
    expect(parseVarAssignment('url=http://x/?a=b')).toEqual(['url', 'http://x/?a=b']);
  });

  it('accepts an empty value', () => {
    expect(parseVarAssignment('empty=')).toEqual(['empty', '']);
  });

  it.each(['novalue', '=x', '1abc=x', 'a-b=x', 'host=x'])('rejects %s', (text) => {
    expect(() => parseVarAssignment(text)).toThrow(BadInputError);
  });
});

describe('host views shared between hosts (buildHostViews)', () => {
  it('gives every host the same variables as building its views alone', () => {
    const captures: Captures = { byHost: { m1: { token: 'abc' } }, global: { join: 'cmd' } };
    const shared = buildHostViews(inventory, captures);
    for (const name of ['m1', 'm2', 'w1']) {
      const input = { runbook: runbook({ level: 'runbook' }), inventory, host: host(name), cliVars: { x: '1' }, captures };
      expect(buildVars(input, shared)).toEqual(buildVars(input));
    }
  });

  it('still gives a host outside the inventory (the local default) its own view in hosts', () => {
    const local = { ...host('w1'), name: 'outside' };
    const v = buildVars({ runbook: runbook({}), inventory, host: local, cliVars: {}, captures: noCaptures }, buildHostViews(inventory, noCaptures));
    expect((v.host as { name: string }).name).toBe('outside');
    expect(Object.keys(v.hosts as object)).toEqual(['m1', 'm2', 'w1', 'outside']);
  });
});
