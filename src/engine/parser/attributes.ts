// Fence info strings: "bash {id=disable-swap hosts=all sudo timeout=2m}" -> language + step attributes.
//
// Grammar inside the braces (whitespace separated):
//   key=value | key="double \"quoted\" \\ value" | key='single quoted' | flag
// Keys are [A-Za-z_][A-Za-z0-9_-]*. Inside double quotes only \" and \\ are escapes; any other
// backslash is kept as written (so shell regexes survive). Single quotes have no escapes.

import { BadInputError } from '../errors.js';
import { durationTooLong } from '../duration.js';
import type { SourceLocation, StepAttributes } from '../types.js';
import { didYouMean } from './slug.js';

/** Every attribute a step may carry, in documentation order. */
export const ATTRIBUTE_NAMES = [
  'id',
  'hosts',
  'sudo',
  'confirm',
  'timeout',
  'retries',
  'delay',
  'unless',
  'verify',
  'capture',
  'secret',
  'serial',
  'throttle',
  'continue_on_error',
  'norun',
  'file',
  'mode',
  'owner',
  'cwd',
  'prompt',
  'session',
] as const;
export type AttributeName = (typeof ATTRIBUTE_NAMES)[number];

/** Languages whose fences are executable shell steps. */
export const SHELL_LANGS: readonly string[] = ['sh', 'bash', 'shell'];

/** Delay between retries when `retries` is given without `delay`. */
export const DEFAULT_DELAY_MS = 5000;

export const STEP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One `key[=value]` item as written. `value` is undefined for a bare flag. */
export interface RawAttribute {
  readonly key: string;
  readonly value?: string;
}

/** Result of parsing an info string. */
export interface ParsedInfo {
  /** The language word ('' when the fence has none). */
  readonly lang: string;
  readonly attrs: StepAttributes;
  /** Attribute names written in the braces, in order (empty when there are no braces). */
  readonly keys: readonly string[];
  /** Runme attributes with no runbook meaning, ignored (the caller warns once per name). */
  readonly ignored: readonly string[];
  /** Written Runme's way (JSON, or with a Runme attribute name). */
  readonly runme?: boolean;
  /** A docs site's `title="install.sh"` (Docusaurus, MkDocs, Hugo): shown as the block's label. */
  readonly label?: string;
  /** Docs-site options that only change how the block looks (line numbers, highlights), as written. */
  readonly looks?: readonly string[];
}

/**
 * Code-block options of docs sites, written after the language: Docusaurus (`title="x"
 * showLineNumbers {1,3-4}`), MkDocs/Material (`title="x" linenums="1" hl_lines="2 3"`), Hugo
 * (`{linenos=table,hl_lines=[8,"15-17"],linenostart=199}`). Only the title means something here.
 */
const DOCS_WORDS: readonly string[] = ['title', 'showLineNumbers', 'linenums', 'hl_lines', 'anchor_linenums', 'line_spans'];
const HUGO_KEYS: readonly string[] = ['title', 'linenos', 'hl_lines', 'linenostart', 'anchorlinenos', 'lineanchors', 'lineNumbersInTable', 'lineNos', 'hl_inline', 'style', 'noClasses', 'tabWidth', 'guessSyntax'];

