// Secrets defined every way (front matter `secret`, a secret-looking name, --var, --var-file,
// RUNBOOK_VAR_*, a secret capture) are used by steps on a real sshd host that run, fail, retry,
// are guarded (unless=/verify=), confirmed and write a file. Then every artifact is searched for
// each value in clear and in base64, hex and URL-encoded form: every file under the state
// directory (journal, logs, lock, saved vars file), the stdout/stderr of every command (plan, lint,
// run, run --json, status, status --json, report), and, while a step runs, the /proc cmdline and
// environ of every process of the login user on the host.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, startCli, writeFile, type CliResult } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { waitUntil } from '../faults/support.js';
import { encodedForms } from './encodedForms.js';

// Values with characters that URL-encoding changes, long enough for every encoded form to be distinctive.
const SECRETS = {
  frontMatterMarked: 'fm@Mark:Q7x2v9/zz',
  namePattern: 'tok@Name:8JkLp3/yy',
  cliVar: 'cli@Var:Zr5Wn1/xx',
  varFile: 'file@Var:T4hYb6/ww',
  envVar: 'env@Var:M3cXq8/vv',
  capture: 'cap@Ture:P9dGs2/uu',
};

let fx: SshFixture;
let dir: string;
const outputs: { what: string; r: CliResult }[] = [];
const procTexts: { what: string; text: Buffer }[] = [];

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? filesUnder(join(d, n)) : [join(d, n)]));
}

