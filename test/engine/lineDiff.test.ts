// The old-vs-new line diff of a changed step's text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactLineDiff, formatDiffLine, lineDiff, type DiffLine } from '../../src/engine/lineDiff.js';

const OLD = 'bash {id=init}\nkubeadm init \\\n  --pod-network-cidr=10.244.0.0/16\n';
const NEW = 'bash {id=init}\nkubeadm init \\\n  --pod-network-cidr=10.244.0.0/16 \\\n  --upload-certs\n';

const side = (d: DiffLine[], drop: 'added' | 'removed'): string[] =>
  d.flatMap((l) => (l.kind === 'gap' || l.kind === drop ? [] : [l.text]));

describe('lineDiff', () => {
  it('marks a changed line removed then added, and keeps the lines around it as they are', () => {
    expect(lineDiff(OLD, NEW)).toEqual([
      { kind: 'same', text: 'bash {id=init}' },
      { kind: 'same', text: 'kubeadm init \\' },
      { kind: 'removed', text: '  --pod-network-cidr=10.244.0.0/16' },
      { kind: 'added', text: '  --pod-network-cidr=10.244.0.0/16 \\' },
      { kind: 'added', text: '  --upload-certs' },
    ]);
  });

  it('a changed info string shows as its own removed and added line', () => {
    const d = lineDiff('bash {id=a}\necho hi\n', 'bash {id=a sudo}\necho hi\n');
    expect(d.map(formatDiffLine)).toEqual(['- bash {id=a}', '+ bash {id=a sudo}', '  echo hi']);
  });

  it('equal texts give only unchanged lines', () => {
    expect(lineDiff(OLD, OLD).every((l) => l.kind === 'same')).toBe(true);
  });

  it('property: the unchanged and removed lines are the old text, the unchanged and added lines the new one', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'echo x', ''), { maxLength: 12 }).map((ls) => ls.join('\n'));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const d = lineDiff(a, b);
        expect(side(d, 'added').join('\n')).toBe(a.replace(/\n$/, ''));
        expect(side(d, 'removed').join('\n')).toBe(b.replace(/\n$/, ''));
      }),
      { numRuns: 300 },
    );
  });

  it('very long texts fall back to all removed then all added, still in order', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    const d = lineDiff(a, b);
    expect(d).toHaveLength(6000);
    expect(d[0]).toEqual({ kind: 'removed', text: 'a0' });
    expect(d[3000]).toEqual({ kind: 'added', text: 'b0' });
  });
});

describe('compactLineDiff', () => {
  it('folds unchanged lines further than the context from any change into a gap', () => {
    const body = (last: string): string => ['bash', ...Array.from({ length: 10 }, (_, i) => `echo ${i}`), last].join('\n');
    const d = compactLineDiff(body('systemctl restart kubelet'), body('systemctl restart containerd kubelet'), 1);
    expect(d.map(formatDiffLine)).toEqual(['  … 10 unchanged lines', '  echo 9', '- systemctl restart kubelet', '+ systemctl restart containerd kubelet']);
  });

  it('says "1 unchanged line" in the singular', () => {
    expect(formatDiffLine({ kind: 'gap', count: 1 })).toBe('  … 1 unchanged line');
  });
});
