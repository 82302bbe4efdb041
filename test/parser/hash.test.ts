import { describe, it, expect } from 'vitest';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { canonicalJson } from '../../src/engine/parser/hash.js';
import { md } from './helpers.js';

const hashes = (text: string) => parseRunbookText(text, 'h.md').steps.map((s) => s.hash);
const one = (text: string) => hashes(text)[0];

describe('canonicalJson', () => {
  it('sorts keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [1, 'x'] } })).toBe('{"a":{"c":[1,"x"]},"b":1}');
    expect(canonicalJson({ u: undefined, a: [undefined, null, { z: 'é', y: '"' }], b: true })).toBe('{"a":[null,null,{"y":"\\"","z":"é"}],"b":true}');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson({ only: undefined })).toBe('{}');
  });
});

describe('step hash', () => {
  const base = md('# A', '```bash {sudo}', 'echo hi', '```');
  it('is a sha256 hex digest', () => {
    expect(one(base)).toMatch(/^[0-9a-f]{64}$/);
  });
  it('is the same for the same text', () => {
    expect(one(base)).toBe(one(base));
  });
  it('changes when the body changes', () => {
    expect(one(md('# A', '```bash {sudo}', 'echo bye', '```'))).not.toBe(one(base));
  });
  it('changes when an attribute changes', () => {
    expect(one(md('# A', '```bash', 'echo hi', '```'))).not.toBe(one(base));
  });
  it('changes when the effective hosts change', () => {
    expect(one(md('---', 'hosts: web', '---', '# A', '```bash {sudo}', 'echo hi', '```'))).not.toBe(one(base));
  });
  it('changes when the language changes', () => {
    expect(one(md('# A', '```sh {sudo}', 'echo hi', '```'))).not.toBe(one(base));
  });
  it('does not change when the step moves to another place or heading', () => {
    const moved = md('# Intro', 'Some new text.', '', '```bash', 'echo first', '```', '', '## Elsewhere', '```bash {sudo}', 'echo hi', '```');
    expect(hashes(moved)[1]).toBe(one(base));
  });
  it('does not change with the id', () => {
    expect(one(md('# A', '```bash {sudo id=custom}', 'echo hi', '```'))).toBe(one(base));
  });
  it('is the hash earlier versions recorded for the same step (state files keep it)', () => {
    const text = md('---', 'hosts: masters', '---', '# A', '```bash {id=init sudo timeout=2m retries=2 unless="test -f /etc/x" capture=TOKEN}', 'kubeadm init --config /root/kubeadm.yaml', '```', '', '```sh {hosts=workers verify="true" continue_on_error}', 'echo "日本 ✓"', '```');
    expect(hashes(text)).toEqual(['1730cbb189acbb3e7232920c252b8176efa843ff9e97fc192e20d0e074034524', '4a96dabc60d35fd4d5174d140e31b0c4695cfa93babd4fe230b3d9beb3f79ca0']);
  });
  it('does not change with attribute order or quoting', () => {
    const a = one(md('```bash {sudo timeout=2m}', 'x', '```'));
    const b = one(md('```bash {timeout="2m" sudo}', 'x', '```'));
    expect(a).toBe(b);
  });
});
