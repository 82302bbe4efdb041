// Before any work starts: every step's host pattern resolves and every template renders for every
// targeted host (captures not made yet stand in as placeholders). Bad input fails fast, exit 2,
// instead of half-way through a cluster build.
import type { Inventory, Runbook } from '../types.js';
import { RenderContext } from './renderContext.js';

export function preflight(runbook: Runbook, inventory: Inventory, cliVars: Readonly<Record<string, string>>, opts: { allowMissingVars?: boolean } = {}): void {
  const ctx = new RenderContext(runbook, inventory, cliVars);
  ctx.placeholderCaptures(runbook.steps);
  // The player asks for variables nothing defines; everything else must hold already.
  if (opts.allowMissingVars) for (const name of ctx.missingVars(runbook.steps)) ctx.setVar(name, `<${name}: asked when needed>`);
  for (const s of runbook.steps) {
    for (const h of ctx.stepHosts(s)) ctx.render(s, h);
  }
}
