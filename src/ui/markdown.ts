// Markdown to terminal text with marked + marked-terminal (headings, lists, tables, links,
// emphasis), at the width the pane has now: one renderer per width, so a resize re-renders.
// The libraries (marked, marked-terminal and, under it, the highlighter, parse5 and the emoji
// table: about half the player's code) are loaded after the first frame (loadMarkdown, started by
// the document pane once it is on screen): until they are, a section shows as written, wrapped.
import type { Marked, Tokens } from 'marked';
import { stripVTControlCharacters } from 'node:util';
import { CODE_THEME } from './codeTheme.js';
import { columns, wrapText } from './text.js';

interface Libraries {
  readonly Marked: typeof Marked;
  readonly markedTerminal: typeof import('marked-terminal').markedTerminal;
}

let libraries: Libraries | undefined;
let loading: Promise<void> | undefined;
const listeners = new Set<() => void>();
const cache = new Map<string, string>();
const renderers = new Map<number, Marked>();

/**
 * Load marked and marked-terminal (once; later calls get the same promise), then tell the
 * subscribers (the document pane draws the section again, rendered). A failure to load leaves the
 * sections as written: the player goes on.
 */
export function loadMarkdown(): Promise<void> {
  loading ??= Promise.all([import('marked'), import('marked-terminal')]).then(
    ([m, t]) => {
      libraries = { Marked: m.Marked, markedTerminal: t.markedTerminal };
      cache.clear();
      for (const l of listeners) l();
    },
    () => undefined,
  );
  return loading;
}

/** Whether renderMarkdown renders (else it shows the Markdown as written). */
export function markdownLoaded(): boolean {
  return libraries !== undefined;
}

/** Called once the libraries are loaded (for useSyncExternalStore); returns the unsubscribe. */
export function subscribeMarkdown(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function rendererFor(lib: Libraries, width: number): Marked {
  let m = renderers.get(width);
  if (m) return m;
  // The second argument is cli-highlight's options (@types/marked-terminal calls it a cardinal theme).
  m = new lib.Marked(lib.markedTerminal({ reflowText: true, width, tab: 2, showSectionPrefix: false }, { theme: CODE_THEME } as never) as never);
  m.use({
    renderer: {
      // marked-terminal drops the inline tokens of tight list items (raw `code`, [links](…), **bold**).
      text(token: Tokens.Text | Tokens.Escape): string | false {
        if (typeof token === 'object' && 'tokens' in token && token.tokens) return this.parser.parseInline(token.tokens);
        return false;
      },
      // Tables fit the pane: columns shrink and cells wrap instead of running off the edge.
      table(token: Tokens.Table): string {
        const inline = (c: Tokens.TableCell): string => stripVTControlCharacters(this.parser.parseInline(c.tokens));
        return `${tableText(token.header.map(inline), token.rows.map((r) => r.map(inline)), width)}\n\n`;
      },
    },
  });
  if (renderers.size > 8) renderers.clear();
  renderers.set(width, m);
  return m;
}

/** A plain-text table at most `width` columns wide: the widest columns give way first, cells wrap. */
export function tableText(header: readonly string[], rows: readonly (readonly string[])[], width: number): string {
  const n = header.length;
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(1, ...all.map((r) => (r[c] ?? '').length)));
  const sep = ' │ ';
  const budget = Math.max(n, width - sep.length * (n - 1));
  while (widths.reduce((a, b) => a + b, 0) > budget) {
    const i = widths.indexOf(Math.max(...widths));
    if (widths[i] <= 4) break;
    widths[i]--;
  }
  const line = (cells: readonly string[]): string[] => {
    const wrapped = widths.map((w, c) => wrapText(cells[c] ?? '', w));
    const height = Math.max(...wrapped.map((x) => x.length));
    return Array.from({ length: height }, (_, k) => wrapped.map((x, c) => (x[k] ?? '').padEnd(widths[c])).join(sep).trimEnd());
  };
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [...line(header), rule, ...rows.flatMap(line)].join('\n');
}

/**
 * Render Markdown for a terminal of `width` columns; `plain` strips every escape code (NO_COLOR).
 * Before loadMarkdown() has loaded the libraries: the Markdown as written, fitted to the width.
 */
export function renderMarkdown(source: string, width: number, plain: boolean): string {
  const lib = libraries;
  if (!lib) return stripFenceAttributes(source).replace(/\n+$/, '').split('\n').flatMap((l) => fitLine(l, width)).join('\n');
  const key = `${width}\u0000${plain ? 1 : 0}\u0000${source}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let out: string;
  try {
    out = (rendererFor(lib, width).parse(stripFenceAttributes(source), { async: false }) as string).replace(/\n+$/, '');
  } catch {
    out = source; // never let a rendering problem take the UI down: show the source as is
  }
  if (plain) out = stripVTControlCharacters(out);
  out = out.split('\n').flatMap((l) => fitLine(l, width)).join('\n');
  if (cache.size > 200) cache.clear();
  cache.set(key, out);
  return out;
}

/**
 * marked-terminal does not reflow list items, and reflows paragraphs by characters, not columns (a
 * line of Chinese text came out twice the pane's width): a line wider than the pane is wrapped
 * here, list items with a hanging indent under their text (such a line loses its colours, never
 * its words).
 */
function fitLine(line: string, width: number): string[] {
  const plain = stripVTControlCharacters(line);
  if (columns(plain) <= width) return [line];
  const lead = /^(\s*(?:[*•-]|\d+\.)?\s*)/.exec(plain)?.[1] ?? '';
  return wrapText(plain, width, ' '.repeat(lead.length));
}

/**
 * Keep only the language of each fence's info string (```bash {id=x sudo} -> ```bash): the
 * highlighter would otherwise look for a language named after the whole string and complain on
 * stderr, which scribbles over the full-screen UI.
 */
export function stripFenceAttributes(source: string): string {
  return source.replace(/^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`{]*)[^\n`]*$/gm, (_m, indent: string, fence: string, lang: string) => `${indent}${fence}${lang}`);
}
