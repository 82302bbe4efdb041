// Which ssh-agent a hop uses (IdentityAgent: a socket path, `SSH_AUTH_SOCK`, `$NAME`, `none`) and
// which of its keys are offered in which order, as OpenSSH does: keys matching a configured identity
// file (its private key, or the `.pub` beside an encrypted one) first; under IdentitiesOnly only those.
import * as fs from 'node:fs';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';

import { agentSocket } from './agentSocket.js';

export { agentSocket };

const { OpenSSHAgent, utils: ssh2utils } = ssh2;

/** The public key blob of an identity file: from the private key, else from FILE.pub (encrypted keys). */
export function publicBlobOf(file: string): Buffer | undefined {
  for (const candidate of [file, `${file}.pub`]) {
    let data: Buffer;
    try {
      data = fs.readFileSync(candidate);
    } catch {
      continue;
    }
    const parsed = ssh2utils.parseKey(data);
    if (!(parsed instanceof Error)) return (Array.isArray(parsed) ? parsed[0] : parsed).getPublicSSH();
  }
  return undefined;
}

/**
 * An agent offering its keys in OpenSSH's order (sshconnect2.c pubkey_prepare): first the keys that
 * match a configured identity file, then, unless IdentitiesOnly, the others, each in the agent's order.
 */
class PreferringAgent extends OpenSSHAgent {
  constructor(socket: string, private readonly configured: readonly Buffer[], private readonly only: boolean) {
    super(socket);
  }

  override getIdentities(cb: Parameters<InstanceType<typeof OpenSSHAgent>['getIdentities']>[0]): void {
    super.getIdentities((err, keys) => {
      if (err) return cb(err);
      const all = (keys ?? []) as ParsedKey[];
      const isConfigured = (k: ParsedKey): boolean => this.configured.some((b) => b.equals(k.getPublicSSH()));
      cb(undefined, [...all.filter(isConfigured), ...(this.only ? [] : all.filter((k) => !isConfigured(k)))]);
    });
  }
}

/**
 * The agent for ssh2's `agent` auth method (tried before the key files, as OpenSSH does), or
 * undefined when there is none to use. Its keys matching `identityFiles` come first; under
 * IdentitiesOnly they are the only ones (none match: no agent at all).
 */
export function agentFor(socket: string | undefined, identitiesOnly: boolean, identityFiles: readonly string[]): string | InstanceType<typeof OpenSSHAgent> | undefined {
  if (!socket) return undefined;
  const configured = identityFiles.map(publicBlobOf).filter((b): b is Buffer => b !== undefined);
  if (identitiesOnly && configured.length === 0) return undefined;
  return configured.length ? new PreferringAgent(socket, configured, identitiesOnly) : socket;
}
