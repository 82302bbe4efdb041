// Secrets rendered into unless= and verify= (not only into step bodies) never appear in clear:
// not in the step log's labels, the journal's failure message, `run` and `run --json`, or
// `status --json`. The built CLI runs the steps on the local machine.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile, type CliResult } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';

const SECRET = 'S3cr3tValue-rendered';
let dir: string;
const outputs: { what: string; r: CliResult }[] = [];

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? filesUnder(join(d, n)) : [join(d, n)]));
}

beforeAll(async () => {
  dir = sharedTempDir('rb-rendered-');
  const rb = writeFile(
    dir,
    'book.md',
    [
      '---',
      'vars:',
      `  db_password: ${SECRET}`,
      '---',
      '# Rendered',
      '',
      fence(`id=guarded unless="test '{{ db_password }}' = nope" verify="test '{{ db_password }}' = other"`, 'echo body ran'),
    ].join('\n'),
  );
  const state = join(dir, 'st', 'book.state.jsonl');
  outputs.push({ what: 'run', r: await runCli(['run', rb, '--state', state], { cwd: dir }) });
  outputs.push({ what: 'run --json', r: await runCli(['run', rb, '--state', state, '--json'], { cwd: dir }) });
  outputs.push({ what: 'status', r: await runCli(['status', rb, '--state', state], { cwd: dir }) });
  outputs.push({ what: 'status --json', r: await runCli(['status', rb, '--state', state, '--json'], { cwd: dir }) });
}, 60_000);

describe('secrets rendered into unless= and verify=', () => {
  it('the verify really failed, and run says so with the masked command', () => {
    const run = outputs[0].r;
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain("verify failed (exit 1): test '********' = other");
  });

  it('run --json and status --json carry the masked failure message', () => {
    expect(outputs[1].r.stdout).toContain("test '********' = other");
    const st = JSON.parse(outputs[3].r.stdout);
    expect(st.steps[0].hosts.local.message).toBe("verify failed (exit 1): test '********' = other");
  });

  it('the step log labels the guard and the verify command with the secret masked', () => {
    const logs = filesUnder(join(dir, 'st')).filter((f) => f.endsWith('.log'));
    expect(logs.length).toBe(2);
    const text = readFileSync(logs[0], 'utf8');
    expect(text).toContain("### runbook: unless: test '********' = nope");
    expect(text).toContain("### runbook: verify: test '********' = other");
  });

  it('no output of run or status holds the secret in clear', () => {
    for (const { what, r } of outputs) {
      expect(r.stdout, what).not.toContain(SECRET);
      expect(r.stderr, what).not.toContain(SECRET);
    }
  });

  it('no file under the state directory (journal, logs) holds the secret in clear', () => {
    const files = filesUnder(join(dir, 'st'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) expect(readFileSync(f).includes(SECRET), f).toBe(false);
  });
});
