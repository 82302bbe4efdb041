// Fuzzing the Ansible YAML inventory parser: an Inventory, or a BadInputError naming the file
// and a line — for generated inventories, mutations of a valid one, garbage and deep nesting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/engine/errors.js';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { anyText, binaryText, deepYaml, expectValidOrBadInput, fcOptions, hugeLine, mutate, nestedYaml, FUZZ_TIMEOUT } from './support.js';

const FILE = 'fuzz/inventory.yaml';
// A line is asked for whenever the text has any content to point at.
const check2 = (text: string) => expectValidOrBadInput(() => parseInventory(text, FILE), FILE, { needLine: text.trim() !== '', maxLine: text.split('\n').length + 1 });
const check = (text: string): void => void check2(text);

const VALID = `all:
  vars:
    ansible_user: ops
    join_token: abcdef.0123456789abcdef
    db_password: {value: hunter22, secret: true}
  hosts:
    lb1:
      ansible_host: 10.0.0.10
      ansible_port: 2222
  children:
    masters:
      hosts:
        m1: {ansible_host: 10.0.0.1, ansible_ssh_private_key_file: ~/.ssh/id_ed25519}
        m[2:3]:
      vars:
        role: master
    workers:
      hosts:
        w1:
          ansible_host: 10.0.0.21
          ansible_connection: local
      children:
        masters:
`;

const scalar = fc.oneof(
  fc.constantFrom('10.0.0.1', '::1', 'host.example', '22', '0', '65536', '-1', 'abc', '~', 'null', 'true', '[]', '{}', '[a, b]', '{a: 1}', 'ssh', 'local', 'docker', '"quoted"', "'q'", '&x 1', '*x', '*nope', '!!binary aGk=', '!!js/undefined', '{value: s3cret, secret: true}', '{value: 1, secret: "yes"}'),
  anyText.map((s) => JSON.stringify(s)),
);
const varName = fc.oneof(fc.constantFrom('ansible_host', 'ansible_port', 'ansible_user', 'ansible_connection', 'ansible_ssh_private_key_file', 'ansible_ssh_common_args', 'ansible_become', 'api_token', 'ssh_key', 'x', '<<', '1bad', 'a b'), fc.stringMatching(/^[a-z_]{1,8}$/));
const vars = (indent: string) => fc.array(fc.tuple(varName, scalar), { maxLength: 4 }).map((vs) => vs.map(([k, v]) => `${indent}${k}: ${v}`).join('\n'));
const hostName = fc.oneof(fc.constantFrom('h1', 'h1', 'web[1:3]', 'web[a:c]', 'web[3:1]', 'db[01:10]', 'x[1:100000000]', 'x[1:100]y[1:1000]', 'a.b', 'all', 'ungrouped', '', '"q"', '[x]'), fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/));
const host = fc.tuple(hostName, fc.oneof(fc.constant(''), vars('          '))).map(([n, v]) => `      ${n}:${v ? `\n${v}` : ''}`);
const group = fc.tuple(fc.oneof(fc.constantFrom('masters', 'workers', 'all', 'ungrouped', 'hosts', 'vars', 'children'), fc.stringMatching(/^[a-z]{1,6}$/)), fc.array(host, { maxLength: 4 }), fc.array(fc.constantFrom('masters', 'workers', 'all', 'loop'), { maxLength: 2 }), vars('      '))
  .map(([g, hs, ch, v]) => `  ${g}:\n    hosts:\n${hs.join('\n')}\n    children:\n${ch.map((c) => `      ${c}:`).join('\n')}\n    vars:\n${v}\n    unknown_key: 1`);
const inventory = fc.tuple(fc.array(group, { maxLength: 4 }), fc.array(host, { maxLength: 3 }), vars('    ')).map(([gs, hs, v]) => `all:\n  hosts:\n${hs.join('\n')}\n  vars:\n${v}\n  children:\n${gs.map((g) => g.replaceAll('\n', '\n  ').replace(/^/, '  ')).join('\n')}\n`);

describe('fuzz: parseInventory', () => {
  it('accepts the valid base inventory', () => {
    check(VALID);
  });

  it('returns or throws located BadInputError for generated inventories (unknown keys, wrong types, ranges, cycles)', () => {
    fc.assert(fc.property(inventory, check), fcOptions());
  }, FUZZ_TIMEOUT);

  it('returns or throws located BadInputError for mutations of a valid inventory', () => {
    fc.assert(fc.property(mutate(VALID), check), fcOptions());
  }, FUZZ_TIMEOUT);

  it('returns or throws located BadInputError for binary garbage, huge lines and deep YAML', () => {
    const garbage = fc.oneof(
      { arbitrary: binaryText, weight: 6 },
      { arbitrary: anyText, weight: 6 },
      { arbitrary: hugeLine, weight: 1 },
      { arbitrary: hugeLine.map((l) => `all:\n  hosts:\n    h1:\n      ansible_host: ${l}\n`), weight: 1 },
      { arbitrary: deepYaml, weight: 2 },
      { arbitrary: deepYaml.map((d) => `all:\n  vars:\n    deep: ${d.replaceAll('\n', '\n    ')}\n`), weight: 2 },
      { arbitrary: deepYaml.map((d) => `all:\n  children:\n    g: ${d.replaceAll('\n', '\n    ')}\n`), weight: 2 },
    );
    fc.assert(fc.property(garbage, check), fcOptions());
  }, FUZZ_TIMEOUT);

  it.each([10_000, 50_000] as const)('refuses or accepts an inventory nested %i levels deep without a stack overflow', (n) => {
    for (const kind of ['flow-seq', 'flow-map'] as const) {
      check(nestedYaml(n, kind));
      check(`all:\n  vars:\n    deep: ${nestedYaml(n, kind)}\n`);
    }
  });

  it('refuses a host range expanding to a hundred million hosts with file:line instead of hanging', () => {
    const r = check2('all:\n  hosts:\n    web[1:100000000]:\n');
    expect(r).toBeInstanceOf(BadInputError);
    expect((r as BadInputError).located).toMatch(/^fuzz\/inventory\.yaml:3: bad host range/);
  });
});
