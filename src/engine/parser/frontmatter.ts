// YAML front matter: the optional `---` ... `---` block at the top of a runbook file.

import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import * as z from '../schema/zod.js';
import { BadInputError } from '../errors.js';
import type { FrontMatter, ParseWarning } from '../types.js';
import { IDENTIFIER_PATTERN } from './attributes.js';
import { closest, didYouMean, editDistance } from './slug.js';

/** Front matter keys runbook reads. Any other key belongs to another tool and is ignored (with a warning). */
export const FRONT_MATTER_KEYS = ['title', 'description', 'hosts', 'vars', 'inventory'] as const;

/** The key under which runbook's own keys go when the top-level names belong to another tool. */
export const NAMESPACE_KEY = 'runbook';

/** Keys another tool may share with the same meaning: read at the top level even beside `runbook:`. */
const SHARED_KEYS = ['title', 'description'] as const;

/** Variable names the templating layer defines itself; front matter may not set them. */
export const RESERVED_VARS: readonly string[] = ['host', 'groups', 'hosts'];

const nonBlank = (what: string) => z.string().check(z.trim(), z.minLength(1, `${what} must not be empty`));

const schema = z.strictObject({
  title: z.optional(z.string()),
  description: z.optional(z.string()),
  hosts: z.optional(nonBlank('hosts')),
  vars: z.optional(z.record(z.string(), z.unknown())),
  inventory: z.optional(nonBlank('inventory')),
});

/** Where the front matter sits in the file and what is left after it. */
export interface SplitFrontMatter {
  /** YAML text between the fences ('' when there is no front matter). */
  readonly yaml: string;
  /** 1-based file line of the first YAML line (2 when front matter exists). */
  readonly yamlLine: number;
  /** Number of lines the front matter occupies, fences included (0 when absent). */
  readonly lineCount: number;
  readonly present: boolean;
}

/** Find the front matter block in `lines` (already split on \n). Unclosed front matter is bad input. */
export function splitFrontMatter(lines: readonly string[], file: string): SplitFrontMatter {
  if (lines.length === 0 || lines[0].trimEnd() !== '---') return { yaml: '', yamlLine: 2, lineCount: 0, present: false };
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].trimEnd();
    if (l === '---' || l === '...') return { yaml: lines.slice(1, i).join('\n'), yamlLine: 2, lineCount: i + 1, present: true };
  }
  throw new BadInputError('front matter is not closed', { file, line: 1, hint: 'end the front matter with a line containing only ---' });
}

/** 1-based file line of a node range start. */
function lineOf(counter: LineCounter, offset: number | undefined, yamlLine: number): number {
  if (offset === undefined) return yamlLine;
  return counter.linePos(offset).line + yamlLine - 1;
}

/** File line of the value (or, with `key: true`, the key) at `path` in the document. */
function lineAt(doc: Document, counter: LineCounter, path: readonly PropertyKey[], yamlLine: number, key = false): number {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const seg of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
    if (!pair) break;
    keyNode = pair.key;
    node = pair.value;
  }
  const target = (key ? keyNode : node) ?? keyNode ?? doc.contents;
  const range = (target as { range?: [number, number, number] } | null)?.range;
  return lineOf(counter, range?.[0], yamlLine);
}

/** Options for parsing front matter. */
export interface FrontMatterOptions {
  /** Path shown in messages. */
  readonly file: string;
  /** Absolute path of the runbook file (inventory is resolved relative to its directory). */
  readonly absFile: string;
  /** 1-based file line of the first YAML line (default 2). */
  readonly yamlLine?: number;
  /** Receives the warning about keys written for other tools (one per front matter). */
  readonly warn?: (w: ParseWarning) => void;
}

/** True for the `{value: X, secret: true|false}` form of a var. */
function isSecretForm(v: unknown): v is { value: unknown; secret: unknown } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v).sort();
  return keys.length === 2 && keys[0] === 'secret' && keys[1] === 'value';
}

