// Step ids: explicit `id=` attributes, or derived from the nearest heading; unique per runbook.

import { BadInputError } from '../errors.js';
import type { SourceLocation } from '../types.js';

/** What id assignment needs to know about a step. */
export interface IdCandidate {
  readonly explicitId?: string;
  /** Slug the default id derives from. */
  readonly idBase: string;
  readonly loc: SourceLocation;
}

/**
 * Ids for the steps, in order. Explicit ids must be unique (a duplicate names both locations);
 * derived ids are `base`, `base-2`, `base-3`... skipping any id already taken by another step.
 */
export function assignStepIds(steps: readonly IdCandidate[]): string[] {
  const explicit = new Map<string, SourceLocation>();
  for (const s of steps) {
    if (s.explicitId === undefined) continue;
    const prev = explicit.get(s.explicitId);
    if (prev) {
      throw new BadInputError(`duplicate step id \`${s.explicitId}\` (first used at ${prev.file}:${prev.line})`, {
        file: s.loc.file,
        line: s.loc.line,
        hint: 'step ids must be unique across the whole runbook; rename one of them',
      });
    }
    explicit.set(s.explicitId, s.loc);
  }
  const taken = new Set<string>(explicit.keys());
  const counters = new Map<string, number>();
  return steps.map((s) => {
    if (s.explicitId !== undefined) return s.explicitId;
    let n = counters.get(s.idBase) ?? 1;
    let id = n === 1 ? s.idBase : `${s.idBase}-${n}`;
    while (taken.has(id)) {
      n++;
      id = `${s.idBase}-${n}`;
    }
    counters.set(s.idBase, n + 1);
    taken.add(id);
    return id;
  });
}
