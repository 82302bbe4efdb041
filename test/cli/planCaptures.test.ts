// plan shows captures made in earlier sessions exactly as the next run will use them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../src/cli/commands/plan.js';
import { runCommand } from '../../src/cli/commands/run.js';

describe('plan after a capture', () => {
  it('renders a single-host capture from an earlier run for every host, not a placeholder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-plancap-'));
    const book = join(dir, 'book.md');
    writeFileSync(book, '# C\n\n```bash {id=make hosts=a capture=join_cmd}\necho "kubeadm join 10.0.0.1:6443"\n```\n\n```bash {id=use hosts=b}\n{{ join_cmd }}\n```\n');
    const inventory = join(dir, 'inv.yaml');
    writeFileSync(inventory, 'all:\n  hosts:\n    a: {ansible_connection: local}\n    b: {ansible_connection: local}\n');
    const common = { inventory, state: join(dir, 'state.jsonl'), sshConfig: false as const };
    expect(await runCommand(book, { ...common, only: ['make'] }, () => {})).toBe(0);
    const out: string[] = [];
    expect(await planCommand(book, common, (l) => out.push(l))).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/### b[^\n]*\n\s+kubeadm join 10\.0\.0\.1:6443/);
    expect(text).not.toContain('<join_cmd: captured by step make>');
  });
});
