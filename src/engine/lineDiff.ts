// A compact line diff of two step texts (old vs new), for the changed-step dialog and `plan`.
// Pure functions, no I/O.

export type DiffLine =
  | { readonly kind: 'same' | 'removed' | 'added'; readonly text: string }
  /** Unchanged lines left out of a compact diff. */
  | { readonly kind: 'gap'; readonly count: number };

/** Above this many lines (old × new), the middle is shown as all removed then all added. */
const LCS_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Every line of old and new, each marked same, removed or added (longest common subsequence). */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = a.slice(0, start).map((text) => ({ kind: 'same', text }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length * midB.length > LCS_CELLS) {
    for (const text of midA) out.push({ kind: 'removed', text });
    for (const text of midB) out.push({ kind: 'added', text });
  } else {
    // lcs[i][j]: length of the LCS of midA[i..] and midB[j..].
    const n = midA.length;
    const m = midB.length;
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) lcs[i][j] = midA[i] === midB[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        out.push({ kind: 'same', text: midA[i] });
        i++;
        j++;
      } else if (j < m && (i === n || lcs[i][j + 1] > lcs[i + 1][j])) {
        out.push({ kind: 'added', text: midB[j++] });
      } else {
        out.push({ kind: 'removed', text: midA[i++] });
      }
    }
  }
  for (const text of a.slice(endA)) out.push({ kind: 'same', text });
  return out;
}

/**
 * The diff with unchanged lines more than `context` lines away from a change folded into gaps.
 * Equal texts give only same lines and gaps (no removed or added line).
 */
export function compactLineDiff(oldText: string, newText: string, context = 2): DiffLine[] {
  const all = lineDiff(oldText, newText);
  const keep = all.map(() => false);
  all.forEach((l, k) => {
    if (l.kind === 'same') return;
    for (let d = Math.max(0, k - context); d <= Math.min(all.length - 1, k + context); d++) keep[d] = true;
  });
  const out: DiffLine[] = [];
  let gap = 0;
  all.forEach((l, k) => {
    if (keep[k]) {
      if (gap) out.push({ kind: 'gap', count: gap });
      gap = 0;
      out.push(l);
    } else gap++;
  });
  if (gap) out.push({ kind: 'gap', count: gap });
  return out;
}

/** One diff line as plain text: `- old`, `+ new`, `  same`, `  … N unchanged lines`. */
export function formatDiffLine(l: DiffLine): string {
  if (l.kind === 'gap') return `  … ${l.count} unchanged line${l.count === 1 ? '' : 's'}`;
  return `${l.kind === 'removed' ? '-' : l.kind === 'added' ? '+' : ' '} ${l.text}`;
}

/**
 * The hashes other than `currentHash` that a step's records carry, the latest record first (by
 * endedAt, else startedAt): where to look for the text a changed step had when it ran.
 */
export function olderHashes(records: Iterable<{ readonly hash: string; readonly endedAt?: string; readonly startedAt?: string }>, currentHash: string): string[] {
  const when = (r: { endedAt?: string; startedAt?: string }): string => r.endedAt ?? r.startedAt ?? '';
  const older = [...records].filter((r) => r.hash !== currentHash).sort((a, b) => (when(a) < when(b) ? 1 : when(a) > when(b) ? -1 : 0));
  return [...new Set(older.map((r) => r.hash))];
}