/** Split on spaces (and commas when `commas`) outside quotes and [brackets]. */
function metaItems(text: string, commas: boolean): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let depth = 0;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (!depth && (c === ' ' || c === '\t' || (commas && c === ','))) {
      if (cur) out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

const unquote = (v: string): string => (/^(".*"|'.*')$/s.test(v) ? v.slice(1, -1) : v);

/**
 * Docs-site metadata from `start` on: the title, the options that only change looks, and where
 * runbook's own `{...}` attributes (if any) begin. Undefined when the text is not such metadata.
 */
function docsMetadata(text: string, start: number): { label?: string; looks: string[]; end: number } | undefined {
  let label: string | undefined;
  const looks: string[] = [];
  let i = start;
  const take = (key: string, value: string | undefined): void => {
    if (key === 'title' && value !== undefined) label = unquote(value);
    else looks.push(value === undefined ? key : `${key}=${value}`);
  };
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) break;
    if (text[i] === '{') {
      const close = text.indexOf('}', i);
      if (close < 0) return undefined;
      const inner = text.slice(i + 1, close).trim();
      if (/^[\d\s,-]+$/.test(inner)) {
        // Docusaurus line highlights: {1,3-4}
        looks.push(`{${inner}}`);
        i = close + 1;
        continue;
      }
      // Runbook's own attributes, the common case, are known by their first word: not one of
      // Hugo's keys (the items below would start with it), so there is nothing to split.
      const first = /^[A-Za-z_]*/.exec(inner)![0];
      if (!HUGO_KEYS.includes(first)) break;
      const items = metaItems(inner, true).map((it) => /^([A-Za-z_]+)(?:=(.*))?$/s.exec(it));
      // Hugo's options; anything else in braces is runbook's attributes (or Runme's).
      if (!items.length || !items.every((m) => m && HUGO_KEYS.includes(m[1]))) break;
      for (const m of items) take(m![1], m![2]);
      i = close + 1;
      continue;
    }
    const m = /^([A-Za-z_]+)(=("[^"]*"|'[^']*'|[^\s{]*))?/.exec(text.slice(i));
    if (!m || !DOCS_WORDS.includes(m[1]) || (m[1] === 'title' && m[3] === undefined)) return undefined;
    take(m[1], m[3]);
    i += m[0].length;
    if (i < text.length && text[i] !== ' ' && text[i] !== '\t') return undefined;
  }
  if (label === undefined && !looks.length) return undefined;
  return { ...(label !== undefined && { label }), looks, end: i };
}

/**
 * Runme's fence attributes (https://docs.runme.dev/configuration/cell-level): `name` is our `id`,
 * `excludeFromRunAll` our `norun`, `cwd` ours as well; the others have no meaning here and are
 * ignored with a warning. Runme's JSON `id` is a cell ULID: used as the step id only without `name`.
 */
export const RUNME_MAPPED: Readonly<Record<string, AttributeName>> = { name: 'id', excludeFromRunAll: 'norun' };
export const RUNME_IGNORED: readonly string[] = [
  'interactive',
  'background',
  'closeTerminalOnSuccess',
  'mimeType',
  'promptEnv',
  'terminalRows',
  'category',
  'skipPrompts',
  'interpreter',
  'tag',
];

/**
 * Rundown (github.com/elseano/rundown) writes modifiers as words after the language
 * (```bash stdout```); they change how a block runs, so such a block is refused, not run differently.
 */
export const RUNDOWN_MODIFIERS: readonly string[] = [
  'reveal',
  'named',
  'env',
  'stdout',
  'nospin',
  'spinner',
  'skip_on_success',
  'skip_on_failure',
  'skip-on-success',
  'skip-on-failure',
  'abort',
  'background',
  'borg',
  'capture-env',
  'interactive',
  'replace',
  'mitigate',
  'norun',
  'setup',
  'stdin',
  'subenv',
  'with',
  'desc',
];

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parse a duration: `500ms`, `90s`, `10m`, `1h`, `1m30s`, `1.5s`, or a bare number of seconds.
 * Returns milliseconds (rounded), or undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return Math.round(total);
}

function fail(loc: SourceLocation, message: string, hint?: string): never {
  throw new BadInputError(message, { file: loc.file, line: loc.line, hint });
}

