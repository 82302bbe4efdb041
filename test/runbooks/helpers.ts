// Shared paths and loaders for the tests of the shipped runbooks (runbooks/).
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadInventory } from '../../src/engine/inventory/inventory.js';
import type { Inventory } from '../../src/engine/types.js';

export const RUNBOOKS = resolve(import.meta.dirname, '..', '..', 'runbooks');
export const K8S_HA = join(RUNBOOKS, 'k8s-ha');
export const EXAMPLE_INVENTORY = join(K8S_HA, 'inventory.example.yaml');
export const QUICKSTART = join(RUNBOOKS, 'quickstart.md');

/** Every runbook shipped: the quickstart, the k8s-ha directory, each troubleshooting file. */
export function shippedRunbooks(): { path: string; needsInventory: boolean }[] {
  const troubleshooting = readdirSync(join(RUNBOOKS, 'troubleshooting'))
    .filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md')
    .sort()
    .map((f) => ({ path: join(RUNBOOKS, 'troubleshooting', f), needsInventory: true }));
  return [{ path: QUICKSTART, needsInventory: false }, { path: K8S_HA, needsInventory: true }, ...troubleshooting];
}

export function exampleInventory(): Promise<Inventory> {
  return loadInventory(EXAMPLE_INVENTORY, { sshConfigFile: null });
}
