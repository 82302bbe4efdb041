// One runbook file's Markdown -> front matter, sections and (not yet identified) steps.
//
// A small line scanner that follows CommonMark for what matters here: ATX headings, fenced code
// blocks (``` or ~~~, 3+ chars, indented up to 3 spaces, closed by the same char at least as
// long) and HTML comments (fences inside <!-- ... --> are not steps). Indented code blocks and
// lines indented 4+ columns are never fences or headings. Blockquotes and deeply nested list
// items are not looked into.

import { basename, extname } from 'node:path';
import { BadInputError } from '../errors.js';
import type { DisplayBlock, FrontMatter, ParseWarning, SourceLocation, StepAttributes, StepKind } from '../types.js';
import { parseInfoString, refuseRundown, SHELL_LANGS } from './attributes.js';
import { parseFrontMatter, splitFrontMatter } from './frontmatter.js';
import { hasPromptLines, PROMPT_LANGS, promptCommands, type Transcript } from './prompts.js';
import { slugify } from './slug.js';

/** A step as found in one file, before ids (which are unique across files) are assigned. */
export interface FileStep {
  readonly kind: StepKind;
  readonly lang: string;
  readonly body: string;
  readonly attrs: StepAttributes;
  /** Effective host pattern: attrs.hosts ?? front matter hosts ?? 'all'. */
  readonly hosts: string;
  readonly loc: SourceLocation;
  /** Index into FileParse.sections. */
  readonly sectionIndex: number;
  /** Title of the nearest heading (the file title before the first heading). */
  readonly title: string;
  /** Slug the default id derives from (nearest heading, else the file's basename). */
  readonly idBase: string;
  /** Info string (trimmed, as CommonMark reads it), a newline, then the body: the step as written. */
  readonly source: string;
  /** A docs site's code-block title (`title="install.sh"`). */
  readonly label?: string;
  /** The block is a `$ ` transcript: what runs of it. */
  readonly transcript?: Transcript;
}

/** A section as found in one file; steps are referenced by index into FileParse.steps. */
export interface FileSection {
  readonly title: string;
  readonly depth: number;
  readonly slug: string;
  readonly loc: SourceLocation;
  readonly markdown: string;
  readonly stepIndexes: readonly number[];
}

/** Everything one runbook file holds. */
export interface FileParse {
  /** Path used in messages. */
  readonly file: string;
  readonly frontMatter: FrontMatter;
  /** front matter title, else first H1, else basename without extension. */
  readonly title: string;
  /** Text of the first H1, if any. */
  readonly firstH1?: string;
  readonly sections: readonly FileSection[];
  readonly steps: readonly FileStep[];
  readonly displayBlocks: readonly DisplayBlock[];
  /** What was accepted with a warning (other tools' keys and attributes, guessed prompts). */
  readonly warnings: readonly ParseWarning[];
}

export interface ParseFileOptions {
  /** Absolute path of the file (front matter `inventory` is resolved relative to it). */
  readonly absFile: string;
}

/** Indentation width in columns (tabs to the next multiple of 4). */
function indentOf(line: string): number {
  let col = 0;
  for (const c of line) {
    if (c === ' ') col++;
    else if (c === '\t') col += 4 - (col % 4);
    else break;
  }
  return col;
}

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
/** Rundown's automation tags (`<r stop-ok/>`, `<rundown label=x/>`), outside inline code. */
const RUNDOWN_TAG = /<(r|rundown)(\s[^<>]*)?\/?>/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$/;

