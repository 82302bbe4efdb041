// Jinja in inventory vars. Ansible renders `{{ ... }}` in inventory values when a play uses them;
// runbook renders the ones that only name other vars of the same host (`{{ name }}`, `{{ a.b }}`,
// `{{ inventory_hostname }}`), and keeps anything else as written, with a warning naming the var.
import { inventoryHostnameShort } from '../template/vars.js';
import type { VarEntry } from './inventoryData.js';

const TEMPLATE = /\{\{|\{%|\{#/;
const REF = /\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*-?\}\}/g;

/** True when the value (or something inside it) holds Jinja markup. */
export function hasJinja(v: unknown): boolean {
  if (typeof v === 'string') return TEMPLATE.test(v);
  if (Array.isArray(v)) return v.some(hasJinja);
  if (v && typeof v === 'object') return Object.values(v).some(hasJinja);
  return false;
}

/**
 * The host's vars with simple references rendered. Values that hold other Jinja stay as written and
 * a warning naming host, variable and file:line is added (once per variable and place).
 */
export function renderInventoryVars(host: string, merged: Map<string, VarEntry>, warnings: string[], more: Readonly<Record<string, unknown>> = {}): Map<string, VarEntry> {
  const out = new Map(merged);
  const magic: Record<string, unknown> = { ...more, inventory_hostname: host, inventory_hostname_short: inventoryHostnameShort(host) };
  const state = new Map<string, 'doing' | 'done' | 'failed'>();

  const lookup = (ref: string): { ok: true; value: unknown } | { ok: false } => {
    const [head, ...rest] = ref.split('.');
    let v: unknown;
    if (Object.hasOwn(magic, head) && !merged.has(head)) v = magic[head];
    else {
      if (!merged.has(head) || !resolve(head)) return { ok: false };
      v = out.get(head)?.value;
    }
    for (const k of rest) {
      if (!v || typeof v !== 'object' || !Object.hasOwn(v, k)) return { ok: false };
      v = (v as Record<string, unknown>)[k];
    }
    return { ok: true, value: v };
  };

  const renderString = (s: string): { ok: true; value: unknown } | { ok: false } => {
    // Any markup that is not a plain reference: not rendered.
    if (TEMPLATE.test(s.replace(REF, ''))) return { ok: false };
    const whole = /^\{\{-?\s*([A-Za-z_][A-Za-z0-9_.]*)\s*-?\}\}$/.exec(s);
    if (whole) return lookup(whole[1]); // a lone reference keeps its type, as Jinja native types would
    let ok = true;
    const text = s.replace(REF, (_m, ref: string) => {
      const r = lookup(ref);
      if (!r.ok) {
        ok = false;
        return '';
      }
      return typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
    });
    return ok ? { ok: true, value: text } : { ok: false };
  };

  const renderValue = (v: unknown): { ok: true; value: unknown } | { ok: false } => {
    if (typeof v === 'string') return TEMPLATE.test(v) ? renderString(v) : { ok: true, value: v };
    if (Array.isArray(v)) {
      const items: unknown[] = [];
      for (const i of v) {
        const r = renderValue(i);
        if (!r.ok) return r;
        items.push(r.value);
      }
      return { ok: true, value: items };
    }
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, i] of Object.entries(v)) {
        const r = renderValue(i);
        if (!r.ok) return r;
        o[k] = r.value;
      }
      return { ok: true, value: o };
    }
    return { ok: true, value: v };
  };

  function resolve(name: string): boolean {
    const s = state.get(name);
    if (s === 'done') return true;
    if (s === 'doing' || s === 'failed') return false; // a loop, or already refused
    const e = merged.get(name) as VarEntry;
    if (!hasJinja(e.value)) {
      state.set(name, 'done');
      return true;
    }
    state.set(name, 'doing');
    const r = renderValue(e.value);
    if (r.ok) {
      out.set(name, { ...e, value: r.value });
      state.set(name, 'done');
      return true;
    }
    state.set(name, 'failed');
    warnings.push(`${e.file}:${e.line}: \`${name}\` holds Jinja runbook does not evaluate (only {{ other_var }} references are rendered); its text is used as written`);
    return false;
  }

  for (const name of merged.keys()) resolve(name);
  return out;
}
