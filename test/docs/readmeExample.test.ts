// The runbook shown in the README is a real one: it parses, renders and passes lint (ShellCheck
// included, with the capture it uses standing in as a shell-safe placeholder).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';

const README = readFileSync(resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('the README example runbook', () => {
  it('passes runbook lint and renders in runbook plan', async () => {
    const example = /````markdown\n([\s\S]*?)\n````/.exec(README)?.[1];
    expect(example, 'README has a ````markdown example').toBeTruthy();
    const dir = sharedTempDir();
    const book = writeFile(dir, 'example.md', `${example}\n`);
    const inv = writeFile(dir, 'inventory.yaml', 'all:\n  children:\n    masters:\n      hosts:\n        m1: {ansible_host: 10.0.0.1}\n    workers:\n      hosts:\n        w1: {ansible_host: 10.0.0.2}\n');
    const lint = await runCli(['lint', book, '-i', inv], { cwd: dir });
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    const plan = await runCli(['plan', book, '-i', inv, '--state', join(dir, 's.jsonl')], { cwd: dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('<join_cmd: captured by step join-command>');
  });
});
