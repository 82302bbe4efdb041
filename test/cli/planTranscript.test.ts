// plan on a block written as a terminal transcript: it says, at the step, what runs of it (the `$ `
// lines only) and how to choose (attribute prompt), and shows only those commands.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../src/cli/commands/plan.js';

async function plan(markdown: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-plantr-'));
  const book = join(dir, 'book.md');
  writeFileSync(book, markdown);
  const out: string[] = [];
  expect(await planCommand(book, { state: join(dir, 'state.jsonl'), sshConfig: false }, (l) => out.push(l))).toBe(0);
  return out.join('\n');
}

describe('plan on a $-prompt transcript', () => {
  it('a guessed transcript: the step says only the $ lines run and how to opt in or out', async () => {
    const text = await plan(['# Check', '', '```bash', '$ uname -r', '6.1.0-18-amd64', '$ df -h /', 'Filesystem  Size', '```', ''].join('\n'));
    expect(text).toMatch(/## check[^\n]*\n {2}transcript guessed from its `\$ ` prompts: runs only its 2 `\$ ` lines; 2 other lines are expected output, not run \(write \{prompt\} to confirm, \{prompt=false\} to run every line as written\)\n### local/);
    expect(text).toMatch(/### local[^\n]*\n {4}uname -r\n {4}\n {4}df -h \/\n/);
    expect(text).not.toContain('6.1.0-18-amd64');
  });
  it('{prompt} written: the step says so, without asking to confirm', async () => {
    const text = await plan(['# Check', '', '```console {prompt}', '$ uptime', ' 10:00 up 1 day', '```', ''].join('\n'));
    expect(text).toContain('  transcript ({prompt}): runs only its 1 `$ ` line; 1 other line is expected output, not run\n');
  });
  it('{prompt=false}: no transcript line, the block runs as written', async () => {
    const text = await plan(['# Check', '', '```bash {prompt=false}', '$ uptime', '```', ''].join('\n'));
    expect(text).not.toContain('transcript');
    expect(text).toContain('    $ uptime');
  });
});
