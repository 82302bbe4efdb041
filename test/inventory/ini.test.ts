import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/engine/errors.js';
import { loadInventory, parseInventory } from '../../src/engine/inventory/inventory.js';
import { pythonLiteral, shlexSplit } from '../../src/engine/inventory/pyLiteral.js';
import type { Inventory } from '../../src/engine/types.js';

const FILE = '/srv/inv/hosts.ini';
const ini = (text: string): Inventory => parseInventory(text, FILE);
const host = (i: Inventory, name: string) => i.hosts.find((h) => h.name === name)!;

function badInput(fn: () => unknown): BadInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return e as BadInputError;
  }
  throw new Error('expected a BadInputError');
}

async function badInputAsync(p: Promise<unknown>): Promise<BadInputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return e as BadInputError;
  }
  throw new Error('expected a BadInputError');
}

describe('INI inventory format', () => {
  it('is picked by content for a file without extension', () => {
    const i = parseInventory('[web]\nw1 ansible_host=10.0.0.1\n', '/srv/inv/hosts');
    expect(host(i, 'w1').address).toBe('10.0.0.1');
  });

  it('is used for a .ini file, and YAML for a file without extension that holds the YAML layout', () => {
    expect(ini('[db]\nd1\n').groups.db).toEqual(['d1']);
    expect(parseInventory('all:\n  hosts:\n    y1:\n', '/srv/inv/hosts').groups.all).toEqual(['y1']);
  });

  it('puts hosts before any section in ungrouped', () => {
    expect(ini('h0\n[web]\nw1\n').groups.ungrouped).toEqual(['h0']);
  });

  it('skips # and ; comment lines and a trailing # comment', () => {
    const i = ini('# c\n; c\n[web]\nw1 a=1 # the rest is a comment b=2\n');
    expect(host(i, 'w1').vars).toEqual({ a: 1 });
  });

  it('applies [group:vars] to the group and its children', () => {
    const i = ini('[m]\nm1\n[k:children]\nm\n[k:vars]\nx=1\n');
    expect(host(i, 'm1').vars.x).toBe(1);
  });

  it('takes a port from host:port', () => {
    expect(host(ini('[web]\nw1:2222\n'), 'w1').port).toBe(2222);
  });

  it('expands ranges with strides and an empty start', () => {
    expect(ini('[a]\nn[1:9:4]\nm[:2]\nx-[a:c]\n').groups.a).toEqual(['n1', 'n5', 'n9', 'm0', 'm1', 'm2', 'x-a', 'x-b', 'x-c']);
  });

  it('keeps a group\'s members in the order the group lists them', () => {
    const i = ini('[workers]\nw1\n[masters]\nm3\nm1\nm2\n');
    expect(i.groups.masters).toEqual(['m3', 'm1', 'm2']);
  });

  it('types values as Ansible does', () => {
    expect(pythonLiteral('42')).toBe(42);
    expect(pythonLiteral('True')).toBe(true);
    expect(pythonLiteral('None')).toBe(null);
    expect(pythonLiteral('[1, "a"]')).toEqual([1, 'a']);
    expect(pythonLiteral('{"a": (1, 2)}')).toEqual({ a: [1, 2] });
    expect(pythonLiteral('007')).toBe('007');
    expect(pythonLiteral('yes')).toBe('yes');
    expect(pythonLiteral("'a' 'b'")).toBe('ab');
  });

  it('splits host lines as Python shlex does', () => {
    expect(shlexSplit(`h a="x y" b='c d' e=f\\ g h#i`)).toEqual(['h', 'a=x y', 'b=c d', 'e=f g', 'h']);
  });
});

describe('bad INI inventories', () => {
  it('names file and line of a malformed section', () => {
    const e = badInput(() => ini('[web]\nw1\n[web servers]\n'));
    expect(e.located).toMatch(/^\/srv\/inv\/hosts\.ini:3: invalid section/);
  });

  it('says a section header is missing its `]`, not that a host range is bad', () => {
    const e = badInput(() => ini('[web]\nw1\n[web:children\n'));
    expect(e.located).toMatch(/^\/srv\/inv\/hosts\.ini:3: section header `\[web:children` is missing its closing `\]`/);
    expect(e.located).not.toMatch(/range/);
  });

  it('still reads a host range on a line of its own as a host pattern', () => {
    expect(badInput(() => ini('[web]\nweb[01:x]\n')).located).toMatch(/hosts\.ini:2: bad host range in `web\[01:x\]`/);
  });

  it('names the line of a host var without =', () => {
    expect(badInput(() => ini('\n[web]\nw1 novalue\n')).located).toMatch(/hosts\.ini:3: expected key=value/);
  });

  it('names the line of an unclosed quote', () => {
    expect(badInput(() => ini('[web]\nw1 a="x\n')).line).toBe(2);
  });

  it('refuses vars for a group that is never defined', () => {
    expect(badInput(() => ini('[ghost:vars]\na=1\n')).located).toMatch(/hosts\.ini:1: section \[ghost:vars\]/);
  });

  it('refuses a child group that is never defined', () => {
    expect(badInput(() => ini('[k:children]\nghost\n')).line).toBe(2);
  });

  it('refuses a group loop', () => {
    expect(badInput(() => ini('[a]\n[b]\n[a:children]\nb\n[b:children]\na\n')).message).toContain('loop');
  });

  it('refuses an empty range', () => {
    expect(badInput(() => ini('[a]\nn[5:1]\n')).line).toBe(2);
  });
});

