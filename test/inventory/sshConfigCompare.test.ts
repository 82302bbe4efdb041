// ssh config files read by runbook and by OpenSSH itself (`ssh -G -F FILE HOST`): the same
// HostName, User, Port, IdentityFile list, ProxyJump and ProxyCommand for every host.
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadSshConfig } from '../../src/engine/inventory/sshConfig.js';

const run = promisify(execFile);
const DIR = path.join(import.meta.dirname, 'corpus', 'ssh');

const CASES: Record<string, string[]> = {
  'patterns.config': ['web-1', 'web-legacy', 'db1', 'bastion', 'other'],
  'first-wins.config': ['api.prod.example.com', 'www.prod.example.com', 'jump.example.com', '10.1.2.3', 'plain'],
};

async function sshG(file: string, host: string): Promise<Map<string, string[]>> {
  const { stdout } = await run('ssh', ['-G', '-F', file, host], { env: { ...process.env, HOME: os.homedir() } });
  const out = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(' ');
    if (i < 0) continue;
    const k = line.slice(0, i);
    out.set(k, [...(out.get(k) ?? []), line.slice(i + 1)]);
  }
  return out;
}

const home = (p: string): string => (p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p);
const localUser = os.userInfo().username;

describe.each(Object.entries(CASES))('%s: read as ssh -G reads it', (name, hosts) => {
  it.each(hosts)('%s', async (host) => {
    const file = path.join(DIR, name);
    const cfg = await loadSshConfig(file);
    const ours = cfg!.lookup(host);
    const g = await sshG(file, host);
    expect({ hostname: ours.hostName ?? host, user: ours.user ?? localUser, port: ours.port ?? 22 }).toEqual({
      hostname: g.get('hostname')![0],
      user: g.get('user')![0],
      port: Number(g.get('port')![0]),
    });
    expect(ours.proxyJump ?? null).toBe(g.get('proxyjump')?.[0] ?? null);
    const pc = ours.proxyCommand === 'none' ? undefined : ours.proxyCommand;
    expect(pc ?? null).toBe(g.get('proxycommand')?.[0] ?? null);
    const ids = ours.identityFiles ?? (ours.identityFile ? [ours.identityFile] : undefined);
    if (ids) {
      // ssh -G prints IdentityFile before token expansion: compare the token-free ones.
      const theirs = g.get('identityfile')!.filter((i) => !i.includes('%')).map(home);
      expect(ids.filter((i) => !i.includes(host) && !i.includes(localUser + '_'))).toEqual(theirs);
    }
  });
});
