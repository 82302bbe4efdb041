// Shared paths and loaders for the tests of the shipped runbooks (runbooks/).
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadInventory } from '../../src/engine/inventory/inventory.js';
import type { Inventory } from '../../src/engine/types.js';

export const RUNBOOKS = resolve(import.meta.dirname, '..', '..', 'runbooks');
export const K8S_HA = join(RUNBOOKS, 'k8s-ha');
export const EXAMPLE_INVENTORY = join(K8S_HA, 'inventory.example.yaml');
export const QUICKSTART = join(RUNBOOKS, 'quickstart.md');

export const K8S_UPGRADE = join(RUNBOOKS, 'k8s-upgrade');
export const K8S_OPS = join(RUNBOOKS, 'k8s-ops');

/** Each single-file runbook of a directory of them (its README is not a runbook). */
function filesOf(dir: string): { path: string; needsInventory: boolean }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md')
    .sort()
    .map((f) => ({ path: join(dir, f), needsInventory: true }));
}

/**
 * Every runbook shipped: the quickstart, the k8s-ha and k8s-upgrade directories, each
 * troubleshooting file and each k8s-ops file.
 */
export function shippedRunbooks(): { path: string; needsInventory: boolean }[] {
  return [
    { path: QUICKSTART, needsInventory: false },
    { path: K8S_HA, needsInventory: true },
    { path: K8S_UPGRADE, needsInventory: true },
    ...filesOf(join(RUNBOOKS, 'troubleshooting')),
    ...filesOf(K8S_OPS),
  ];
}

export function exampleInventory(): Promise<Inventory> {
  return loadInventory(EXAMPLE_INVENTORY, { sshConfigFile: null });
}