/** cmdline and environ of every process of `uid` (the step's processes on the host). */
function processTexts(uid: number): { what: string; text: Buffer }[] {
  const out: { what: string; text: Buffer }[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (statSync(`/proc/${pid}`).uid !== uid) continue;
      out.push({ what: `/proc/${pid}/cmdline`, text: readFileSync(`/proc/${pid}/cmdline`) });
      out.push({ what: `/proc/${pid}/environ`, text: readFileSync(`/proc/${pid}/environ`) });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

beforeAll(async () => {
  fx = await startSshHosts(1, { namePrefix: 's' });
  dir = sharedTempDir('rb-allch-');
  const inv = writeFile(dir, 'inventory.yaml', fx.inventoryYaml());
  const varFile = writeFile(dir, 'secrets.yaml', `api_key: "${SECRETS.varFile}"\n`);
  chmodSync(varFile, 0o600);
  const all = '{{ admin }} {{ join_token }} {{ db_password }} {{ api_key }} {{ env_token }}';
  const rb = writeFile(
    dir,
    'book.md',
    [
      '---',
      'vars:',
      `  admin: {value: "${SECRETS.frontMatterMarked}", secret: true}`,
      `  join_token: "${SECRETS.namePattern}"`,
      '---',
      '# All channels',
      '',
      fence(`id=echo hosts=all unless="test '{{ admin }}' = '{{ join_token }}'" verify="test -n '{{ db_password }}'"`, `echo "out ${all}"\necho "err ${all}" >&2\nfor s in ${all}; do printf %s "$s" | base64 -w0; echo; printf %s "$s" | od -An -tx1 -v | tr -d ' \\n'; echo; done`),
      // The runbook's text (kept in the journal) must not hold the value that the step generates.
      fence('id=make hosts=s1 capture=generated secret', `echo '${SECRETS.capture.slice(0, 6)}'"$(echo '${SECRETS.capture.slice(6)}')"`),
      fence(`id=hold hosts=all`, `secret='${'{{ generated }}'} {{ db_password }} {{ env_token }}'\ntouch ${dir}/running\nwhile [ ! -e ${dir}/release ]; do sleep 0.1; done\necho "held $secret"`),
      fence(`id=flaky hosts=all retries=1 delay=1s continue_on_error verify="test '{{ api_key }}' = '{{ generated }}'"`, `echo "try {{ generated }} {{ api_key }}"`),
      fence(`id=conf hosts=all file=${dir}/written.conf mode=0600 confirm="writes every secret"`, `password={{ db_password }}\ntoken={{ join_token }}\ncaptured={{ generated }}`, 'ini'),
      '',
    ].join('\n'),
  );
  const common = ['-i', inv, '--state', join(dir, 'st', 'book.state.jsonl'), '--var', `db_password=${SECRETS.cliVar}`, '--var-file', varFile];
  const env = { RUNBOOK_VAR_env_token: SECRETS.envVar };
  const ssh = ['--known-hosts', fx.knownHostsFile, '--no-ssh-config'];
  const cli = async (what: string, args: string[]): Promise<void> => {
    outputs.push({ what, r: await runCli(args, { cwd: dir, env }) });
  };
  await cli('plan', ['plan', 'book.md', ...common]);
  await cli('plan --json', ['plan', 'book.md', ...common, '--json']);
  await cli('lint', ['lint', 'book.md', ...common]);

  // The first run holds in step `hold`: look at the host's processes meanwhile.
  const p = startCli(['run', 'book.md', ...common, ...ssh, '--yes'], { cwd: dir, env });
  await waitUntil(() => existsSync(join(dir, 'running')), 'the hold step to run on the host', 60_000);
  const uid = statSync(join(dir, 'running')).uid;
  procTexts.push(...processTexts(uid));
  // The lock, while the player holds it.
  procTexts.push({ what: 'lock file while running', text: readFileSync(join(dir, 'st', 'book.state.jsonl.lock')) });
  writeFileSync(join(dir, 'release'), '');
  outputs.push({ what: 'run', r: await p.done });

  await cli('run --json --force', ['run', 'book.md', ...common, ...ssh, '--yes', '--json', '--force']);
  await cli('status', ['status', 'book.md', ...common]);
  await cli('status --json', ['status', 'book.md', ...common, '--json']);
  await cli('report', ['report', 'book.md', ...common]);
  await cli('report --format json', ['report', 'book.md', ...common, '--format', 'json']);
}, 240_000);
afterAll(async () => {
  await fx?.stop();
});

describe('secrets in every channel', () => {
  it('the steps really ran on the host as the login user, used every secret, and the file was written', () => {
    const run = outputs.find((o) => o.what === 'run')!.r;
    expect(run.stdout, run.stderr).toMatch(/▶ hold/);
    expect(statSync(join(dir, 'running')).uid).not.toBe(0);
    expect(procTexts.some((t) => t.what.endsWith('cmdline') && t.text.includes('bash'))).toBe(true);
    const written = readFileSync(join(dir, 'written.conf'), 'utf8');
    expect(written).toContain(`password=${SECRETS.cliVar}`);
    expect(written).toContain(`captured=${SECRETS.capture}`);
    const logs = filesUnder(join(dir, 'st')).filter((f) => f.endsWith('.log')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(logs).toContain('out ******** ******** ******** ******** ********');
    expect(logs).toContain('held ******** ******** ********');
    expect(logs).toMatch(/try \*{8} \*{8}/);
  });

  for (const [source, value] of Object.entries(SECRETS)) {
    const forms = encodedForms(value);

    it(`${source}: no command's stdout or stderr holds it in any form`, () => {
      expect(outputs.length).toBe(9);
      for (const { what, r } of outputs) {
        for (const [form, text] of forms) {
          expect(r.stdout.includes(text), `${what} stdout, ${form}`).toBe(false);
          expect(r.stderr.includes(text), `${what} stderr, ${form}`).toBe(false);
        }
      }
    });

    it(`${source}: no file under the state directory (journal, logs, lock, vars file) holds it in any form`, () => {
      const files = filesUnder(join(dir, 'st'));
      expect(files.length).toBeGreaterThan(6);
      for (const f of files) {
        const text = readFileSync(f);
        for (const [form, t] of forms) expect(text.includes(t), `${f}, ${form}`).toBe(false);
      }
    });

    it(`${source}: no cmdline or environ of the host's processes of the running step, nor the lock, holds it in any form`, () => {
      expect(procTexts.length).toBeGreaterThan(2);
      for (const { what, text } of procTexts) for (const [form, t] of forms) expect(text.includes(t), `${what}, ${form}`).toBe(false);
    });
  }
});

