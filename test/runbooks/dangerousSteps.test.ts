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
    // The reset runbook's kubeadm resets and etcd wipes are found at all.
    expect(dangerous).toBeGreaterThanOrEqual(4);
  });

  it('recognise the commands they are meant to catch', () => {
    const probe = (body: string): boolean => DANGEROUS.some((d) => d.re.test(body));
    expect(probe('kubeadm reset --force')).toBe(true);
    expect(probe('rm -rf /var/lib/etcd/member')).toBe(true);
    expect(probe('rm -rf "{{ etcd_data_dir }}/member"')).toBe(true);
    expect(probe('iptables -F')).toBe(true);
    expect(probe('etcdctl del /registry --prefix')).toBe(true);
    expect(probe('kubeadm init --config c.yaml')).toBe(false);
    expect(probe('rm -f /tmp/x')).toBe(false);
  });
});
