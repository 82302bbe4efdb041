// The unknown host keys waiting for the operator, as the host-key dialog lists them and `A` accepts
// them: in inventory order (the hosts pane's order), not in the order the connections met them
// (30 hosts connecting at once arrive in any order).
import type { PromptRequest } from '../engine/store.js';

export type HostKeyPrompt = Extract<PromptRequest, { kind: 'host-key' }>;

/** The host-key prompts among `prompts`, in the order of `hosts` (inventory order); a name not there last, in arrival order. */
export function waitingHostKeys(prompts: readonly PromptRequest[], hosts: readonly { readonly name: string }[]): HostKeyPrompt[] {
  const rank = new Map(hosts.map((h, i) => [h.name, i] as const));
  const rankOf = (p: HostKeyPrompt): number => rank.get(p.host) ?? hosts.length;
  // Array.prototype.sort is stable: keys of one host (a jump host's and its own) keep their arrival order.
  return prompts.filter((p): p is HostKeyPrompt => p.kind === 'host-key').sort((a, b) => rankOf(a) - rankOf(b));
}
