// Destructive commands in the shipped runbooks never run without asking: every step whose body
// resets kubeadm, deletes etcd data or flushes iptables carries `confirm` with a reason.
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/engine/parser/load.js';
import type { Step } from '../../src/engine/types.js';
import { shippedRunbooks } from './helpers.js';

const DANGEROUS: readonly { what: string; re: RegExp }[] = [
  { what: 'kubeadm reset', re: /\bkubeadm\s+reset\b/ },
  { what: 'etcdctl del', re: /\betcdctl\s+del\b/ },
  { what: 'rm -r of etcd data', re: /\brm\s+(-\w*\s+)*-\w*[rR]\w*\b[^\n]*(\/var\/lib\/etcd|etcd_data_dir)/ },
  { what: 'iptables flush', re: /\b(iptables|ip6tables)\b[^\n]*\s(-F|--flush)\b/ },
  { what: 'etcd data dir wipe by variable', re: /\brm\b[^\n]*\{\{\s*etcd_data_dir\s*\}\}/ },
  { what: 'kubectl drain or delete node', re: /\bkubectl\b[^\n]*\s(drain|delete\s+node)\b/ },
  { what: 'etcd snapshot restore', re: /\bsnapshot\s+restore\b/ },
  { what: 'moving the etcd data dir away', re: /\bmv\b[^\n]*"\$data"/ },
  { what: 'kubeadm upgrade apply', re: /\bkubeadm\s+upgrade\s+apply\b/ },
  { what: 'etcd defrag or alarm disarm', re: /\b(defrag|alarm\s+disarm)\b/ },
  { what: 'deleting a network interface or fdb entry', re: /\b(ip\s+link\s+delete\s+cni0|bridge\s+fdb\s+del)\b/ },
];

/** Shell text a step runs, comments dropped so prose about a command does not count. */
function commands(step: Step): string {
  const body = step.kind === 'shell' ? step.body.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n') : '';
  return [body, step.attrs.unless ?? '', step.attrs.verify ?? ''].join('\n');
}

describe('dangerous steps in the shipped runbooks', () => {
  it('carry confirm with a reason', async () => {
    const unconfirmed: string[] = [];
    let dangerous = 0;
    for (const rb of shippedRunbooks()) {
      const runbook = await loadRunbook(rb.path);
      for (const s of runbook.steps) {
        const hits = DANGEROUS.filter((d) => d.re.test(commands(s)));
        if (!hits.length) continue;
        dangerous++;
        if (typeof s.attrs.confirm !== 'string' || s.attrs.confirm.length < 10) {
          unconfirmed.push(`${s.loc.file}:${s.loc.line} ${s.id} (${hits.map((h) => h.what).join(', ')})`);
        }
      }
    }
    expect(unconfirmed).toEqual([]);
    // The reset runbook's kubeadm resets and etcd wipes, and the day-2 drains, restores, upgrades
    // and node removals are found at all.
    expect(dangerous).toBeGreaterThanOrEqual(12);
  });

  it('recognise the commands they are meant to catch', () => {
    const probe = (body: string): boolean => DANGEROUS.some((d) => d.re.test(body));
    expect(probe('kubeadm reset --force')).toBe(true);
    expect(probe('rm -rf /var/lib/etcd/member')).toBe(true);
    expect(probe('rm -rf "{{ etcd_data_dir }}/member"')).toBe(true);
    expect(probe('iptables -F')).toBe(true);
    expect(probe('etcdctl del /registry --prefix')).toBe(true);
    expect(probe('kubeadm init --config c.yaml')).toBe(false);
    expect(probe('kubectl drain node1 --ignore-daemonsets')).toBe(true);
    expect(probe('kubeadm upgrade apply v1.37.1 --yes')).toBe(true);
    expect(probe('kubeadm upgrade plan v1.37.1')).toBe(false);
    expect(probe('etcdutl snapshot restore s.db --data-dir d')).toBe(true);
    expect(probe('rm -f /tmp/x')).toBe(false);
  });
});