/** Heading text without the optional closing #s and simple inline markup. */
function headingText(raw: string): string {
  return raw
    .replace(/(^|[ \t])#+[ \t]*$/, '')
    .trim()
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`+/g, '');
}

interface OpenSection {
  title: string | undefined; // undefined: the preamble, titled later by the file title
  depth: number;
  line: number;
  start: number; // index into lines
  end: number;
  stepIndexes: number[];
}

/** Parse one runbook file's text. `file` is the path shown in messages. */
export function parseRunbookFile(text: string, file: string, opts: ParseFileOptions): FileParse {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const fmSplit = splitFrontMatter(lines, file);
  const warnings: ParseWarning[] = [];
  const frontMatter: FrontMatter = fmSplit.present
    ? parseFrontMatter(fmSplit.yaml, { file, absFile: opts.absFile, yamlLine: fmSplit.yamlLine, warn: (w) => warnings.push(w) })
    : { vars: {}, secretVars: [] };
  // Runme attributes with no meaning here: one warning per name, at its first use.
  const runmeIgnored = new Map<string, { line: number; count: number }>();
  // Docs-site options that only change how blocks look: one warning per file, at the first.
  const looks: { line: number; options: Set<string> } = { line: 0, options: new Set() };
  const base = basename(file, extname(file));

  const open: OpenSection[] = [];
  const rawSteps: Omit<FileStep, 'title' | 'idBase'>[] = [];
  const displayBlocks: DisplayBlock[] = [];
  let firstH1: string | undefined;
  let preambleHasContent = false;
  let current: OpenSection = { title: undefined, depth: 0, line: fmSplit.lineCount + 1, start: fmSplit.lineCount, end: lines.length, stepIndexes: [] };
  open.push(current);

  let i = fmSplit.lineCount;
  const noteContent = (line: string) => {
    if (current.depth === 0 && line.trim() !== '') preambleHasContent = true;
  };
  while (i < lines.length) {
    const line = lines[i];
    const lineNo = i + 1;
    if (indentOf(line) >= 4) {
      noteContent(line);
      i++;
      continue;
    }
    const fence = FENCE_OPEN.exec(line);
    if (fence && !(fence[2][0] === '`' && fence[3].includes('`'))) {
      noteContent(line);
      const indent = fence[1].length;
      const ch = fence[2][0];
      const len = fence[2].length;
      const loc: SourceLocation = { file, line: lineNo };
      let close = -1;
      for (let j = i + 1; j < lines.length; j++) {
        const m = /^ {0,3}(`+|~+)[ \t]*$/.exec(lines[j]);
        if (m && m[1][0] === ch && m[1].length >= len) {
          close = j;
          break;
        }
      }
      if (close < 0) {
        throw new BadInputError(`code block opened here is never closed`, { file, line: lineNo, hint: `close it with a line of ${len} or more ${ch === '`' ? 'backticks' : 'tildes'}` });
      }
      const written = lines
        .slice(i + 1, close)
        .map((l) => l.replace(new RegExp(`^ {0,${indent}}`), '') + '\n')
        .join('');
      const parsedInfo = parseInfoString(fence[3], loc);
      const { lang, keys } = parsedInfo;
      let attrs = parsedInfo.attrs;
      if (parsedInfo.looks?.length) {
        looks.line ||= lineNo;
        for (const o of parsedInfo.looks) looks.options.add(o);
      }
      for (const k of parsedInfo.ignored) {
        const seen = runmeIgnored.get(k);
        if (seen) seen.count++;
        else runmeIgnored.set(k, { line: lineNo, count: 1 });
      }
      const lower = lang.toLowerCase();
      const transcript = PROMPT_LANGS.includes(lower);
      const isShell = SHELL_LANGS.includes(lower) || (transcript && attrs.prompt === true);
      let body = written;
      let transcriptOf: Transcript | undefined;
      if (isShell && attrs.file === undefined && !attrs.norun) {
        const guessed = attrs.prompt === undefined && !keys.includes('prompt') && hasPromptLines(written);
        if (attrs.prompt || guessed) {
          const { script, commands, output } = promptCommands(written);
          body = script;
          transcriptOf = { guessed, commands, output };
          if (guessed) {
            attrs = { ...attrs, prompt: true };
            warnings.push({
              file,
              line: lineNo,
              message: `this ${lang} block is written with \`$ \` prompts: only its ${commands} \`$ \` line${commands === 1 ? '' : 's'} run, the other lines are taken as expected output (write {prompt} to say so)`,
            });
          }
        }
      } else if (transcript && !attrs.norun && attrs.file === undefined && hasPromptLines(written)) {
        warnings.push({ file, line: lineNo, level: 'info', message: `this ${lang} block shows \`$ \` commands and is display-only; write \`\`\`${lang} {prompt} to run its \`$ \` lines as a step` });
      }
      if (attrs.norun || (!isShell && attrs.file === undefined)) {
        // Runme notebooks give every cell attributes, also the ones runbook only displays.
        if (!attrs.norun && keys.length > 0 && !parsedInfo.runme && !(keys.length === 1 && keys[0] === 'prompt' && attrs.prompt === false)) {
          throw new BadInputError(`\`${lang || '(no language)'}\` blocks are display-only, so step attributes have no effect here`, {
            file,
            line: lineNo,
            hint: 'only sh, bash and shell blocks run; add file=/path to write this block to a file, or norun to keep it display-only',
          });
        }
        displayBlocks.push({ lang, body, loc });
      } else {
        current.stepIndexes.push(rawSteps.length);
        rawSteps.push({
          kind: attrs.file !== undefined ? 'file' : 'shell',
          lang,
          body,
          attrs,
          hosts: attrs.hosts ?? frontMatter.hosts ?? 'all',
          loc,
          sectionIndex: open.length - 1,
          source: `${fence[3].trim()}\n${written}`,
          ...(parsedInfo.label !== undefined && { label: parsedInfo.label }),
          ...(transcriptOf && { transcript: transcriptOf }),
        });
      }
      i = close + 1;
      continue;
    }
    const tag = RUNDOWN_TAG.exec(line.replace(/`[^`]*`/g, ''));
    if (tag) refuseRundown({ file, line: lineNo }, tag[0]);
    const heading = ATX_HEADING.exec(line);
    if (heading) {
      const title = headingText(heading[2]);
      const depth = heading[1].length;
      if (depth === 1 && firstH1 === undefined) firstH1 = title;
      current.end = i;
      current = { title, depth, line: lineNo, start: i, end: lines.length, stepIndexes: [] };
      open.push(current);
      i++;
      continue;
    }
    noteContent(line);
    if (/^ {0,3}<!--/.test(line)) {
      // HTML comment block: runs to the line containing -->.
      const startCol = line.indexOf('<!--') + 4;
      if (!line.slice(startCol).includes('-->')) {
        let j = i + 1;
        while (j < lines.length && !lines[j].includes('-->')) j++;
        i = j + 1;
        continue;
      }
    }
    i++;
  }

  const fileTitle = frontMatter.title ?? firstH1 ?? base;
  // Drop an empty preamble (nothing but blank lines before the first heading).
  const keepPreamble = preambleHasContent || open[0].stepIndexes.length > 0;
  const shift = keepPreamble ? 0 : 1;
  const sections: FileSection[] = open.slice(shift).map((s) => {
    const md = lines.slice(s.start, s.end);
    while (md.length > 0 && md[md.length - 1].trim() === '') md.pop();
    let line = s.line;
    while (s.title === undefined && md.length > 0 && md[0].trim() === '') {
      md.shift();
      line++;
    }
    const title = s.title ?? fileTitle;
    return {
      title,
      depth: s.depth,
      slug: slugify(title),
      loc: { file, line },
      markdown: md.join('\n'),
      stepIndexes: s.stepIndexes,
    };
  });
  const baseSlug = slugify(base) || 'step';
  const steps: FileStep[] = rawSteps.map((s) => {
    const sec = open[s.sectionIndex];
    const title = sec.title ?? fileTitle;
    const idBase = sec.title === undefined ? baseSlug : slugify(sec.title) || baseSlug;
    return { ...s, sectionIndex: s.sectionIndex - shift, title, idBase };
  });
  return {
    file,
    frontMatter,
    title: fileTitle,
    ...(firstH1 !== undefined && { firstH1 }),
    sections,
    steps,
    displayBlocks,
    warnings: [
      ...warnings,
      ...[...runmeIgnored].map(([k, { line, count }]) => ({
        file,
        line,
        message: `Runme attribute \`${k}\` has no meaning in runbook and is ignored${count > 1 ? ` (on ${count} blocks)` : ''}`,
      })),
      ...(looks.line
        ? [{ file, line: looks.line, message: `code block options of docs sites (${[...looks.options].map((o) => `\`${o}\``).join(', ')}) only change how a block looks: ignored` }]
        : []),
    ].sort((a, b) => a.line - b.line),
  };
}