describe('refusals', () => {
  it('refuses a !vault value, naming its line', () => {
    const e = badInput(() => parseInventory('all:\n  vars:\n    db_password: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6231\n', '/srv/inv/h.yml'));
    expect(e.located).toMatch(/h\.yml:3: `db_password` is an Ansible Vault value/);
    expect(e.hint).toContain('ansible-vault decrypt');
  });

  it('refuses a dynamic inventory plugin with the conversion recipe', () => {
    const e = badInput(() => parseInventory('plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n', '/srv/inv/aws_ec2.yml'));
    expect(e.located).toMatch(/aws_ec2\.yml:1: `plugin: amazon\.aws\.aws_ec2` is a dynamic inventory/);
    expect(e.hint).toContain('ansible-inventory -i /srv/inv/aws_ec2.yml --list -y > inventory.yaml');
  });

  it('refuses an inventory script', () => {
    expect(badInput(() => parseInventory('#!/usr/bin/env python3\nprint(1)\n', '/srv/inv/ec2.py')).message).toContain('script');
  });

  it.each(['ansible_password', 'ansible_ssh_pass', 'ansible_become_password'])('refuses %s, naming its line', (v) => {
    const e = badInput(() => ini(`[web]\nw1\n[web:vars]\n${v}=hunter22\n`));
    expect(e.line).toBe(4);
    expect(e.message).toContain('password');
  });

  it('refuses an unreadable group_vars file with its path', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rb8-'));
    writeFileSync(path.join(dir, 'hosts'), '[web]\nw1\n');
    mkdirSync(path.join(dir, 'group_vars'));
    writeFileSync(path.join(dir, 'group_vars', 'web.yml'), 'a: [\n');
    const e = await badInputAsync(loadInventory(path.join(dir, 'hosts'), { sshConfigFile: null }));
    expect(e.file).toBe(path.join(dir, 'group_vars', 'web.yml'));
    expect(e.message).toContain('bad YAML in vars file');
    writeFileSync(path.join(dir, 'group_vars', 'web.yml'), 'a: 1\n');
    chmodSync(path.join(dir, 'group_vars', 'web.yml'), 0o000);
    if (process.getuid?.() !== 0) {
      expect((await badInputAsync(loadInventory(path.join(dir, 'hosts'), { sshConfigFile: null }))).message).toContain('cannot read vars file');
    }
  });

  it('refuses a group_vars file that is not a mapping, with its line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rb8-'));
    writeFileSync(path.join(dir, 'hosts'), '[web]\nw1\n');
    mkdirSync(path.join(dir, 'group_vars'));
    writeFileSync(path.join(dir, 'group_vars', 'all'), '# vars\n- a\n- b\n');
    const e = await badInputAsync(loadInventory(path.join(dir, 'hosts'), { sshConfigFile: null }));
    expect(e.located).toBe(`${path.join(dir, 'group_vars', 'all')}:2: a vars file must be a mapping, not a list`);
  });
});

describe('Jinja in inventory vars', () => {
  it('renders references to other vars and to inventory_hostname', () => {
    const i = ini('[web]\nw1 ansible_host=10.0.0.1 ip="{{ ansible_host }}" fqdn="{{ inventory_hostname }}.example.com"\n');
    expect(host(i, 'w1').vars).toMatchObject({ ip: '10.0.0.1', fqdn: 'w1.example.com' });
  });

  it('keeps other Jinja as written and warns, naming the variable and its line', () => {
    const i = parseInventory("all:\n  hosts:\n    a:\n  vars:\n    api: \"{{ hostvars[groups['server'][0]]['ansible_host'] }}\"\n", '/srv/inv/h.yml');
    expect(host(i, 'a').vars.api).toContain('hostvars');
    expect(i.warnings).toEqual([expect.stringMatching(/^\/srv\/inv\/h\.yml:5: `api` holds Jinja/)]);
  });
});

describe('become', () => {
  it('makes every step run through sudo as ansible_become_user', () => {
    expect(host(ini('[db]\nd1 ansible_become=true ansible_become_user=postgres\n'), 'd1').become).toEqual({ user: 'postgres' });
    expect(host(ini('[db]\nd1 ansible_become=yes\n'), 'd1').become).toEqual({ user: 'root' });
  });

  it('refuses a become method other than sudo', () => {
    expect(badInput(() => ini('[db]\nd1 ansible_become=true ansible_become_method=su\n')).message).toContain('ansible_become_method `su`');
  });
});

describe('inventory sources', () => {
  it('reads a comma list as hosts in ungrouped', async () => {
    const i = await loadInventory('a1,a2:2200,', { sshConfigFile: null });
    expect(i.groups.ungrouped).toEqual(['a1', 'a2']);
    expect(host(i, 'a2').port).toBe(2200);
  });

  it('reports an inventory that does not exist', async () => {
    expect((await badInputAsync(loadInventory('/nonexistent/hosts', { sshConfigFile: null }))).message).toBe('inventory file not found');
  });
});
