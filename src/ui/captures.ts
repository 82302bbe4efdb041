// A step that uses a value an earlier step captures cannot render before that step ran: that is
// expected, not an error. Recognise it so the player shows a placeholder (as `plan` does) in grey
// instead of a red "cannot render".
import type { Step } from '../engine/types.js';

/** The capture an error waits for ("undefined variable `token`" where a step has capture=token). */
export function pendingCapture(error: string, steps: readonly Step[]): { readonly name: string; readonly stepId: string } | undefined {
  const m = /undefined variable `([^`]+)`/.exec(error);
  if (!m) return undefined;
  const root = m[1].split(/[.[]/)[0];
  const step = steps.find((s) => s.attrs.capture === root);
  return step ? { name: root, stepId: step.id } : undefined;
}

/** The placeholder plan shows for it: `<token: captured by step get-token>`. */
export function capturePlaceholder(p: { readonly name: string; readonly stepId: string }): string {
  return `<${p.name}: captured by step ${p.stepId}>`;
}
