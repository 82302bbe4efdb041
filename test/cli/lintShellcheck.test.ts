// ShellCheck findings point at the runbook line that holds the problem.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintCommand } from '../../src/cli/commands/lint.js';

async function lint(markdown: string, inventoryYaml?: string): Promise<{ code: number; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-lint-'));
  const file = join(dir, 'book.md');
  writeFileSync(file, markdown);
  let inventory: string | undefined;
  if (inventoryYaml) {
    inventory = join(dir, 'inventory.yaml');
    writeFileSync(inventory, inventoryYaml);
  }
  const lines: string[] = [];
  const code = await lintCommand(file, { sshConfig: false, inventory }, (l) => lines.push(l));
  return { code, lines };
}

// Two hosts; only `b` sets `extra`, so only its rendering of a step can hold a problem.
const TWO_HOSTS = 'all:\n  hosts:\n    a:\n      ansible_host: 10.0.0.1\n      extra: ""\n    b:\n      ansible_host: 10.0.0.2\n      extra: "$unquoted"\n';

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

  it('checks the script as rendered for every host, not only the first', async () => {
    const r = await lint('# S\n\n```bash {id=s hosts=all}\necho ok\nls {{ extra }}\n```\n', TWO_HOSTS);
    expect(r.code).toBe(1);
    expect(r.lines).toContainEqual(expect.stringMatching(/book\.md:5: .*SC2086.*step `s`/));
  });

  it('checks unless= and verify= guards as shell', async () => {
    const r = await lint("# S\n\n```bash {id=g unless='test -f $file' verify='[ $(cat /x) = 1 ]'}\necho ok\n```\n");
    expect(r.code).toBe(1);
    expect(r.lines).toContainEqual(expect.stringMatching(/book\.md:3: .*SC2086.*unless= of step `g`/));
    expect(r.lines).toContainEqual(expect.stringMatching(/book\.md:3: .*SC2046.*verify= of step `g`/));
  });

  it('checks a script written by a file block, at the runbook line of the finding', async () => {
    const r = await lint('# S\n\n```text {id=f file=/tmp/check.sh mode=0755}\n#!/bin/bash\nport=1\nss -ltn sport = :$port\ncd $HOME/x\n```\n');
    expect(r.code).toBe(1);
    // Runbook line 7 is the file's line 4 (`cd $HOME/x`): the shebang is the file's own line 1.
    expect(r.lines).toContainEqual(expect.stringMatching(/book\.md:7: .*SC2086.*script file \/tmp\/check\.sh of step `f`/));
    expect(r.lines).toContainEqual(expect.stringMatching(/book\.md:7: .*SC2164.*script file \/tmp\/check\.sh of step `f`/));
  });

  it('leaves file blocks that are not scripts alone', async () => {
    const r = await lint('# S\n\n```text {id=f file=/tmp/app.conf}\nvalue = $x $(y)\n```\n');
    expect(r.lines.filter((l) => /SC\d+/.test(l))).toEqual([]);
    expect(r.code).toBe(0);
  });
});