/** Deepest `[`/`{` nesting accepted in YAML (front matter, inventory). */
export const MAX_YAML_NESTING = 256;

/**
 * The 1-based line (counted from the text's first line) where unclosed `[` / `{` first exceed
 * MAX_YAML_NESTING, or undefined. Checked before parsing: the yaml parser recurses per level, and
 * tens of thousands of levels exhaust the stack — after warm-up even fatally (V8 aborts the process
 * with "RegExpCompiler Allocation failed") instead of throwing. Brackets in quoted strings count
 * too; a real file never holds hundreds of unclosed ones.
 */
export function yamlNestingTooDeep(text: string): number | undefined {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_YAML_NESTING) return line;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

/** Parse and validate front matter YAML text. Every problem is a BadInputError with file and line. */
export function parseFrontMatter(yamlText: string, opts: FrontMatterOptions): FrontMatter {
  const { file } = opts;
  const yamlLine = opts.yamlLine ?? 2;
  const deep = yamlNestingTooDeep(yamlText);
  if (deep !== undefined) {
    throw new BadInputError(`front matter nests [ and { more than ${MAX_YAML_NESTING} levels deep`, { file, line: deep + yamlLine - 1, hint: 'front matter is YAML between two --- lines' });
  }
  const counter = new LineCounter();
  // prettyErrors: false: pretty errors quote their line, which made a 100 KB line of quotes (tens of
  // thousands of errors) take seconds to minutes; only the first error's position is used here.
  const doc = parseDocument(yamlText, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = lineOf(counter, e.pos?.[0], yamlLine);
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new BadInputError(`malformed front matter: ${msg}`, { file, line, hint: 'front matter is YAML between two --- lines' });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new BadInputError(`malformed front matter: ${(e as Error).message}`, { file, line: yamlLine, hint: 'front matter is YAML between two --- lines' });
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new BadInputError('front matter must be a mapping of keys to values', { file, line: yamlLine, hint: `runbook reads: ${FRONT_MATTER_KEYS.join(', ')}` });
  }
  // Which keys are runbook's: those under `runbook:` when it is there (the top-level ones then
  // belong to the other tool, except a title or description runbook:'s keys do not set), else the
  // known top-level ones. Everything else is kept in `ignored` and named in one warning.
  const top = data as Record<string, unknown>;
  const namespaced = NAMESPACE_KEY in top;
  const prefix: string[] = namespaced ? [NAMESPACE_KEY] : [];
  let ours: Record<string, unknown>;
  const ignored: Record<string, unknown> = {};
  if (namespaced) {
    const ns = top[NAMESPACE_KEY];
    if (ns === null || typeof ns !== 'object' || Array.isArray(ns)) {
      throw new BadInputError(`bad front matter: ${NAMESPACE_KEY} must be a mapping`, {
        file,
        line: lineAt(doc, counter, [NAMESPACE_KEY], yamlLine),
        hint: `write runbook's own keys under it, e.g. ${NAMESPACE_KEY}: {hosts: web, vars: {port: 8080}}`,
      });
    }
    ours = { ...(ns as Record<string, unknown>) };
    for (const [k, v] of Object.entries(top)) {
      if (k === NAMESPACE_KEY) continue;
      if ((SHARED_KEYS as readonly string[]).includes(k) && typeof v === 'string' && !(k in ours)) ours[k] = v;
      else ignored[k] = v;
    }
  } else {
    ours = {};
    for (const [k, v] of Object.entries(top)) {
      if ((FRONT_MATTER_KEYS as readonly string[]).includes(k)) ours[k] = v;
      else ignored[k] = v;
    }
  }
  const nsUnknown = namespaced ? Object.keys(ours).filter((k) => !(FRONT_MATTER_KEYS as readonly string[]).includes(k)) : [];
  if (nsUnknown.length > 0) {
    const key = nsUnknown[0];
    throw new BadInputError(`unknown key \`${key}\` under ${NAMESPACE_KEY}:`, {
      file,
      line: lineAt(doc, counter, [NAMESPACE_KEY, key], yamlLine, true),
      hint: didYouMean(key, FRONT_MATTER_KEYS) ?? `runbook's keys: ${FRONT_MATTER_KEYS.join(', ')}`,
    });
  }
  const ignoredKeys = Object.keys(ignored);
  if (ignoredKeys.length > 0 && opts.warn) {
    const named = ignoredKeys.map((k) => {
      // Only near misses (one edit, or the same letters swapped): other tools' keys such as
      // `tags` are often two edits from one of ours without being a typo of it.
      const c = namespaced ? undefined : closest(k, FRONT_MATTER_KEYS);
      const near = c !== undefined && (editDistance(k.toLowerCase(), c) <= 1 || [...k.toLowerCase()].sort().join('') === [...c].sort().join(''));
      return near ? `\`${k}\` (did you mean \`${c}\`?)` : `\`${k}\``;
    });
    opts.warn({
      file,
      line: lineAt(doc, counter, [ignoredKeys[0]], yamlLine, true),
      message: `front matter key${ignoredKeys.length > 1 ? 's' : ''} ${named.join(', ')} ${ignoredKeys.length > 1 ? 'are' : 'is'} not runbook's: kept and ignored`,
    });
  }
  const parsed = schema.safeParse(ours);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = [...prefix, ...issue.path];
    const name = issue.path.map(String).join('.') || 'front matter';
    const expected = issue.code === 'invalid_type' ? `${name} must be ${issue.expected === 'record' ? 'a mapping' : `a ${issue.expected}`}` : `${name}: ${issue.message}`;
    const otherTool = namespaced ? '' : `; if \`${String(issue.path[0])}\` belongs to another tool, put runbook's keys under ${NAMESPACE_KEY}:`;
    throw new BadInputError(`bad front matter: ${expected}`, {
      file,
      line: lineAt(doc, counter, path, yamlLine),
      hint: (issue.path[0] === 'vars' ? 'write vars as a mapping, e.g. vars: {port: 8080}' : 'quote the value if YAML reads it as another type') + otherTool,
    });
  }
  const fm = parsed.data;
  const vars: Record<string, unknown> = {};
  const secretVars: string[] = [];
  for (const [name, raw] of Object.entries(fm.vars ?? {})) {
    const line = lineAt(doc, counter, [...prefix, 'vars', name], yamlLine, true);
    if (!IDENTIFIER_PATTERN.test(name)) {
      throw new BadInputError(`bad variable name \`${name}\``, { file, line, hint: 'variable names are identifiers: letters, digits and _ (not starting with a digit)' });
    }
    if (RESERVED_VARS.includes(name)) {
      throw new BadInputError(`variable name \`${name}\` is reserved`, { file, line, hint: `${RESERVED_VARS.join(', ')} are set by runbook itself; pick another name` });
    }
    if (isSecretForm(raw)) {
      if (typeof raw.secret !== 'boolean') {
        throw new BadInputError(`\`secret\` of variable \`${name}\` must be true or false`, { file, line: lineAt(doc, counter, [...prefix, 'vars', name, 'secret'], yamlLine), hint: `write ${name}: {value: ..., secret: true}` });
      }
      vars[name] = raw.value;
      if (raw.secret) secretVars.push(name);
    } else {
      vars[name] = raw;
    }
  }
  let inventory: string | undefined;
  if (fm.inventory !== undefined) {
    const inv = fm.inventory.trim();
    const expanded = inv === '~' ? homedir() : inv.startsWith('~/') ? resolve(homedir(), inv.slice(2)) : inv;
    inventory = resolve(dirname(opts.absFile), expanded);
  }
  return {
    ...(fm.title !== undefined && { title: fm.title }),
    ...(fm.description !== undefined && { description: fm.description }),
    ...(fm.hosts !== undefined && { hosts: fm.hosts }),
    vars,
    secretVars,
    ...(inventory !== undefined && { inventory }),
    ...(ignoredKeys.length > 0 && { ignored }),
  };
}
