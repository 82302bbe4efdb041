// The per-runbook vars file: values the operator typed at the player's prompt and chose to save
// for next time (`<state dir>/<runbook name>.vars.yaml`, a flat YAML mapping name -> value).
// `runbook run` and `runbook play` load it with precedence just below --var. Secret-looking names
// are never written to it, and never read from it either: secrets stay in memory only.
import { constants as FS, promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import { Document, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { BadInputError } from '../errors.js';
import { MAX_YAML_NESTING, yamlNestingTooDeep } from '../parser/frontmatter.js';
import { isSecretName } from '../secrets.js';
import { atomicReplace, ensureDir } from './fsUtil.js';

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A vars file larger than this is not a vars file. */
const MAX_BYTES = 1024 * 1024;
const HINT = 'the vars file is a YAML mapping `name: value`, one per line; fix or delete it to forget the saved values';
const HEADER =
  ' Values saved from the `runbook play` prompt ("save for next time").\n' +
  ' Loaded by `runbook run` and `runbook play`; --var wins over them. Edit or delete this file to\n' +
  ' forget a value. Secret-looking names (token, password, key, ...) are never kept here.';

interface Parsed {
  readonly doc: Document;
  readonly vars: Record<string, string>;
  /** Names marked `{value: ..., secret: true}` ('operator' files only). */
  readonly secret: string[];
}

/**
 * How a vars YAML is read. 'saved' (the player's vars file): secret-looking names are refused.
 * 'operator' (--var-file): any name, and a value may be `{value: x, secret: true}` to mark it secret.
 */
export type VarsYamlKind = 'saved' | 'operator';

function parse(text: string, file: string, kind: VarsYamlKind = 'saved', hint = HINT): Parsed {
  const deep = yamlNestingTooDeep(text);
  if (deep !== undefined) {
    throw new BadInputError(`vars file nests [ and { more than ${MAX_YAML_NESTING} levels deep`, { file, line: deep, hint });
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined): number => {
    if (offset === undefined) return 1;
    let at = offset;
    // yaml may point at the whitespace before the offending token: report the token's line.
    while (at < text.length && /\s/.test(text[at])) at++;
    return lc.linePos(at < text.length ? at : offset).line;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new BadInputError(`malformed vars file: ${msg}`, { file, line: lineAt(e.pos?.[0]), hint });
  }
  const vars: Record<string, string> = {};
  const secret: string[] = [];
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { doc, vars, secret };
  if (!isMap(root)) {
    throw new BadInputError('malformed vars file: expected a mapping of variable names to values', { file, line: lineAt(root.range?.[0]), hint });
  }
  for (const pair of root.items) {
    const keyNode = pair.key;
    const line = lineAt(isScalar(keyNode) ? keyNode.range?.[0] : undefined);
    const name = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!isScalar(keyNode) || !VAR_NAME.test(name)) {
      throw new BadInputError(`malformed vars file: \`${name || '?'}\` is not a variable name`, { file, line, hint });
    }
    if (kind === 'saved' && isSecretName(name)) {
      throw new BadInputError(`vars file holds \`${name}\`, which looks secret: secrets are kept in memory only, never read from this file`, {
        file,
        line,
        hint: `remove the line; pass the value with --var ${name}=... or type it at the player's prompt`,
      });
    }
    let v: unknown = pair.value;
    if (kind === 'operator' && isMap(v)) {
      // {value: x, secret: true}, as in front matter
      const items = v.items;
      const keyOf = (it: (typeof items)[number]): string => (isScalar(it.key) ? String(it.key.value) : '');
      const valueItem = items.find((it) => keyOf(it) === 'value');
      const flagItem = items.find((it) => keyOf(it) === 'secret');
      const flag = flagItem && isScalar(flagItem.value) ? flagItem.value.value : undefined;
      if (!valueItem || items.some((it) => keyOf(it) !== 'value' && keyOf(it) !== 'secret') || (flagItem && typeof flag !== 'boolean')) {
        throw new BadInputError(`malformed vars file: \`${name}\` must be a plain value or {value: ..., secret: true}`, { file, line, hint });
      }
      if (flag === true) secret.push(name);
      v = valueItem.value;
    }
    if (!isScalar(v) || v.value === null || typeof v.value === 'object') {
      throw new BadInputError(`malformed vars file: \`${name}\` needs a plain value (text or number)`, { file, line, hint });
    }
    vars[name] = String(v.value);
  }
  return { doc, vars, secret };
}

async function readText(file: string, check?: (st: Stats) => void): Promise<string | undefined> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, FS.O_RDONLY | FS.O_NONBLOCK); // a FIFO must not block the open
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BadInputError(`cannot read the vars file: ${(e as Error).message}`, { file });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new BadInputError('the vars file is not a regular file', { file, hint: HINT });
    if (st.size > MAX_BYTES) throw new BadInputError(`the vars file is larger than ${MAX_BYTES} bytes`, { file, hint: HINT });
    check?.(st);
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/**
 * The saved variables of `file`, or {} when it does not exist. Values are strings (numbers and
 * booleans as written). A malformed file, a nested value or a secret-looking name is a
 * BadInputError naming the file and line.
 */
export async function loadSavedVars(file: string): Promise<Record<string, string>> {
  const text = await readText(file);
  return text === undefined ? {} : parse(text, file).vars;
}

const OPERATOR_HINT = 'a --var-file is a YAML mapping `name: value` (or `name: {value: ..., secret: true}`), mode 0600';

/**
 * Variables from an operator's `--var-file FILE` (YAML mapping; secret-looking names welcome,
 * `{value: x, secret: true}` marks any name secret). The file holds secrets, so it must be a
 * regular file that neither group nor others can read or write (0600 or 0400), else BadInputError.
 */
export async function loadOperatorVarsFile(file: string): Promise<{ vars: Record<string, string>; secret: string[] }> {
  const text = await readText(file, (st) => {
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new BadInputError(`--var-file is readable or writable by others (mode ${mode}); it holds secrets`, { file, hint: `chmod 600 ${file}` });
    }
  });
  if (text === undefined) throw new BadInputError('--var-file not found', { file, hint: OPERATOR_HINT });
  const { vars, secret } = parse(text, file, 'operator', OPERATOR_HINT);
  return { vars, secret };
}

/** Saves in progress per file, so two saves in one process merge instead of racing. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Save `name: value` into the vars file, merged with what is there (other names, comments kept),
 * written atomically with mode 0600 (its directory created 0700). A secret-looking name is refused
 * (BadInputError) and nothing is written; so is a malformed existing file (it is left as it is).
 */
export function saveVar(file: string, name: string, value: string): Promise<void> {
  if (isSecretName(name)) {
    return Promise.reject(new BadInputError(`${name} looks secret: secrets are kept in memory only, never saved`));
  }
  if (!VAR_NAME.test(name)) return Promise.reject(new BadInputError(`\`${name}\` is not a variable name`));
  const prev = queues.get(file) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(async () => {
    const text = await readText(file);
    let doc: Document;
    if (text === undefined || text.trim() === '') {
      doc = new Document({});
      doc.commentBefore = HEADER;
    } else {
      doc = parse(text, file).doc;
      if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) doc.contents = doc.createNode({});
    }
    doc.set(name, value);
    await ensureDir(path.dirname(file));
    await atomicReplace(file, doc.toString({ lineWidth: 0 }));
  });
  queues.set(file, next);
  void next.finally(() => {
    if (queues.get(file) === next) queues.delete(file);
  }).catch(() => undefined);
  return next;
}
