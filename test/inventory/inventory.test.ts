import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { BadInputError } from '../../src/engine/errors.js';
import { loadInventory, localInventory, parseInventory, proxyJumpFromSshArgs } from '../../src/engine/inventory/inventory.js';
import type { Inventory } from '../../src/engine/types.js';

const FILE = '/srv/inv/hosts.yml';

const LAYOUT = `all:
  vars:
    env: prod
    tier: none
    ntp: pool.ntp.org
  hosts:
    bastion:
      ansible_host: 203.0.113.5
  children:
    k8s:
      vars:
        tier: k8s
        cluster: main
      children:
        masters:
          vars:
            tier: master
          hosts:
            m1: { ansible_host: 10.0.0.1 }
            m2: { ansible_host: 10.0.0.2, tier: special-m2 }
        workers:
          hosts:
            w1:
            w2:
    monitored:
      hosts:
        m1:
        w2:
`;

function inv(text: string = LAYOUT): Inventory {
  return parseInventory(text, FILE);
}
const host = (i: Inventory, name: string) => i.hosts.find((h) => h.name === name)!;

function badInput(text: string): BadInputError {
  try {
    inv(text);
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return e as BadInputError;
  }
  throw new Error('expected a BadInputError');
}

describe('Ansible YAML layout', () => {
  it('lists hosts in order of first appearance', () => {
    expect(inv().hosts.map((h) => h.name)).toEqual(['bastion', 'm1', 'm2', 'w1', 'w2']);
  });

  it('puts hosts of nested children in every ancestor group', () => {
    expect(inv().groups.k8s).toEqual(['m1', 'm2', 'w1', 'w2']);
    // Ansible's order (Group.get_hosts): all's own hosts, then each child's, breadth first.
    expect(inv().groups.all).toEqual(['bastion', 'm1', 'w2', 'm2', 'w1']);
  });

  it('records a host listed in several groups once, with all its groups', () => {
    const i = inv();
    expect(host(i, 'm1').groups).toEqual(['all', 'k8s', 'masters', 'monitored']);
    expect(i.groups.monitored).toEqual(['m1', 'w2']);
  });

  it('puts hosts that are in no group into ungrouped', () => {
    expect(inv().groups.ungrouped).toEqual(['bastion']);
  });

  it('lets child group vars override parent group vars', () => {
    const i = inv();
    expect(host(i, 'm1').vars.tier).toBe('master');
    expect(host(i, 'w1').vars.tier).toBe('k8s');
    expect(host(i, 'bastion').vars.tier).toBe('none');
  });

  it('inherits group vars down to the hosts of child groups', () => {
    expect(host(inv(), 'w1').vars).toMatchObject({ env: 'prod', cluster: 'main', ntp: 'pool.ntp.org' });
  });

  it('lets host vars override group vars', () => {
    expect(host(inv(), 'm2').vars.tier).toBe('special-m2');
  });

  it('keeps ansible_* connection keys out of Host.vars', () => {
    expect(host(inv(), 'm1').vars).not.toHaveProperty('ansible_host');
  });

  it('accepts top-level groups besides all as children of all', () => {
    const i = inv('web:\n  hosts:\n    a:\ndb:\n  hosts:\n    b:\n');
    expect(i.groups.all).toEqual(['a', 'b']);
    expect(host(i, 'b').groups).toEqual(['all', 'db']);
  });

  it('treats an empty file as an inventory without hosts', () => {
    expect(inv('').hosts).toEqual([]);
  });

  it('merges YAML anchors with << without overriding explicit keys', () => {
    const i = inv('all:\n  hosts:\n    a: &base\n      zone: z1\n      rack: r1\n    b:\n      <<: *base\n      rack: r2\n');
    expect(host(i, 'b').vars).toEqual({ zone: 'z1', rack: 'r2' });
  });

  it('expands host ranges', () => {
    expect(inv('all:\n  hosts:\n    web[01:03].example.com:\n    db-[a:b]:\n').hosts.map((h) => h.name)).toEqual([
      'web01.example.com',
      'web02.example.com',
      'web03.example.com',
      'db-a',
      'db-b',
    ]);
  });
});