/** Split the text after `{` into raw attributes; returns them and the index just past `}`. */
export function tokenizeAttributes(src: string, start: number, loc: SourceLocation): { items: RawAttribute[]; end: number } {
  const items: RawAttribute[] = [];
  let i = start;
  const isSpace = (c: string | undefined) => c === ' ' || c === '\t';
  for (;;) {
    while (isSpace(src[i])) i++;
    if (i >= src.length) fail(loc, 'step attributes are missing the closing `}`', 'write attributes as {key=value flag ...}');
    if (src[i] === '}') return { items, end: i + 1 };
    const keyMatch = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (!keyMatch) {
      fail(loc, `unexpected \`${src[i]}\` in step attributes`, 'attributes look like key=value, key="quoted value" or a bare flag');
    }
    const key = keyMatch[0];
    i += key.length;
    if (src[i] !== '=') {
      if (i < src.length && !isSpace(src[i]) && src[i] !== '}') {
        fail(loc, `unexpected \`${src[i]}\` after attribute \`${key}\``, `write ${key}=value`);
      }
      items.push({ key });
      continue;
    }
    i++; // '='
    let value = '';
    const q = src[i];
    if (q === '"' || q === "'") {
      i++;
      let closed = false;
      while (i < src.length) {
        const c = src[i];
        if (c === q) {
          closed = true;
          i++;
          break;
        }
        if (q === '"' && c === '\\' && (src[i + 1] === '"' || src[i + 1] === '\\')) {
          value += src[i + 1];
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      if (!closed) fail(loc, `unterminated ${q === '"' ? 'double' : 'single'}-quoted value for \`${key}\``, `close the value with ${q}`);
      if (i < src.length && !isSpace(src[i]) && src[i] !== '}') {
        fail(loc, `unexpected \`${src[i]}\` after the quoted value of \`${key}\``, 'separate attributes with spaces');
      }
    } else {
      while (i < src.length && !isSpace(src[i]) && src[i] !== '}') value += src[i++];
    }
    items.push({ key, value });
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const FLAG_ATTRS = new Set<string>(['sudo', 'secret', 'continue_on_error', 'norun', 'prompt']);

/** Turn raw attributes into validated StepAttributes (defaults filled in). */
export function interpretAttributes(items: readonly RawAttribute[], loc: SourceLocation): StepAttributes {
  const a: Mutable<StepAttributes> = {
    sudo: false,
    retries: 0,
    delayMs: DEFAULT_DELAY_MS,
    secret: false,
    continueOnError: false,
    norun: false,
  };
  const seen = new Set<string>();
  for (const { key, value } of items) {
    if (!(ATTRIBUTE_NAMES as readonly string[]).includes(key)) {
      fail(loc, `unknown step attribute \`${key}\``, didYouMean(key, ATTRIBUTE_NAMES) ?? `known attributes: ${ATTRIBUTE_NAMES.join(', ')}`);
    }
    if (seen.has(key)) fail(loc, `step attribute \`${key}\` is given twice`, 'keep one of them');
    seen.add(key);
    const need = (what: string): string => {
      if (value === undefined) fail(loc, `step attribute \`${key}\` needs a value`, `write ${key}=${what}`);
      return value;
    };
    const nonEmpty = (what: string): string => {
      const v = need(what);
      if (v.trim() === '') fail(loc, `step attribute \`${key}\` must not be empty`, `write ${key}=${what}`);
      return v;
    };
    if (FLAG_ATTRS.has(key)) {
      let on = true;
      if (value !== undefined) {
        if (value === 'true') on = true;
        else if (value === 'false') on = false;
        else fail(loc, `\`${key}\` is a flag and cannot take the value \`${value}\``, `write just \`${key}\` (or ${key}=true / ${key}=false)`);
      }
      if (key === 'sudo') a.sudo = on;
      else if (key === 'secret') a.secret = on;
      else if (key === 'continue_on_error') a.continueOnError = on;
      else if (key === 'prompt') a.prompt = on;
      else a.norun = on;
      continue;
    }
    switch (key as AttributeName) {
      case 'id': {
        const v = need('my-step');
        if (!STEP_ID_PATTERN.test(v)) fail(loc, `bad step id \`${v}\``, 'ids start with a letter or digit and contain only letters, digits, `.`, `_` and `-` (ASCII only: ids are typed on command lines and name the log directory of the step; text in any language goes in the section title)');
        a.id = v;
        break;
      }
      case 'hosts':
        a.hosts = nonEmpty('web:db').trim();
        break;
      case 'confirm':
        // confirm=true / confirm=false behave like the other flags; any other value is the reason.
        if (value === 'false') a.confirm = undefined;
        else a.confirm = value === undefined || value === 'true' ? '' : value;
        break;
      case 'timeout': {
        const v = need('2m');
        const ms = parseDuration(v);
        if (ms === undefined || ms <= 0) fail(loc, `bad timeout \`${v}\``, 'use a positive duration like 500ms, 90s, 10m or 1h (a bare number is seconds)');
        if (durationTooLong(ms)) fail(loc, `timeout \`${v}\` is ${durationTooLong(ms)}`, 'use at most 576h; leave timeout out for no limit');
        a.timeoutMs = ms;
        break;
      }
      case 'delay': {
        const v = need('5s');
        const ms = parseDuration(v);
        if (ms === undefined) fail(loc, `bad delay \`${v}\``, 'use a duration like 500ms, 5s or 1m (a bare number is seconds)');
        if (durationTooLong(ms)) fail(loc, `delay \`${v}\` is ${durationTooLong(ms)}`, 'use at most 576h');
        a.delayMs = ms;
        break;
      }
      case 'retries': {
        const v = need('3');
        if (!/^\d+$/.test(v)) fail(loc, `bad retries \`${v}\``, 'retries is a whole number >= 0');
        a.retries = Number(v);
        break;
      }
      case 'serial': {
        const v = need('1');
        if (!/^\d+$/.test(v) || Number(v) < 1) fail(loc, `bad serial \`${v}\``, 'serial is a whole number >= 1 (hosts run at once)');
        a.serial = Number(v);
        break;
      }
      case 'throttle': {
        const v = need('2');
        if (!/^\d+$/.test(v) || Number(v) < 1) fail(loc, `bad throttle \`${v}\``, 'throttle is a whole number >= 1 (hosts running this step at once)');
        a.throttle = Number(v);
        break;
      }
      case 'unless':
        a.unless = nonEmpty('"test -f /etc/done"');
        break;
      case 'verify':
        a.verify = nonEmpty('"systemctl is-active nginx"');
        break;
      case 'capture': {
        const v = need('NAME');
        if (!IDENTIFIER_PATTERN.test(v)) fail(loc, `bad capture name \`${v}\``, 'capture names are identifiers: letters, digits and _ (not starting with a digit)');
        a.capture = v;
        break;
      }
      case 'file': {
        const v = nonEmpty('/etc/example.conf');
        if (!v.startsWith('/') && !v.startsWith('{{')) fail(loc, `file path \`${v}\` is not absolute`, 'write the absolute path on the target host, e.g. file=/etc/example.conf');
        a.file = v;
        break;
      }
      case 'mode': {
        const v = need('0644');
        if (!/^[0-7]{3,4}$/.test(v)) fail(loc, `bad file mode \`${v}\``, 'use an octal mode of 3 or 4 digits, e.g. mode=0644');
        a.mode = v.padStart(4, '0');
        break;
      }
      case 'cwd': {
        const v = nonEmpty('/srv/app');
        if (v.includes('\n') || v.includes('\0')) fail(loc, 'bad cwd: a directory name with a newline', 'write cwd=/path/on/host');
        a.cwd = v;
        break;
      }
      case 'session': {
        const v = need('exec');
        if (v !== 'exec' && v !== 'shell') fail(loc, `bad session \`${v}\``, 'session=exec runs the step over its own SSH exec channel, session=shell in the host\'s persistent shell (the default)');
        a.session = v;
        break;
      }
      case 'owner': {
        const v = need('root:root');
        if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(v)) fail(loc, `bad owner \`${v}\``, 'write owner=user or owner=user:group');
        a.owner = v;
        break;
      }
    }
  }
  if (seen.has('delay') && !seen.has('retries')) fail(loc, '`delay` has no effect without `retries`', 'add retries=N, or remove delay');
  if (a.file === undefined) {
    for (const k of ['mode', 'owner'] as const) {
      if (seen.has(k)) fail(loc, `\`${k}\` only applies to file blocks`, `add file=/path/on/host, or remove ${k}`);
    }
  } else if (a.capture !== undefined) {
    fail(loc, '`capture` cannot be used on a file block', 'capture the output of a shell step instead');
  }
  if (a.file !== undefined && a.cwd !== undefined) fail(loc, '`cwd` has no effect on a file block', 'write an absolute file= path, or remove cwd');
  if (a.prompt === false) delete a.prompt;
  if (a.secret && a.capture === undefined) fail(loc, '`secret` marks a captured value secret, but this step has no `capture`', 'add capture=NAME, or remove secret');
  return a;
}

const NO_ATTRIBUTES: StepAttributes = interpretAttributes([], { file: '', line: 1 });

/** `key:value` or a known modifier word: Rundown's way of writing modifiers. */
function rundownWord(w: string): boolean {
  return RUNDOWN_MODIFIERS.includes(w) || /^(spinner|desc|label|with|capture-env|replace|subenv):\S/.test(w);
}

/** Refuse a block written for Rundown: its modifiers mean something runbook would not do. */
export function refuseRundown(loc: SourceLocation, what: string): never {
  fail(loc, `\`${what}\` is Rundown syntax (github.com/elseano/rundown): this file was written for Rundown, and runbook will not run it with another meaning`, 'rewrite the block for runbook: attributes in braces, e.g. ```bash {id=setup}; see docs/interop.md');
}

/** Parse Runme's JSON attributes (`{"name":"x","excludeFromRunAll":true}`) into raw attributes. */
function runmeJson(text: string, loc: SourceLocation): { items: RawAttribute[]; end: number } {
  // The JSON object runs to the last `}`; anything after it is an error like with our braces.
  const end = text.lastIndexOf('}') + 1;
  let obj: unknown;
  try {
    obj = JSON.parse(text.slice(0, end));
  } catch (e) {
    fail(loc, `malformed JSON step attributes: ${(e as Error).message}`, 'Runme-style attributes are a JSON object: {"name":"setup","cwd":"/tmp"}');
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) fail(loc, 'JSON step attributes must be an object', '{"name":"setup"}');
  const entries = Object.entries(obj as Record<string, unknown>);
  const hasName = entries.some(([k]) => k === 'name');
  const items: RawAttribute[] = [];
  for (const [key, v] of entries) {
    if (key === 'id' && hasName) {
      items.push({ key: 'runme-cell-id' });
      continue;
    }
    if (v === true) items.push({ key });
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') items.push({ key, value: String(v) });
    else fail(loc, `JSON step attribute \`${key}\` must be a string, number or boolean`, `write "${key}": "value"`);
  }
  return { items, end };
}

/** Translate Runme names to ours; returns the items to interpret and the Runme names ignored. */
function fromRunme(items: readonly RawAttribute[]): { items: RawAttribute[]; ignored: string[] } {
  const out: RawAttribute[] = [];
  const ignored: string[] = [];
  for (const it of items) {
    if (it.key === 'runme-cell-id') ignored.push('id');
    else if (it.key in RUNME_MAPPED) out.push({ key: RUNME_MAPPED[it.key], value: it.value });
    else if (RUNME_IGNORED.includes(it.key)) ignored.push(it.key);
    else out.push(it);
  }
  return { items: out, ignored };
}

/**
 * Parse a fence info string: the language word, then optional `{...}` attributes (ours, or
 * Runme's in either its JSON or key=value form). Bad attributes raise BadInputError at `loc`.
 */
export function parseInfoString(info: string, loc: SourceLocation): ParsedInfo {
  const text = info.trim();
  const lang = /^[^\s{]*/.exec(text)![0];
  let i = lang.length;
  while (text[i] === ' ' || text[i] === '\t') i++;
  const docs = docsMetadata(text, i);
  if (docs) {
    const meta = { ...(docs.label !== undefined && { label: docs.label }), looks: docs.looks };
    if (docs.end >= text.length) return { lang, attrs: NO_ATTRIBUTES, keys: [], ignored: [], ...meta };
    return { ...parseInfoString(`${lang} ${text.slice(docs.end)}`, loc), ...meta };
  }
  if (i >= text.length) return { lang, attrs: NO_ATTRIBUTES, keys: [], ignored: [] };
  if (text[i] !== '{') {
    // Plain words after the language (e.g. a title some renderers show). They are harmless on a
    // display block, but on a shell block or when they look like attributes they are a mistake.
    const words = text.slice(i).split(/\s+/);
    const rundown = words.find((w) => rundownWord(w) && !(ATTRIBUTE_NAMES as readonly string[]).includes(w));
    if (rundown !== undefined && (SHELL_LANGS.includes(lang.toLowerCase()) || words.every(rundownWord))) refuseRundown(loc, `${lang} ${text.slice(i)}`);
    const looksLikeAttrs = words.some((w) => w.includes('=') || (ATTRIBUTE_NAMES as readonly string[]).includes(w));
    if (SHELL_LANGS.includes(lang.toLowerCase()) || looksLikeAttrs) {
      fail(loc, `unexpected \`${text.slice(i)}\` after the language`, `step attributes go in braces: \`\`\`${lang || 'bash'} {${text.slice(i)}}`);
    }
    return { lang, attrs: NO_ATTRIBUTES, keys: [], ignored: [] };
  }
  let j = i + 1;
  while (text[j] === ' ' || text[j] === '\t') j++;
  const raw = text[j] === '"' ? runmeJson(text.slice(i), loc) : tokenizeAttributes(text, i + 1, loc);
  const end = text[j] === '"' ? i + raw.end : raw.end;
  const rest = text.slice(end).trim();
  if (rest !== '') fail(loc, `unexpected \`${rest}\` after the closing \`}\``, 'put every attribute inside the braces');
  const { items, ignored } = fromRunme(raw.items);
  const runme = text[j] === '"' || raw.items.some((x) => x.key in RUNME_MAPPED || RUNME_IGNORED.includes(x.key) || x.key === 'runme-cell-id');
  return { lang, attrs: interpretAttributes(items, loc), keys: items.map((x) => x.key), ignored, ...(runme && { runme }) };
}
