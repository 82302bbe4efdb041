// k8s-ha's kubeadm-init step as rendered, with a stand-in kubeadm printing what `kubeadm init
// --upload-certs` prints: the join secrets reach only a root-only log file, never the step's output
// (which the player shows and logs). /var/log is a tmpfs in a private mount namespace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/engine/parser/load.js';
import { RenderContext } from '../../src/engine/run/renderContext.js';
import { K8S_HA, exampleInventory } from './helpers.js';

const TOKEN = 'abcdef.0123456789abcdef';
const HASH = 'sha256:' + '1f'.repeat(32);
const CERT_KEY = '9c'.repeat(32);
const INIT_OUTPUT = `[init] Using Kubernetes version: v1.37.1
[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace
[upload-certs] Using certificate key:
${CERT_KEY}
Your Kubernetes control-plane has initialized successfully!

You can now join any number of control-plane nodes running the following command on each as root:

  kubeadm join 192.168.1.33:8443 --token ${TOKEN} \\
	--discovery-token-ca-cert-hash ${HASH} \\
	--control-plane --certificate-key ${CERT_KEY}

Then you can join any number of worker nodes by running the following on each as root:

kubeadm join 192.168.1.33:8443 --token ${TOKEN} \\
	--discovery-token-ca-cert-hash ${HASH}
`;

let dir: string;
let script: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rb12-kubeadm-init-'));
  writeFileSync(join(dir, 'output.txt'), INIT_OUTPUT);
  writeFileSync(join(dir, 'kubeadm'), `#!/bin/sh\ncat "${join(dir, 'output.txt')}"\n`, { mode: 0o755 });
  const runbook = await loadRunbook(K8S_HA);
  const ctx = new RenderContext(runbook, await exampleInventory(), {});
  ctx.placeholderCaptures(runbook.steps);
  const step = runbook.steps.find((s) => s.id === 'kubeadm-init')!;
  script = ctx.render(step, ctx.stepHosts(step)[0]!).script;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('k8s-ha kubeadm-init output', () => {
  it('shows the init output with the token, CA hash and certificate key redacted, and keeps them in a 0600 log', () => {
    const setup = ['mount -t tmpfs rb12 /var/log', '(umask 022; bash -c "$1")', 'echo "--- log"', 'stat -c %a /var/log/kubeadm-init.log', 'cat /var/log/kubeadm-init.log'].join(' && ');
    const r = spawnSync('unshare', ['-m', 'sh', '-c', setup, 'kubeadm-init', script], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    expect(r.status, r.stderr).toBe(0);
    const [shown, log] = r.stdout.split('--- log\n') as [string, string];
    for (const secret of [TOKEN, HASH, CERT_KEY]) expect(shown).not.toContain(secret);
    expect(shown).toContain('--token <redacted>');
    expect(shown).toContain('--discovery-token-ca-cert-hash <redacted>');
    expect(shown).toContain('--certificate-key <redacted>');
    expect(shown).toContain('Your Kubernetes control-plane has initialized successfully!');
    expect(log.split('\n')[0]).toBe('600');
    expect(log).toContain(TOKEN);
    expect(log).toContain(CERT_KEY);
  });
});
