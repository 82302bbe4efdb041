// Slugs for section anchors and derived step ids, plus small "did you mean" helpers.

/**
 * GitHub-like slug: lowercase ASCII letters and digits separated by single hyphens.
 * Diacritics are folded ("Überprüfen" -> "uberprufen"); everything else becomes a separator.
 * Returns '' when nothing usable is left (e.g. a heading made only of emoji).
 */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Levenshtein edit distance (small strings only: attribute and key names). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest candidate to `word` (case-insensitive, `-` and `_` alike) within 2 edits, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/-/g, '_');
  let best: string | undefined;
  let bestDist = 3;
  for (const c of candidates) {
    const d = editDistance(norm(word), norm(c));
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** "did you mean `x`?" hint for an unknown name, or undefined. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `did you mean \`${c}\`?`;
}
