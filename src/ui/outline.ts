// The steps pane as an outline: files (when the runbook has several) and sections as groups,
// sections foldable, each with its progress. Pure: rows from the runbook and the fold set.
import { basename } from 'node:path';
import type { Section, Step } from '../engine/types.js';

/** One line of the steps list: a file, a section heading or a step. */
export type StepsRow =
  | { readonly kind: 'file'; readonly file: string; readonly sections: readonly number[] }
  | { readonly kind: 'section'; readonly section: Section; readonly sectionIndex: number; readonly folded: boolean; readonly stepIndexes: readonly number[] }
  | { readonly kind: 'step'; readonly step: Step; readonly index: number };

/**
 * Flatten files, sections and steps into list rows (sections without steps are left out); the
 * steps of a folded section are left out too, its heading stays.
 */
export function stepsRows(sections: readonly Section[], steps: readonly Step[], folded: readonly number[] = []): StepsRow[] {
  const byId = new Map(steps.map((s, i) => [s.id, i] as const));
  const files = new Set(sections.filter((s) => s.stepIds.some((id) => byId.has(id))).map((s) => s.loc.file));
  const multiFile = files.size > 1;
  const rows: StepsRow[] = [];
  let file: string | undefined;
  sections.forEach((section, sectionIndex) => {
    const stepIndexes = section.stepIds.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
    if (stepIndexes.length === 0) return;
    if (multiFile && section.loc.file !== file) {
      file = section.loc.file;
      const inFile = sections.map((s, i) => ({ s, i })).filter((x) => x.s.loc.file === file).map((x) => x.i);
      rows.push({ kind: 'file', file: basename(file), sections: inFile });
    }
    const isFolded = folded.includes(sectionIndex);
    rows.push({ kind: 'section', section, sectionIndex, folded: isFolded, stepIndexes });
    if (!isFolded) for (const index of stepIndexes) rows.push({ kind: 'step', step: steps[index], index });
  });
  return rows;
}

/** Step indexes in list order that are visible (not in a folded section). */
export function visibleSteps(rows: readonly StepsRow[]): number[] {
  return rows.flatMap((r) => (r.kind === 'step' ? [r.index] : []));
}

/**
 * The step `delta` visible steps away from `selected` (clamped). A selection inside a folded
 * section moves from where that section's heading is.
 */
export function moveVisible(rows: readonly StepsRow[], selected: number, delta: number): number {
  const vis = visibleSteps(rows);
  if (vis.length === 0) return selected;
  let at = vis.indexOf(selected);
  if (at < 0) {
    // Selected step is folded away: position just before the next visible step.
    const after = vis.findIndex((i) => i > selected);
    at = after < 0 ? vis.length - 0.5 : after - 0.5;
  }
  const target = delta > 0 ? Math.ceil(at + delta - (Number.isInteger(at) ? 0 : 0.5)) : Math.floor(at + delta + (Number.isInteger(at) ? 0 : 0.5));
  return vis[Math.max(0, Math.min(vis.length - 1, target))];
}
