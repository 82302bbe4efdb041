import { describe, it, expect } from 'vitest';
import { BadInputError } from '../../src/engine/errors.js';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { resolvePattern } from '../../src/engine/inventory/patterns.js';

const inv = parseInventory(
  `all:
  hosts:
    bastion:
  children:
    web:
      hosts:
        web1:
        web2:
        web3:
    db:
      hosts:
        db1:
        db2:
    prod:
      hosts:
        web1:
        db1:
    staging:
      hosts:
        web3:
`,
  'hosts.yml',
);

const names = (pattern: string) => resolvePattern(inv, pattern).hosts.map((h) => h.name);
const unknown = (pattern: string) => resolvePattern(inv, pattern).unknown;

describe('resolvePattern', () => {
  it('resolves all and * to every inventory host in order', () => {
    expect(names('all')).toEqual(['bastion', 'web1', 'web2', 'web3', 'db1', 'db2']);
    expect(names('*')).toEqual(names('all'));
  });

  it('resolves a group to its hosts', () => {
    expect(names('web')).toEqual(['web1', 'web2', 'web3']);
  });

  it('resolves a host name to that host', () => {
    expect(names('db2')).toEqual(['db2']);
  });

  it('resolves ungrouped to hosts in no other group', () => {
    expect(names('ungrouped')).toEqual(['bastion']);
  });

  it.each([
    ['web[0]', ['web1']],
    ['web[-1]', ['web3']],
    ['web[1:]', ['web2', 'web3']],
    ['web[:1]', ['web1', 'web2']],
    ['web[0:1]', ['web1', 'web2']],
    ['web[5]', []],
  ])('applies the subscript %s (end included, as in Ansible)', (pattern, expected) => {
    expect(names(pattern)).toEqual(expected);
  });

  it('unions terms separated by commas or colons, in the order the terms match (as ansible --list-hosts), without duplicates', () => {
    expect(names('db,web1,prod')).toEqual(['db1', 'db2', 'web1']);
    expect(names('db:web1')).toEqual(['db1', 'db2', 'web1']);
  });

  it('intersects with &name', () => {
    expect(names('web,&prod')).toEqual(['web1']);
    expect(names('web:&prod')).toEqual(['web1']);
  });

  it('excludes with !name', () => {
    expect(names('web,!staging')).toEqual(['web1', 'web2']);
  });

  it('applies exclusions after unions whatever their position', () => {
    expect(names('!staging,web')).toEqual(['web1', 'web2']);
  });

  it('starts from all when there are only exclusions', () => {
    expect(names('!web')).toEqual(['bastion', 'db1', 'db2']);
  });

  it('matches shell wildcards against host and group names', () => {
    expect(names('web*')).toEqual(['web1', 'web2', 'web3']);
    expect(names('db?')).toEqual(['db1', 'db2']);
    expect(names('st*')).toEqual(['web3']);
  });

  it('matches ~regular expressions', () => {
    expect(names('~(bastion|db1)')).toEqual(['bastion', 'db1']);
  });

  it('reports names that match no group or host as unknown', () => {
    expect(resolvePattern(inv, 'web,nope,!gone')).toEqual({ hosts: expect.any(Array), unknown: ['nope', 'gone'] });
    expect(names('web,nope')).toEqual(['web1', 'web2', 'web3']);
  });

  it('reports a wildcard that matches nothing as unknown', () => {
    expect(unknown('zz*')).toEqual(['zz*']);
  });

  it('reports a subscript of an unknown group as unknown', () => {
    expect(unknown('nope[0]')).toEqual(['nope[0]']);
  });

  it('rejects an empty pattern', () => {
    expect(() => resolvePattern(inv, ' ')).toThrow(BadInputError);
  });
});

describe('the local pattern', () => {
  it('resolves to the synthetic local host when the inventory has none', () => {
    const r = resolvePattern(inv, 'local');
    expect(r.unknown).toEqual([]);
    expect(r.hosts).toEqual([{ name: 'local', address: 'localhost', port: 22, connection: 'local', groups: ['all'], vars: {} }]);
  });

  it('keeps the synthetic local host out of all', () => {
    expect(names('all')).not.toContain('local');
  });

  it('can be combined with inventory hosts', () => {
    expect(names('db1,local')).toEqual(['db1', 'local']);
  });

  it('means the inventory host when the inventory names one local', () => {
    const own = parseInventory('all:\n  hosts:\n    local:\n      ansible_host: 10.9.9.9\n', 'h.yml');
    expect(resolvePattern(own, 'local').hosts.map((h) => h.address)).toEqual(['10.9.9.9']);
  });
});