describe('connection settings', () => {
  it('uses ansible_host, ansible_port and ansible_user', () => {
    const h = host(inv('all:\n  hosts:\n    a:\n      ansible_host: 10.1.1.1\n      ansible_port: "2222"\n      ansible_user: deploy\n'), 'a');
    expect(h).toMatchObject({ address: '10.1.1.1', port: 2222, user: 'deploy', connection: 'ssh' });
  });

  it('defaults to the inventory name and port 22', () => {
    const h = host(inv('all:\n  hosts:\n    box.example.com:\n'), 'box.example.com');
    expect(h).toMatchObject({ address: 'box.example.com', port: 22, connection: 'ssh' });
    expect(h.user).toBeUndefined();
  });

  it('takes a port from a `name:port` host key', () => {
    expect(host(inv('all:\n  hosts:\n    box:2200:\n'), 'box').port).toBe(2200);
  });

  it('takes connection settings from group vars', () => {
    expect(host(inv('all:\n  vars:\n    ansible_user: ops\n  hosts:\n    a:\n'), 'a').user).toBe('ops');
  });

  it('resolves a relative private key path against the inventory directory', () => {
    const h = host(inv('all:\n  hosts:\n    a:\n      ansible_ssh_private_key_file: keys/id_ed25519\n'), 'a');
    expect(h.privateKeyFile).toBe('/srv/inv/keys/id_ed25519');
  });

  it('expands ~ in the private key path', () => {
    const h = host(inv('all:\n  hosts:\n    a:\n      ansible_ssh_private_key_file: ~/.ssh/id_rsa\n'), 'a');
    expect(h.privateKeyFile).toBe(path.join(os.homedir(), '.ssh/id_rsa'));
  });

  it('honours ansible_connection: local', () => {
    expect(host(inv('all:\n  hosts:\n    me:\n      ansible_connection: local\n'), 'me').connection).toBe('local');
  });

  it('reads a ProxyJump from ansible_ssh_common_args', () => {
    const h = host(inv('all:\n  hosts:\n    a:\n      ansible_ssh_common_args: "-o StrictHostKeyChecking=no -o ProxyJump=ops@jump.example.com:2022"\n'), 'a');
    expect(h.jump).toEqual([{ name: 'jump.example.com', address: 'jump.example.com', port: 2022, user: 'ops' }]);
  });

  it('reads a -J chain from ansible_ssh_common_args', () => {
    const h = host(inv("all:\n  hosts:\n    a:\n      ansible_ssh_common_args: '-J j1,root@j2:2200'\n"), 'a');
    expect(h.jump).toEqual([
      { name: 'j1', address: 'j1', port: 22 },
      { name: 'j2', address: 'j2', port: 2200, user: 'root' },
    ]);
  });

  it.each([
    ['-J bastion', 'bastion'],
    ['-Jbastion', 'bastion'],
    ['-o ProxyJump=a@b:1', 'a@b:1'],
    ['-oProxyJump=x', 'x'],
    ["-o 'ProxyJump x,y'", 'x,y'],
    ['-o Compression=yes', undefined],
  ])('finds the jump spec in ssh args %s', (args, spec) => {
    expect(proxyJumpFromSshArgs(args)).toBe(spec);
  });
});

describe('secret vars', () => {
  it('lists vars with secret-looking names and vars declared secret', () => {
    const i = inv('all:\n  vars:\n    join_token: abcd\n    plain: 1\n  hosts:\n    a:\n      db_pass: { value: hunter22, secret: true }\n');
    expect(i.secretVars).toEqual(['join_token', 'db_pass']);
  });

  it('unwraps the value of a var declared secret', () => {
    expect(host(inv('all:\n  hosts:\n    a:\n      db_pass: { value: hunter22, secret: true }\n'), 'a').vars.db_pass).toBe('hunter22');
  });
});

describe('bad inventories', () => {
  it('reports malformed YAML with its line', () => {
    const e = badInput('all:\n  hosts:\n    a:\n   b: [\n');
    expect(e.file).toBe(FILE);
    expect(e.line).toBeGreaterThanOrEqual(4);
    expect(e.message).toContain('bad YAML');
  });

  it('reports a list where a mapping is expected, with its line', () => {
    const e = badInput('all:\n  hosts:\n    - a\n    - b\n');
    expect(e.message).toBe('hosts of group `all` must be a mapping, not a list');
    expect(e.line).toBe(3);
  });

  it('reports a bad port with the line of the value', () => {
    const e = badInput('all:\n  hosts:\n    a:\n      ansible_port: 99999\n');
    expect(e.message).toContain('bad ansible_port `99999`');
    expect(e.line).toBe(4);
  });

  it('reports an unexpected key in a group', () => {
    const e = badInput('all:\n  host:\n    a:\n');
    expect(e.message).toContain('unexpected key `host` in group `all`');
    expect(e.line).toBe(2);
  });

  it('reports a bad group name', () => {
    expect(badInput('all:\n  children:\n    "web servers":\n').message).toContain('bad group name');
  });

  it('reports an unsupported connection type', () => {
    expect(badInput('all:\n  hosts:\n    a:\n      ansible_connection: docker\n').line).toBe(4);
  });

  it('reports a duplicate host key', () => {
    expect(badInput('all:\n  hosts:\n    a:\n    a:\n').line).toBe(4);
  });

  it('reports a missing inventory file', async () => {
    await expect(loadInventory('/nonexistent/dir/hosts.yml', { sshConfigFile: null })).rejects.toBeInstanceOf(BadInputError);
  });
});

describe('loadInventory', () => {
  it('reads the file and records its path', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'inv-'));
    const file = path.join(dir, 'hosts.yml');
    writeFileSync(file, 'all:\n  hosts:\n    a:\n');
    const i = await loadInventory(file, { sshConfigFile: null });
    expect(i.file).toBe(file);
    expect(i.hosts.map((h) => h.name)).toEqual(['a']);
  });
});

describe('localInventory', () => {
  it('holds one local host named local in group all', () => {
    const i = localInventory();
    expect(i.hosts).toEqual([{ name: 'local', address: 'localhost', port: 22, connection: 'local', groups: ['all'], vars: {} }]);
    expect(i.groups).toEqual({ all: ['local'] });
  });
});
