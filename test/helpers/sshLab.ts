// One sshd lab per test file: `useSshLab(n)` starts n loopback sshd hosts before the file's tests
// (test/helpers/sshd.ts), writes their inventory once, and stops them after.
import { afterAll, beforeAll } from 'vitest';
import { sharedTempDir, writeFile } from './cli.js';
import { startSshHosts, type SshFixture } from './sshd.js';

export interface SshLab {
  /** The running hosts (valid inside tests, after the file's beforeAll). */
  readonly fx: SshFixture;
  /** Path of the inventory file of every host (with the groups asked for). */
  readonly inv: string;
  /** The connection options every run against the lab passes: its known_hosts, no ssh config. */
  readonly ssh: readonly string[];
}

export function useSshLab(hosts: number, opts: { readonly groups?: Record<string, string[]> } = {}): SshLab {
  let fx: SshFixture | undefined;
  let inv: string | undefined;
  beforeAll(async () => {
    fx = await startSshHosts(hosts);
    inv = writeFile(sharedTempDir(), 'inventory.yaml', fx.inventoryYaml(opts.groups));
  }, 60_000);
  afterAll(async () => {
    await fx?.stop();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the sshd lab is used before its beforeAll ran');
    return v;
  };
  return {
    get fx() {
      return started(fx);
    },
    get inv() {
      return started(inv);
    },
    get ssh() {
      return ['--known-hosts', started(fx).knownHostsFile, '--no-ssh-config'];
    },
  };
}
