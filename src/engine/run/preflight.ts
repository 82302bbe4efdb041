// Before any work starts: every step's host pattern resolves and every template renders for every
// targeted host (captures not made yet stand in as placeholders). Bad input fails fast, exit 2,
// instead of half-way through a cluster build.
import type { Inventory, Runbook, Step } from '../types.js';
import { RenderContext } from './renderContext.js';

export interface PreflightOptions {
  /** The player asks for variables nothing defines: they stand in as placeholders here. */
  readonly allowMissingVars?: boolean;
}

function preflightContext(runbook: Runbook, inventory: Inventory, cliVars: Readonly<Record<string, string>>, opts: PreflightOptions): RenderContext {
  const ctx = new RenderContext(runbook, inventory, cliVars);
  ctx.placeholderCaptures(runbook.steps);
  // The player asks for variables nothing defines; everything else must hold already.
  if (opts.allowMissingVars) for (const name of ctx.missingVars(runbook.steps)) ctx.setVar(name, `<${name}: asked when needed>`);
  return ctx;
}

function checkStep(ctx: RenderContext, s: Step): void {
  for (const h of ctx.stepHosts(s)) ctx.render(s, h);
}

export function preflight(runbook: Runbook, inventory: Inventory, cliVars: Readonly<Record<string, string>>, opts: PreflightOptions = {}): void {
  const ctx = preflightContext(runbook, inventory, cliVars, opts);
  for (const s of runbook.steps) checkStep(ctx, s);
}

/** The host patterns of every step resolve (the cheap part of preflight: nothing is rendered). */
export function preflightHosts(runbook: Runbook, inventory: Inventory): void {
  const ctx = new RenderContext(runbook, inventory, {});
  for (const s of runbook.steps) ctx.stepHosts(s);
}

export interface PreflightSlicesOptions extends PreflightOptions {
  /** Steps checked so far of the runbook's steps: after each slice, and once at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Longest run of checking before the event loop gets a turn (default 15 ms). */
  readonly sliceMs?: number;
  /** Stop early (the player quit): resolves false without checking the rest. */
  readonly signal?: AbortSignal;
}

/**
 * The same checks as preflight(), in slices of about `sliceMs`, giving the event loop a turn
 * between them so a player already on screen keeps answering keys (the preflight of 500 steps x
 * 200 hosts renders 100,000 templates). Rejects with the first error preflight() would throw;
 * resolves true once every step passed, false when stopped by `signal`.
 */
export async function preflightInSlices(runbook: Runbook, inventory: Inventory, cliVars: Readonly<Record<string, string>>, opts: PreflightSlicesOptions = {}): Promise<boolean> {
  const total = runbook.steps.length;
  const sliceMs = opts.sliceMs ?? 15;
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  opts.onProgress?.(0, total);
  await turn();
  if (opts.signal?.aborted) return false;
  const ctx = preflightContext(runbook, inventory, cliVars, opts);
  let sliceStart = performance.now();
  for (let i = 0; i < total; i++) {
    checkStep(ctx, runbook.steps[i]);
    if (performance.now() - sliceStart >= sliceMs && i + 1 < total) {
      opts.onProgress?.(i + 1, total);
      await turn();
      if (opts.signal?.aborted) return false;
      sliceStart = performance.now();
    }
  }
  opts.onProgress?.(total, total);
  return true;
}
