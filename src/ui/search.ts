// Search and jump as pure functions: which step, document line or log line matches, and the
// step-id completion of `:`. Case-insensitive substring matching, like less with -i.
import type { Step } from '../engine/types.js';
import { stepLabel } from './selectors.js';

export function matches(text: string, query: string): boolean {
  return query !== '' && text.toLowerCase().includes(query.toLowerCase());
}

/** What a step search looks at: id, label, section title and the command text. */
export function stepText(step: Step): string {
  return `${step.id}\n${stepLabel(step)}\n${step.title}\n${step.body}`;
}

/**
 * Index of the next (dir 1) or previous (dir -1) item after `from` whose text matches, wrapping
 * around; `from` itself is tried last. -1 when nothing matches.
 */
export function findNext(count: number, textOf: (i: number) => string, query: string, from: number, dir: 1 | -1): number {
  if (count === 0 || query === '') return -1;
  for (let k = 1; k <= count; k++) {
    const i = (((from + dir * k) % count) + count) % count;
    if (matches(textOf(i), query)) return i;
  }
  return -1;
}

/** Step ids for `:`: exact id first, then ids starting with the text, then ids containing it. */
export function jumpCandidates(steps: readonly Step[], text: string): Step[] {
  const t = text.trim().toLowerCase();
  if (t === '') return [...steps];
  const exact = steps.filter((s) => s.id.toLowerCase() === t);
  const prefix = steps.filter((s) => s.id.toLowerCase().startsWith(t) && !exact.includes(s));
  const inside = steps.filter((s) => s.id.toLowerCase().includes(t) && !s.id.toLowerCase().startsWith(t));
  return [...exact, ...prefix, ...inside];
}

/** Tab completion: the longest common prefix of the ids starting with the text (the text itself when none). */
export function completeStepId(steps: readonly Step[], text: string): string {
  const starts = steps.map((s) => s.id).filter((id) => id.toLowerCase().startsWith(text.toLowerCase()));
  if (starts.length === 0) return text;
  let p = starts[0];
  for (const id of starts) while (!id.startsWith(p)) p = p.slice(0, -1);
  return p.length >= text.length ? p : text;
}
