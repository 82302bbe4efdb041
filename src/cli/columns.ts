// Terminal columns a string takes, for the commands that lay out text (status). string-width is
// exact (grapheme clusters, emoji, East Asian wide characters) but costs at start-up: it creates an
// Intl.Segmenter when imported, and its first call compiles Unicode-property patterns (together
// tens of ms of CPU, more than the rest of `status`). Printable ASCII and the status symbols are
// counted here; string-width is imported only when some text holds anything else.
import { BugError } from '../engine/errors.js';

/** Columns of the symbols status prints (STATUS_SYMBOL), as string-width counts them (a test compares). */
export const SYMBOL_COLUMNS: ReadonlyMap<string, number> = new Map([
  ['·', 1], ['▶', 1], ['✔', 1], ['✖', 1], ['↷', 1], ['≡', 1], ['⚡', 2], ['✋', 2], ['⊘', 1], ['…', 1], ['–', 1], ['×', 1],
]);

let exact: ((s: string) => number) | undefined;

/** Columns of `s` if it is printable ASCII and known symbols only; undefined otherwise. */
function simpleColumns(s: string): number | undefined {
  // (Indexes, not `for...of`: that makes a string and an iterator result per character, ~0.4 MB
  // of garbage for one status of the HA build.) Every known symbol is one UTF-16 unit; anything
  // else, a surrogate included, is left to string-width.
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) n++;
    else {
      const w = SYMBOL_COLUMNS.get(s[i]);
      if (w === undefined) return undefined;
      n += w;
    }
  }
  return n;
}

/** Make columns() ready for every text in `texts`: imports string-width if one of them needs it. */
export async function loadColumns(texts: Iterable<string>): Promise<void> {
  if (exact) return;
  for (const t of texts) {
    if (simpleColumns(t) === undefined) {
      exact = (await import('string-width')).default;
      return;
    }
  }
}

/** Whether string-width was needed (for tests). */
export function exactColumnsLoaded(): boolean {
  return exact !== undefined;
}

/** Columns `s` takes in a terminal. Text other than ASCII and the status symbols needs loadColumns() first. */
export function columns(s: string): number {
  const n = simpleColumns(s);
  if (n !== undefined) return n;
  if (!exact) throw new BugError(`columns() of ${JSON.stringify(s)} before loadColumns() saw it`);
  return exact(s);
}
