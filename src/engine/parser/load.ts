// Load a runbook: one .md file, or a directory whose .md files play in name order as one runbook.

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { BadInputError } from '../errors.js';
import type { Runbook, Section, Step } from '../types.js';
import { stepHash } from './hash.js';
import { assignStepIds } from './ids.js';
import { parseRunbookFile, type FileParse } from './markdown.js';

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

/** Join parsed files into one Runbook: global step ids, hashes, merged vars. */
export function assembleRunbook(absPath: string, files: readonly FileParse[], fallbackTitle: string): Runbook {
  const flat = files.flatMap((f, fileIndex) => f.steps.map((s) => ({ s, fileIndex })));
  const ids = assignStepIds(flat.map(({ s }) => ({ explicitId: s.attrs.id, idBase: s.idBase, loc: s.loc })));
  const sectionOffsets: number[] = [];
  let offset = 0;
  for (const f of files) {
    sectionOffsets.push(offset);
    offset += f.sections.length;
  }
  const steps: Step[] = flat.map(({ s, fileIndex }, k) => ({
    id: ids[k],
    kind: s.kind,
    lang: s.lang,
    body: s.body,
    attrs: s.attrs,
    hosts: s.hosts,
    sectionIndex: sectionOffsets[fileIndex] + s.sectionIndex,
    loc: s.loc,
    hash: stepHash(s),
    title: s.title,
    source: s.source,
    ...(s.label !== undefined && { label: s.label }),
    ...(s.transcript && { transcript: s.transcript }),
  }));
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

async function readText(abs: string): Promise<string> {
  try {
    return await readFile(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadInputError(`cannot read runbook file: ${code ?? String(e)}`, { file: displayPath(abs), hint: 'check the file exists and is readable' });
  }
}

/**
 * Load the runbook at `path`: a `.md` file, or a directory whose `.md` files (not recursive,
 * README.md excluded) are played in name order as one runbook.
 */
export async function loadRunbook(path: string): Promise<Runbook> {
  const abs = resolve(path);
  let st;
  try {
    st = await stat(abs);
  } catch {
    throw new BadInputError('runbook not found', { file: displayPath(abs), hint: 'give a .md file or a directory of .md files' });
  }
  if (st.isDirectory()) {
    const entries = await readdir(abs, { withFileTypes: true });
    const names: string[] = [];
    for (const e of entries) {
      if (!isRunbookFileName(e.name)) continue;
      if (e.isFile() || (e.isSymbolicLink() && (await stat(join(abs, e.name)).then((s) => s.isFile(), () => false)))) names.push(e.name);
    }
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) {
      throw new BadInputError('directory has no runbook .md files', { file: displayPath(abs), hint: 'add .md files (README.md is not played), e.g. 00-prepare.md, 01-install.md' });
    }
    const files: FileParse[] = [];
    for (const name of names) {
      const f = join(abs, name);
      files.push(parseRunbookFile(await readText(f), displayPath(f), { absFile: f }));
    }
    return assembleRunbook(abs, files, basename(abs));
  }
  if (extname(abs).toLowerCase() !== '.md') {
    throw new BadInputError('a runbook must be a .md file or a directory', { file: displayPath(abs), hint: 'rename the file to end in .md' });
  }
  const parsed = parseRunbookFile(await readText(abs), displayPath(abs), { absFile: abs });
  return assembleRunbook(abs, [parsed], basename(abs, extname(abs)));
}
