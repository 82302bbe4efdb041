// Step hashes: what defines what a step does, independent of where it sits in the runbook.

import { createHash } from 'node:crypto';
import type { StepAttributes, StepKind } from '../types.js';

/** JSON with object keys sorted and undefined members dropped, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 hex over {kind, lang, body, attrs without id, hosts}. Position and id do not count. */
export function stepHash(step: { kind: StepKind; lang: string; body: string; attrs: StepAttributes; hosts: string }): string {
  const { id: _id, ...attrs } = step.attrs;
  const text = canonicalJson({ kind: step.kind, lang: step.lang, body: step.body, attrs, hosts: step.hosts });
  return createHash('sha256').update(text).digest('hex');
}
