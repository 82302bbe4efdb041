// ssh config files read by runbook and by OpenSSH itself (`ssh -G -F FILE [-l USER] HOST`): the same
// HostName, User, Port, IdentityFile list, ProxyJump, ProxyCommand, UserKnownHostsFile,
// StrictHostKeyChecking, IdentityAgent, IdentitiesOnly, HostKeyAlias and ConnectTimeout for every
// host, with Match user/originalhost/localuser/host, Include globs, `Host *` defaults after the
// specific hosts, tokens (%h %p %r %u %n %d %%), `~` and ${ENV} where OpenSSH expands them.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadSshConfig } from '../../src/engine/inventory/sshConfig.js';

const run = promisify(execFile);
const DIR = path.join(import.meta.dirname, 'corpus', 'ssh');

/** `HOST` or `USER@HOST` (the user given as `ssh -l USER`, as Ansible's ansible_user is). */
const CASES: Record<string, string[]> = {
  'patterns.config': ['web-1', 'web-legacy', 'db1', 'bastion', 'other'],
  'first-wins.config': ['api.prod.example.com', 'www.prod.example.com', 'jump.example.com', '10.1.2.3', 'plain'],
  'match.config': [
    'web.prod.example.com', 'bastion.prod.example.com', 'db-main', 'legacy', 'gpu1', 'other',
    'deploy@web.prod.example.com', 'deploy@db-main', 'deploy@legacy', 'postgres@legacy', 'root@legacy', 'admin@bastion.prod.example.com',
  ],
  'include.config.in': ['nas', 'build-7', 'build-1', 'other', 'ci@nas'],
  'proxy-order.config': ['jump-first', 'command-first', 'jump-none-first', 'command-none-first', 'db.internal', 'plain', 'db', 'db1', 'DB2', 'db9', 'db10'],
};

/** ${ENV} in the corpus names this directory. */
const ENV_DIR = '/tmp/runbook-ssh-corpus';
process.env.RB_SSH_TEST_DIR = ENV_DIR;

/** The corpus file, written out with @DIR@ replaced by the corpus directory when it is a template. */
function configPath(name: string): string {
  if (!name.endsWith('.in')) return path.join(DIR, name);
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'rb-sshcfg-')), name.slice(0, -3));
  writeFileSync(out, readFileSync(path.join(DIR, name), 'utf8').replaceAll('@DIR@', DIR));
  return out;
}

async function sshG(file: string, host: string, user: string | undefined): Promise<Map<string, string[]>> {
  const { stdout } = await run('ssh', ['-G', '-F', file, ...(user ? ['-l', user] : []), host], { env: { ...process.env, HOME: os.homedir(), RB_SSH_TEST_DIR: ENV_DIR } });
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

/** ssh -G's words for StrictHostKeyChecking. */
const STRICT: Record<string, string> = { yes: 'true', no: 'false', off: 'false', 'accept-new': 'accept-new', ask: 'ask' };

describe.each(Object.entries(CASES))('%s: read as ssh -G reads it', (name, hosts) => {
  const file = configPath(name);
  it.each(hosts)('%s', async (spec) => {
    const [user, host] = spec.includes('@') ? spec.split('@') : [undefined, spec];
    const cfg = await loadSshConfig(file);
    const ours = cfg!.lookup(host, user !== undefined ? { user } : {});
    const g = await sshG(file, host, user);
    // ssh lowercases the name it connects to; runbook does the same when it resolves the address (connection.ts)
    expect({ hostname: (ours.hostName ?? host).toLowerCase(), user: ours.user ?? localUser, port: ours.port ?? 22 }).toEqual({
      hostname: g.get('hostname')![0],
      user: g.get('user')![0],
      port: Number(g.get('port')![0]),
    });
    expect(ours.proxyJump ?? null).toBe(g.get('proxyjump')?.[0] ?? null);
    const pc = ours.proxyCommand === 'none' ? undefined : ours.proxyCommand;
    expect(pc ?? null).toBe(g.get('proxycommand')?.[0] ?? null);
    expect({
      userknownhostsfile: ours.userKnownHostsFile ?? null,
      // Unset: ssh asks; runbook asks too (the player's dialog) unless --accept-new.
      stricthostkeychecking: ours.strictHostKeyChecking === undefined ? 'ask' : STRICT[ours.strictHostKeyChecking],
      identityagent: ours.identityAgent ?? null,
      identitiesonly: ours.identitiesOnly ? 'yes' : 'no',
      hostkeyalias: ours.hostKeyAlias ?? null,
      connecttimeout: ours.connectTimeout === undefined ? 'none' : String(ours.connectTimeout),
    }).toEqual({
      // ssh -G prints every file and the defaults when none is set: runbook reads the first one set.
      userknownhostsfile: ours.userKnownHostsFile === undefined ? null : g.get('userknownhostsfile')![0].split(' ')[0],
      stricthostkeychecking: g.get('stricthostkeychecking')![0],
      identityagent: g.get('identityagent')?.[0] ?? null,
      identitiesonly: g.get('identitiesonly')![0],
      hostkeyalias: g.get('hostkeyalias')?.[0] ?? null,
      connecttimeout: g.get('connecttimeout')![0],
    });
    const ids = ours.identityFiles ?? (ours.identityFile ? [ours.identityFile] : undefined);
    if (ids) {
      // ssh -G prints IdentityFile before token expansion: compare the token-free ones.
      const theirs = g.get('identityfile')!.filter((i) => !i.includes('%')).map(home);
      const rawTokens = g.get('identityfile')!.filter((i) => i.includes('%')).length;
      expect(ids.length).toBe(theirs.length + rawTokens);
      expect(ids.filter((_, i) => !g.get('identityfile')![i].includes('%'))).toEqual(theirs);
    } else {
      // None configured: ssh -G lists its default ~/.ssh/id_* files, which runbook tries too.
      expect(g.get('identityfile')!.every((i) => i.startsWith('~/.ssh/id_'))).toBe(true);
    }
  });
});
