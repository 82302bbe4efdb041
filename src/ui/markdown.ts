// Markdown to terminal text with marked + marked-terminal (headings, lists, tables, links, emphasis).
import { Marked } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { stripVTControlCharacters } from 'node:util';

const cache = new Map<string, string>();
let marked: Marked | undefined;

/** Render Markdown for a terminal of `width` columns; `plain` strips every escape code (NO_COLOR). */
export function renderMarkdown(source: string, width: number, plain: boolean): string {
  const key = `${width}\u0000${plain ? 1 : 0}\u0000${source}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let out: string;
  try {
    marked ??= new Marked(markedTerminal({ reflowText: true, width, tab: 2 }) as never);
    out = (marked.parse(stripFenceAttributes(source), { async: false }) as string).replace(/\n+$/, '');
  } catch {
    out = source; // never let a rendering problem take the UI down: show the source as is
  }
  if (plain) out = stripVTControlCharacters(out);
  if (cache.size > 200) cache.clear();
  cache.set(key, out);
  return out;
}

/**
 * Keep only the language of each fence's info string (```bash {id=x sudo} -> ```bash): the
 * highlighter would otherwise look for a language named after the whole string and complain on
 * stderr, which scribbles over the full-screen UI.
 */
export function stripFenceAttributes(source: string): string {
  return source.replace(/^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`{]*)[^\n`]*$/gm, (_m, indent: string, fence: string, lang: string) => `${indent}${fence}${lang}`);
}
