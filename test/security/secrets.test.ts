// Secrets never in clear: values marked secret (front matter and inventory `{value, secret: true}`),
// secret-looking names (*token*, *password*, *_key) and `capture=NAME secret` are echoed by real
// steps over loopback sshd; then every output of run/status/plan and every file under the state
// directory is searched for each value.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile, type CliResult } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';

const SECRETS = {
  fmMarked: 'fm-marked-Q7x2v9',
  fmToken: 'fm-token-8JkLp3',
  fmPassword: 'fm-password-Zr5Wn1',
  fmKey: 'fm-key-T4hYb6',
  invMarked: 'inv-marked-M3cXq8',
  invToken: 'inv-token-P9dGs2',
  captured: 'captured-secret-V6nRk4',
};

let fx: SshFixture;
let dir: string;
const outputs: { what: string; r: CliResult }[] = [];

function filesUnder(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(d, e.name)) : [join(d, e.name)]));
}

beforeAll(async () => {
  fx = await startSshHosts(2, { namePrefix: 's' });
  dir = sharedTempDir();
  const inv = writeFile(
    dir,
    'inventory.yaml',
    fx.inventoryYaml() + `  vars:\n    site_secret: {value: ${SECRETS.invMarked}, secret: true}\n    registry_token: ${SECRETS.invToken}\n`,
  );
  const rb = writeFile(
    dir,
    'secrets.md',
    [
      '---',
      'vars:',
      `  admin: {value: ${SECRETS.fmMarked}, secret: true}`,
      `  join_token: ${SECRETS.fmToken}`,
      `  db_password: ${SECRETS.fmPassword}`,
      `  etcd_key: ${SECRETS.fmKey}`,
      '---',
      '# Secrets',
      '',
      '```bash {id=echo-vars hosts=all}',
      'echo "admin={{ admin }} token={{ join_token }} pw={{ db_password }} key={{ etcd_key }}"',
      'echo "site={{ site_secret }} reg={{ registry_token }}" >&2',
      '```',
      '',
      '```bash {id=make hosts=s1 capture=generated secret}',
      `echo ${SECRETS.captured.slice(0, 8)}$(echo ${SECRETS.captured.slice(8)})`,
      '```',
      '',
      '```bash {id=use hosts=all}',
      'echo "got {{ generated }}"; echo "again {{ generated }}" >&2',
      '```',
      '',
      '```bash {id=fail-loud hosts=s2 continue_on_error}',
      'echo "last line {{ db_password }}"; exit 3',
      '```',
      '',
    ].join('\n'),
  );
  const state = join(dir, 'state', 'secrets.state.jsonl');
  const common = ['-i', inv, '--state', state];
  const run = ['run', rb, ...common, '--known-hosts', fx.knownHostsFile, '--no-ssh-config'];
  outputs.push({ what: 'plan', r: await runCli(['plan', rb, ...common], { cwd: dir }) });
  outputs.push({ what: 'plan --json', r: await runCli(['plan', rb, ...common, '--json'], { cwd: dir }) });
  outputs.push({ what: 'run', r: await runCli(run, { cwd: dir }) });
  outputs.push({ what: 'run --json --force', r: await runCli([...run, '--json', '--force'], { cwd: dir }) });
  outputs.push({ what: 'status', r: await runCli(['status', rb, ...common], { cwd: dir }) });
  outputs.push({ what: 'status --json', r: await runCli(['status', rb, ...common, '--json'], { cwd: dir }) });
}, 120_000);
afterAll(async () => {
  await fx?.stop();
});

describe('secrets', () => {
  it('the steps really ran and printed the secrets on the hosts', () => {
    const run = outputs.find((o) => o.what === 'run')!.r;
    expect(run.stdout, run.stderr).toMatch(/echo-vars/);
    expect(run.stdout).toMatch(/▶ use/);
    const files = filesUnder(join(dir, 'state'));
    const logs = files.filter((f) => f.endsWith('.log')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(logs).toContain('admin=********');
    expect(logs).toContain('got ********');
    expect(logs).toContain('reg=********');
  });

  for (const [name, value] of Object.entries(SECRETS)) {
    it(`${name} appears in clear in no output of run, status or plan`, () => {
      for (const { what, r } of outputs) {
        expect(r.stdout, `${what} stdout`).not.toContain(value);
        expect(r.stderr, `${what} stderr`).not.toContain(value);
      }
    });

    it(`${name} appears in clear in no file under the state directory (state, logs)`, () => {
      const files = filesUnder(join(dir, 'state'));
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) expect(readFileSync(f).includes(value), f).toBe(false);
    });
  }

  it('keeps state and logs 0600 in 0700 directories', () => {
    const root = join(dir, 'state');
    expect(statSync(root).mode & 0o777).toBe(0o700);
    for (const f of filesUnder(root)) {
      expect(statSync(f).mode & 0o777, f).toBe(0o600);
      for (let d = join(f, '..'); d.startsWith(root) && d !== root; d = join(d, '..')) expect(statSync(d).mode & 0o777, d).toBe(0o700);
    }
  });
});
