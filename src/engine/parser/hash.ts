// Step hashes: what defines what a step does, independent of where it sits in the runbook.

import { nodeCrypto } from '../nodeCrypto.js';
import type { StepAttributes, StepKind } from '../types.js';

/** JSON with object keys sorted and undefined members dropped, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i ? ',' : ''}${value[i] === undefined ? 'null' : canonicalJson(value[i])}`;
    return `${out}]`;
  }
  // (A loop, not entries/filter/sort/map: every step of a runbook is hashed at every start, most
  // of that code still interpreted then.)
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** sha256 hex of `text`: crypto.hash (Node 20.12+) when there is one, without a Hash object. */
const sha256 = (text: string): string => {
  const crypto = nodeCrypto();
  return crypto.hash ? crypto.hash('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
};

/** sha256 hex over {kind, lang, body, attrs without id, hosts}. Position and id do not count. */
export function stepHash(step: { kind: StepKind; lang: string; body: string; attrs: StepAttributes; hosts: string }): string {
  const { id: _id, ...attrs } = step.attrs;
  return sha256(canonicalJson({ kind: step.kind, lang: step.lang, body: step.body, attrs, hosts: step.hosts }));
}
