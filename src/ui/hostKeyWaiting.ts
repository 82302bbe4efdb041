// The unknown host keys waiting for the operator, as the host-key dialog lists them and `A` accepts
// them: in inventory order (the hosts pane's order), not in the order the connections met them
// (30 hosts connecting at once arrive in any order).
import type { PromptRequest, RunStoreState } from '../engine/store.js';

export type HostKeyPrompt = Extract<PromptRequest, { kind: 'host-key' }>;

/** The host-key prompts among `prompts`, in the order of `hosts` (inventory order); a name not there last, in arrival order. */
export function waitingHostKeys(prompts: readonly PromptRequest[], hosts: readonly { readonly name: string }[]): HostKeyPrompt[] {
  const rank = new Map(hosts.map((h, i) => [h.name, i] as const));
  const rankOf = (p: HostKeyPrompt): number => rank.get(p.host) ?? hosts.length;
  // Array.prototype.sort is stable: keys of one host (a jump host's and its own) keep their arrival order.
  return prompts.filter((p): p is HostKeyPrompt => p.kind === 'host-key').sort((a, b) => rankOf(a) - rankOf(b));
}

/**
 * While a step is under way and none of its hosts runs yet, every host it waits for is waiting on
 * the operator's answer about its key: then the status line says so ("2 host keys") instead of
 * "running", and the clock of time spent running steps stands still. Undefined otherwise (some
 * host runs, or no key is waiting).
 */
export function hostKeysAwaited(state: Pick<RunStoreState, 'prompts' | 'records' | 'mode' | 'currentStepId'>): string | undefined {
  if (state.mode === 'idle' || !state.currentStepId) return undefined;
  const keys = state.prompts.filter((p) => p.kind === 'host-key').length;
  if (keys === 0) return undefined;
  if (Object.values(state.records[state.currentStepId] ?? {}).some((r) => r.status === 'running')) return undefined;
  return `${keys} host key${keys === 1 ? '' : 's'}`;
}
