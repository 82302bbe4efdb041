// `runbook report` and `run --report` end to end: a real run over ssh2 and OpenSSH on loopback,
// then the report read back in each format.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';

let fx: SshFixture;
let dir: string;
let rb: string;
let inv: string;
let base: string[];
let runOutput: string;

const SECRET = 'hunter2-very-secret';

beforeAll(async () => {
  fx = await startSshHosts(3);
  dir = sharedTempDir();
  inv = writeFile(dir, 'inventory.yaml', fx.inventoryYaml({ web: ['h1', 'h2'], db: ['h3'] }));
  const md = [
    '---',
    'title: Rotate the API token',
    'vars:',
    `  api_token: {value: ${SECRET}, secret: true}`,
    '---',
    '',
    '# Prepare',
    '',
    fence('id=prepare', `touch ${dir}/{{ host.name }}.prepared`),
    '# Guarded',
    '',
    fence(`id=guarded unless="test {{ host.name }} = h1"`, `touch ${dir}/{{ host.name }}.guarded`),
    '# Rotate',
    '',
    fence('id=rotate hosts=web continue_on_error', 'echo "using token {{ api_token }}"\necho "line two of output"\nif [ {{ host.name }} = h2 ]; then echo "boom: disk full" >&2; exit 3; fi'),
  ].join('\n');
  rb = writeFile(dir, 'rotate.md', md);
  base = ['-i', inv, '--no-ssh-config', '--state', join(dir, 'state.jsonl')];
  const r = await runCli(['run', rb, ...base, '--known-hosts', fx.knownHostsFile, '--report', join(dir, 'run-report.html')], { cwd: dir });
  runOutput = r.stdout + r.stderr;
  expect(r.code, runOutput).toBe(1);
}, 120_000);
afterAll(async () => {
  await fx?.stop();
});

const report = async (...extra: string[]) => {
  const r = await runCli(['report', rb, ...base, ...extra], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

describe('runbook report', () => {
  it('Markdown: title, hash, inventory and a steps × hosts matrix with every outcome', async () => {
    const md = await report();
    expect(md).toMatch(/^# Runbook report: Rotate the API token\n/);
    expect(md).toContain('**1 host-step(s) failed; 7/8 done**');
    expect(md).toMatch(/\| Runbook hash \| `[0-9a-f]{16}` \|/);
    expect(md).toContain(`| Inventory | \`${inv}\` (3 hosts in this report) |`);
    expect(md).toContain('| Step | h1 | h2 | h3 |');
    expect(md).toContain('| `prepare` | ✅ | ✅ | ✅ |');
    expect(md).toContain('| `guarded` | ☑️ | ✅ | ✅ |');
    expect(md).toContain('| `rotate` | ✅ | ❌ |  |');
  });
  it('Markdown: the failed host\'s last lines of output, with the secret masked', async () => {
    const md = await report();
    expect(md).toContain('### `rotate` on h2: failed');
    const tail = md.slice(md.indexOf('### `rotate` on h2'));
    expect(tail).toContain('line two of output');
    expect(tail).toContain('boom: disk full');
    expect(md).not.toContain(SECRET);
    expect(tail).toMatch(/using token \S+/);
  });
  it('Markdown: step details with attempts and durations, and a timeline of recorded events', async () => {
    const md = await report();
    expect(md).toMatch(/\| `guarded` \| h1 \| ☑️ done-already \| 1 \| [^|]+ \| [^|]+ \| unless guard passed/);
    expect(md).toContain('## Timeline');
    expect(md).toMatch(/\| `rotate` \| h2 \| ❌ failed \|/);
  });
  it('JSON: the same facts as data', async () => {
    const j = JSON.parse(await report('--format', 'json'));
    expect(j.title).toBe('Rotate the API token');
    expect(j.hosts).toEqual(['h1', 'h2', 'h3']);
    expect(j.steps.map((s: { id: string }) => s.id)).toEqual(['prepare', 'guarded', 'rotate']);
    expect(j.steps[2].cells.h2).toMatchObject({ status: 'failed', attempts: 1, exitCode: 3 });
    expect(j.totals).toMatchObject({ ok: 6, 'done-already': 1, failed: 1 });
    expect(JSON.stringify(j)).not.toContain(SECRET);
  });
  it('HTML: one self-contained file (inline CSS, no script, nothing fetched) with a coloured grid and a timeline', async () => {
    const html = await report('--format', 'html');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\//);
    expect(html).toMatch(/<td class="c s-failed"[^>]*>❌/);
    expect(html).toMatch(/<td class="c s-done-already"[^>]*>☑️/);
    expect(html).toContain('<h2>Timeline</h2>');
    expect(html).not.toContain(SECRET);
  });
  it('--since a time after the run leaves every step out', async () => {
    const j = JSON.parse(await report('--format', 'json', '--since', '2999-01-01'));
    expect([j.steps, j.timeline]).toEqual([[], []]);
  });
  it('--since a duration ago covers the run', async () => {
    const j = JSON.parse(await report('--format', 'json', '--since', '1h'));
    expect(j.steps).toHaveLength(3);
  });
  it('a bad --since or --format is bad input (exit 2)', async () => {
    for (const extra of [['--since', 'yesterday'], ['--format', 'pdf']]) {
      const r = await runCli(['report', rb, ...base, ...extra], { cwd: dir });
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/runbook: --(since|format)/)]);
    }
  });
  it('-o writes the file and takes the format from its name', async () => {
    const out = join(dir, 'out.json');
    await report('-o', out);
    expect(JSON.parse(readFileSync(out, 'utf8')).title).toBe('Rotate the API token');
  });
});

describe('run --report', () => {
  it('writes the report when the run ends, in the format its name asks for', () => {
    expect(runOutput).toContain(`report written to ${join(dir, 'run-report.html')}`);
    const html = readFileSync(join(dir, 'run-report.html'), 'utf8');
    expect(html).toMatch(/<td class="c s-failed"[^>]*>❌/);
  });
  it('a report path in a directory that does not exist is bad input before anything runs', async () => {
    const before = existsSync(join(dir, 'nowhere'));
    const r = await runCli(['run', rb, ...base, '--known-hosts', fx.knownHostsFile, '--report', join(dir, 'nowhere', 'r.md')], { cwd: dir });
    expect([before, r.code, r.stderr]).toEqual([false, 2, expect.stringMatching(/--report .*does not exist/)]);
  });
});
