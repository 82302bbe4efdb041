// Fuzzing the fence attribute parser: any info string is either parsed or refused with a
// BadInputError naming the fence's file and line — never another exception, never a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_NAMES, parseInfoString } from '../../src/engine/parser/attributes.js';
import { anyText, binaryText, expectValidOrBadInput, fcOptions, hugeLine, mutate, FUZZ_TIMEOUT } from './support.js';

const loc = { file: 'fuzz/book.md', line: 42 };
const parse = (info: string) => expectValidOrBadInput(() => parseInfoString(info, loc), loc.file, { needLine: true, maxLine: 42 });

const key = fc.oneof(fc.constantFrom(...ATTRIBUTE_NAMES), fc.constantFrom('ids', 'host', 'Sudo', 'timeout_', '_x', 'x-y', 'capture', 'secret'), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/));
const value = fc.oneof(
  fc.constantFrom('all', 'masters[0]', 'h1,h2', '2m', '1m30s', '0', '-1', '1e9', '99999999999999999999', 'NaN', 'yes', 'no', 'true', '0600', '0999', 'root:root', '/etc/x', '', '5s', '1.5s', 'abc', 'kubeadm init'),
  fc.stringMatching(/^[^\s"'{}]{0,12}$/),
  anyText.map((s) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`),
  anyText.map((s) => `'${s.replaceAll("'", '')}'`),
  anyText.map((s) => `"${s}`), // unterminated quote
);
const item = fc.oneof(key, fc.tuple(key, value).map(([k, v]) => `${k}=${v}`));
const wellFormed = fc
  .tuple(fc.constantFrom('bash', 'sh', 'shell', 'ini', 'yaml', '', 'text', 'console'), fc.array(item, { maxLength: 8 }), fc.boolean())
  .map(([lang, items, close]) => `${lang} {${items.join(' ')}${close ? '}' : ''}`);

describe('fuzz: parseInfoString', () => {
  it('returns or throws BadInputError(file, line) for generated attribute lists', () => {
    fc.assert(fc.property(wellFormed, (info) => void parse(info)), fcOptions());
  }, FUZZ_TIMEOUT);

  it('returns or throws BadInputError(file, line) for mutated valid info strings', () => {
    const valid = 'bash {id=init-cluster hosts="masters[0]" sudo timeout=10m retries=3 delay=5s unless="test -f /etc/kubernetes/admin.conf" capture=join_cmd secret confirm="really?"}';
    fc.assert(fc.property(mutate(valid), (info) => void parse(info)), fcOptions());
  }, FUZZ_TIMEOUT);

  it('returns or throws BadInputError(file, line) for binary garbage, any code points and huge lines', () => {
    fc.assert(fc.property(fc.oneof({ arbitrary: binaryText, weight: 4 }, { arbitrary: anyText, weight: 4 }, { arbitrary: binaryText.map((s) => `bash {${s}}`), weight: 4 }, { arbitrary: hugeLine, weight: 1 }, { arbitrary: hugeLine.map((s) => `bash {id=x confirm="${s}"}`), weight: 1 }), (info) => void parse(info)), fcOptions());
  }, FUZZ_TIMEOUT);

  it('accepts every documented attribute in a valid combination', () => {
    const r = parseInfoString('bash {id=a hosts=all sudo timeout=2m retries=1 delay=1s}', loc);
    expect(r.lang).toBe('bash');
    expect(r.attrs).toMatchObject({ id: 'a', sudo: true, timeoutMs: 120_000, retries: 1, delayMs: 1000 });
  });
});
