// Load a runbook: one .md file, or a directory whose .md files play in name order as one runbook.

// (Synchronous reads: a runbook is a few small files read once, and node:fs/promises costs ~3 ms
// of the start of every command that would load it only for them.)
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { BadInputError } from '../errors.js';
import type { Runbook, Section, Step } from '../types.js';
import { stepHash } from './hash.js';
import { assignStepIds } from './ids.js';
import { parseRunbookFile, type FileParse } from './markdown.js';
import { parseCacheKey, readParseCache, writeParseCache, type RunbookFileText } from './parseCache.js';
import { parseCacheFile } from '../state/paths.js';

/** A path for messages: relative to the working directory when under it, else absolute. */
export function displayPath(p: string): string {
  const abs = resolve(p);
  const rel = relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** True for names a directory runbook plays: `*.md`, except README.md (any case). */
export function isRunbookFileName(name: string): boolean {
  return extname(name).toLowerCase() === '.md' && name.toLowerCase() !== 'readme.md';
}

/**
 * Join parsed files into one Runbook: global step ids, hashes, merged vars.
 * A step's hash is computed when first read (and then kept): only a state's records and the parse
 * cache compare or keep it, and `status` or `plan` of a runbook never played reads none, so it
 * loads no node:crypto (nodeCrypto.ts) and hashes no step.
 */
export function assembleRunbook(absPath: string, files: readonly FileParse[], fallbackTitle: string): Runbook {
  const flat = files.flatMap((f, fileIndex) => f.steps.map((s) => ({ s, fileIndex })));
  const ids = assignStepIds(flat.map(({ s }) => ({ explicitId: s.attrs.id, idBase: s.idBase, loc: s.loc })));
  const sectionOffsets: number[] = [];
  let offset = 0;
  for (const f of files) {
    sectionOffsets.push(offset);
    offset += f.sections.length;
  }
  const steps: Step[] = flat.map(({ s, fileIndex }, k) => {
    let hash: string | undefined;
    return {
      id: ids[k],
      kind: s.kind,
      lang: s.lang,
      body: s.body,
      attrs: s.attrs,
      hosts: s.hosts,
      sectionIndex: sectionOffsets[fileIndex] + s.sectionIndex,
      loc: s.loc,
      get hash() {
        return (hash ??= stepHash(s));
      },
      title: s.title,
      source: s.source,
      ...(s.label !== undefined && { label: s.label }),
      ...(s.transcript && { transcript: s.transcript }),
    };
  });
  let k = 0;
  const stepIdsByFile = files.map((f) => f.steps.map(() => ids[k++]));
  const sections: Section[] = files.flatMap((f, fileIndex) =>
    f.sections.map((sec) => ({
      title: sec.title,
      depth: sec.depth,
      slug: sec.slug,
      loc: sec.loc,
      markdown: sec.markdown,
      stepIds: sec.stepIndexes.map((i) => stepIdsByFile[fileIndex][i]),
    })),
  );
  const vars: Record<string, unknown> = {};
  const secretVars = new Set<string>();
  for (const f of files) {
    Object.assign(vars, f.frontMatter.vars);
    for (const v of f.frontMatter.secretVars) secretVars.add(v);
  }
  const first = files[0];
  const description = files.find((f) => f.frontMatter.description !== undefined)?.frontMatter.description;
  const inventory = files.find((f) => f.frontMatter.inventory !== undefined)?.frontMatter.inventory;
  return {
    path: absPath,
    title: first?.frontMatter.title ?? first?.firstH1 ?? fallbackTitle,
    ...(description !== undefined && { description }),
    sources: files.map((f) => ({ file: f.file, frontMatter: f.frontMatter })),
    sections,
    steps,
    vars,
    secretVars: [...secretVars],
    ...(inventory !== undefined && { inventory }),
    warnings: files.flatMap((f) => f.warnings),
  };
}

/** Parse a single runbook text (as if read from `file`, which need not exist). */
export function parseRunbookText(text: string, file: string): Runbook {
  const abs = resolve(file);
  const parsed = parseRunbookFile(text, displayPath(abs), { absFile: abs });
  return assembleRunbook(abs, [parsed], basename(abs, extname(abs)));
}

function readText(abs: string): string {
  try {
    return readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadInputError(`cannot read runbook file: ${code ?? String(e)}`, { file: displayPath(abs), hint: 'check the file exists and is readable' });
  }
}

export interface LoadRunbookOptions {
  /**
   * The build of the tool (scripts/bundle.mjs sets it in the bundle): with it, the parse of
   * unchanged files is taken from, and kept in, the parse cache beside the runbook's state
   * (parseCache.ts). Without it (tests importing the source) every load parses.
   */
  readonly cacheBuildId?: string;
}

/**
 * Load the runbook at `path`: a `.md` file, or a directory whose `.md` files (not recursive,
 * README.md excluded) are played in name order as one runbook.
 */
export async function loadRunbook(path: string, opts: LoadRunbookOptions = {}): Promise<Runbook> {
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new BadInputError('runbook not found', { file: displayPath(abs), hint: 'give a .md file or a directory of .md files' });
  }
  let paths: string[];
  let fallbackTitle: string;
  if (st.isDirectory()) {
    const entries = readdirSync(abs, { withFileTypes: true });
    const names: string[] = [];
    for (const e of entries) {
      if (!isRunbookFileName(e.name)) continue;
      if (e.isFile() || (e.isSymbolicLink() && statSync(join(abs, e.name), { throwIfNoEntry: false })?.isFile())) names.push(e.name);
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) {
      throw new BadInputError('directory has no runbook .md files', { file: displayPath(abs), hint: 'add .md files (README.md is not played), e.g. 00-prepare.md, 01-install.md' });
    }
    paths = names.map((name) => join(abs, name));
    fallbackTitle = basename(abs);
  } else {
    if (extname(abs).toLowerCase() !== '.md') {
      throw new BadInputError('a runbook must be a .md file or a directory', { file: displayPath(abs), hint: 'rename the file to end in .md' });
    }
    paths = [abs];
    fallbackTitle = basename(abs, extname(abs));
  }
  // Each file is read, then parsed, in order: the first file that cannot be read or parsed is the one reported.
  const texts: RunbookFileText[] = [];
  const parsed: FileParse[] = [];
  // Only where a state directory is there to hold one (parseCache.ts): a runbook never run or
  // played has none, and its files are not hashed for a key nothing would be kept under.
  const cacheFile = opts.cacheBuildId === undefined ? undefined : parseCacheFile(abs);
  const cacheDir = cacheFile !== undefined && lstatSync(dirname(cacheFile), { throwIfNoEntry: false })?.isDirectory();
  if (cacheDir) {
    // Read every file first (an unreadable one falls through to the loop below, which reports it).
    try {
      for (const f of paths) texts.push({ abs: f, display: displayPath(f), text: readFileSync(f, 'utf8') });
    } catch {
      texts.length = 0;
    }
  }
  const key = cacheDir && texts.length === paths.length ? parseCacheKey(opts.cacheBuildId!, abs, texts) : undefined;
  if (key !== undefined) {
    const cached = readParseCache(cacheFile!, key);
    if (cached) return cached;
  }
  for (const [i, f] of paths.entries()) {
    const text = key !== undefined ? texts[i].text : readText(f);
    parsed.push(parseRunbookFile(text, displayPath(f), { absFile: f }));
  }
  const runbook = assembleRunbook(abs, parsed, fallbackTitle);
  if (key !== undefined) writeParseCache(cacheFile!, key, runbook);
  return runbook;
}
