// ShellCheck findings point at the runbook line that holds the problem.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintCommand } from '../../src/cli/commands/lint.js';

async function lint(markdown: string): Promise<{ code: number; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-lint-'));
  const file = join(dir, 'book.md');
  writeFileSync(file, markdown);
  const lines: string[] = [];
  const code = await lintCommand(file, { sshConfig: false }, (l) => lines.push(l));
  return { code, lines };
}

describe('lint with ShellCheck', () => {
  it('maps a finding to the exact runbook line when templating keeps the line count', async () => {
    const r = await lint('---\nvars:\n  dir: /tmp\n---\n# S\n\n```bash {id=s}\necho ok\ncd {{ dir }}/$x\n```\n');
    expect(r.code).toBe(1);
    expect(r.lines.find((l) => l.includes('SC2086'))).toMatch(/book\.md:9: /);
  });

  it('names the rendered line at the fence when a loop changed the line count', async () => {
    const r = await lint('---\nvars:\n  names: [a, b, c]\n---\n# S\n\n```bash {id=s}\n{% for n in names %}echo {{ n }}\n{% endfor %}cd $x\n```\n');
    const finding = r.lines.find((l) => l.includes('SC2086'));
    expect(finding).toMatch(/book\.md:7: /);
    expect(finding).toMatch(/line 4 of the script as rendered for local/);
  });
});
