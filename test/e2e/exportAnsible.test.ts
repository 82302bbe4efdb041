// `runbook export ansible` against the real thing: the same runbook played by `runbook run` and,
// exported, by Debian's ansible-playbook, over the same loopback OpenSSH hosts; compared host by host.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';

let fx: SshFixture;
let inv: string;
let work: string;

beforeAll(async () => {
  fx = await startSshHosts(3);
  work = sharedTempDir();
  inv = writeFile(work, 'inventory.yaml', fx.inventoryYaml({ web: ['h1', 'h2'], db: ['h3'] }));
}, 120_000);
afterAll(async () => {
  await fx?.stop();
});

/** A lab runbook writing under `out`: vars, host fields, a guard, global and per-host captures, a file block, cwd, retries, serial. */
function labRunbook(out: string): string {
  return [
    '---',
    'title: Export lab',
    'vars:',
    '  greeting: hello',
    '---',
    '# Prepare',
    '',
    fence('id=prepare', `mkdir -p ${out}/{{ host.name }}\necho "{{ greeting | upcase }} from {{ host.name }} at {{ host.address }}" > ${out}/{{ host.name }}/hello`),
    '# Guarded',
    '',
    fence(`id=guarded unless="test -f ${out}/{{ host.name }}/marker"`, `echo ran > ${out}/{{ host.name }}/guarded`),
    '# Capture on one host',
    '',
    fence('id=token hosts=h1 capture=token', 'echo "tok-{{ host.name }}-42"'),
    fence('id=use-token', `echo "{{ token }}" > ${out}/{{ host.name }}/token`),
    '# Capture on every host',
    '',
    fence('id=who capture=me', 'echo "  me-{{ host.name }}  "'),
    fence('id=use-me hosts=db', `echo "{{ me }} {{ hosts.h1.captured.me }} {{ groups.web[1].name }}" > ${out}/{{ host.name }}/me`),
    '# A file block',
    '',
    '```ini {file="' + out + '/{{ host.name }}/conf/app.conf" mode=0640}',
    '[app]',
    'name = {{ host.name }}',
    'port = {{ port | default: 8080 }}',
    '# ${#comment} stays text',
    '```',
    '',
    '# In a directory, with retries',
    '',
    fence(`id=in-dir cwd=${out} retries=1 delay=1s`, 'pwd > {{ host.name }}/pwd'),
    '# Rolling',
    '',
    fence('id=rolling serial=1 hosts=web timeout=30s', `echo rolled > ${out}/{{ host.name }}/rolling`),
    '# Go templates stay literal',
    '',
    fence('id=raw', `echo '{% raw %}{{ .Names }}{% endraw %}' > ${out}/{{ host.name }}/raw`),
  ].join('\n');
}

/** Every file under dir: relative path -> content (dir itself written as <OUT>) and mode. */
function tree(dir: string): Record<string, { content: string; mode: string }> {
  const out: Record<string, { content: string; mode: string }> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = { content: readFileSync(p, 'utf8').replaceAll(dir, '<OUT>'), mode: (statSync(p).mode & 0o777).toString(8) };
    }
  };
  walk(dir);
  return out;
}

function ansiblePlaybook(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  const env = {
    ...process.env,
    ANSIBLE_CONFIG: join(cwd, 'no-such-ansible.cfg'),
    // No ControlMaster: no ssh process outlives the run.
    ANSIBLE_SSH_ARGS: `-o ControlMaster=no -o ControlPath=none -o UserKnownHostsFile=${fx.knownHostsFile} -o StrictHostKeyChecking=yes -o BatchMode=yes`,
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    // One ssh session per task instead of three or four (no temp file copy): without a persistent
    // ControlMaster every session is a full handshake, and the lab has ~40 tasks per host.
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_REMOTE_TMP: '/tmp/.ansible-rbtest',
    ANSIBLE_LOCAL_TEMP: join(cwd, '.ansible-local'),
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
  };
  return new Promise((resolve, reject) => {
    const p = spawn('ansible-playbook', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, output }));
  });
}

describe('export ansible: the playbook does what runbook does, host by host', () => {
  let viaRunbook: Record<string, { content: string; mode: string }>;
  let viaAnsible: Record<string, { content: string; mode: string }>;

  beforeAll(async () => {
    const outA = join(work, 'by-runbook');
    const outB = join(work, 'by-ansible');
    for (const o of [outA, outB]) {
      // h1 is "already done" for the guarded step, on both sides.
      mkdirSync(join(o, 'h1'), { recursive: true });
      writeFileSync(join(o, 'h1', 'marker'), '');
      // The hosts log in as the unprivileged test user: let it write there.
      for (const d of [o, join(o, 'h1')]) chmodSync(d, 0o777);
    }
    const rbA = writeFile(work, 'lab-a.md', labRunbook(outA));
    const r = await runCli(['run', rbA, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(work, 'a.state.jsonl')], { cwd: work });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rbB = writeFile(work, 'lab-b.md', labRunbook(outB));
    const ex = await runCli(['export', 'ansible', rbB, '-i', inv, '--no-ssh-config', '-o', join(work, 'playbook')], { cwd: work });
    expect(ex.code, ex.stdout + ex.stderr).toBe(0);
    const ap = await ansiblePlaybook(['-i', inv, join(work, 'playbook', 'playbook.yml')], work);
    expect(ap.code, ap.output).toBe(0);
    viaRunbook = tree(outA);
    viaAnsible = tree(outB);
  }, 300_000);

  it('writes the same files with the same contents and modes on every host', () => {
    expect(Object.keys(viaAnsible).sort()).toEqual(Object.keys(viaRunbook).sort());
    expect(viaAnsible).toEqual(viaRunbook);
  });
  it('skips the guarded step where the guard passes, runs it elsewhere', () => {
    expect(viaAnsible['h1/guarded']).toBeUndefined();
    expect(viaAnsible['h2/guarded']?.content).toBe('ran\n');
  });
  it('uses a single-host capture on every host and per-host captures per host', () => {
    for (const h of ['h1', 'h2', 'h3']) expect(viaAnsible[`${h}/token`]?.content).toBe('tok-h1-42\n');
    expect(viaAnsible['h3/me']?.content).toBe('me-h3 me-h1 h2\n');
  });
  it('writes file blocks with their mode and literal text', () => {
    expect(viaAnsible['h2/conf/app.conf']).toEqual({ content: '[app]\nname = h2\nport = 8080\n# ${#comment} stays text\n', mode: '640' });
  });
  it('renders vars, filters, host fields, cwd and raw blocks the same way', () => {
    expect(viaAnsible['h1/hello']?.content).toMatch(/^HELLO from h1 at 127\.\d+\.\d+\.\d+\n$/);
    expect(viaAnsible['h3/pwd']?.content).toBe('<OUT>\n');
    expect(viaAnsible['h1/raw']?.content).toBe('{{ .Names }}\n');
  });
});

describe('export ansible refuses what it cannot export faithfully', () => {
  it('names each refused step with its line and writes nothing', async () => {
    const rb = writeFile(work, 'loop.md', ['# Backends', '', fence('id=backends', '{% for p in ports %}\necho {{ p }}\n{% endfor %}'), fence('id=ok', 'echo fine'), fence('id=whole', 'echo {{ host.groups }}'), fence('id=json file=/tmp/rb-export-conf.json', '{"name": "{{ host.name }}",\n  "ports": [1, 2]}')].join('\n'));
    const dir = join(work, 'refused');
    const r = await runCli(['export', 'ansible', rb, '-i', inv, '--no-ssh-config', '-o', dir], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/loop\.md:3: step `backends` cannot be exported faithfully: script: \{% for p in ports %\}: only loops over groups\.NAME or host\.groups are exported/);
    expect(r.stderr).toMatch(/loop\.md:\d+: step `whole` cannot be exported faithfully: script: `\{\{ host\.groups \}\}` prints a list/);
    // Ansible would write that JSON back as one line ({"name": "h1", "ports": [1, 2]}), not the text
    expect(r.stderr).toMatch(/step `json` cannot be exported faithfully: file content: a templated file that reads as a list or dict/);
    expect(r.stderr).not.toMatch(/step `ok`/);
    expect(existsSync(dir)).toBe(false);
  });
});

/** throttle=2: a third host at once finds no free slot and fails; a host alone waits (bounded) for a second one and fails. */
function concurrencyRunbook(out: string): string {
  return [
    '# Two at a time',
    '',
    fence(
      'id=throttled throttle=2',
      [
        `touch ${out}/arrived/{{ host.name }}`,
        `if mkdir ${out}/slots/a 2>/dev/null; then slot=a; elif mkdir ${out}/slots/b 2>/dev/null; then slot=b; else echo "a third host ran at once" >&2; exit 1; fi`,
        `for i in $(seq 300); do [ "$(ls ${out}/arrived | wc -l)" -ge 2 ] && break; sleep 0.1; done`,
        `[ "$(ls ${out}/arrived | wc -l)" -ge 2 ] || { echo "no second host ran at the same time" >&2; exit 1; }`,
        `echo ok > ${out}/{{ host.name }}.throttled`,
        `rmdir ${out}/slots/$slot`,
      ].join('\n'),
    ),
    '# One by one, stopping at the first failure',
    '',
    fence('id=rolling serial=1', `echo rolled > ${out}/{{ host.name }}.rolled\ntest "{{ host.name }}" != h1`),
    '# After',
    '',
    fence('id=after', `echo after > ${out}/{{ host.name }}.after`),
  ].join('\n');
}

describe('export ansible: throttle and serial limit the hosts at once the same way', () => {
  let viaRunbook: Record<string, { content: string; mode: string }>;
  let viaAnsible: Record<string, { content: string; mode: string }>;
  let codes: { runbook: number | null; ansible: number | null; ansibleOutput: string };

  beforeAll(async () => {
    const outA = join(work, 'conc-runbook');
    const outB = join(work, 'conc-ansible');
    for (const o of [outA, outB]) {
      for (const d of [o, join(o, 'arrived'), join(o, 'slots')]) {
        mkdirSync(d, { recursive: true });
        chmodSync(d, 0o777);
      }
    }
    const r = await runCli(['run', writeFile(work, 'conc-a.md', concurrencyRunbook(outA)), '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(work, 'conc.state.jsonl')], { cwd: work });
    const ex = await runCli(['export', 'ansible', writeFile(work, 'conc-b.md', concurrencyRunbook(outB)), '-i', inv, '--no-ssh-config', '-o', join(work, 'conc-playbook')], { cwd: work });
    expect(ex.code, ex.stdout + ex.stderr).toBe(0);
    const ap = await ansiblePlaybook(['-i', inv, join(work, 'conc-playbook', 'playbook.yml')], work);
    codes = { runbook: r.code, ansible: ap.code, ansibleOutput: ap.output };
    const strip = (t: Record<string, { content: string; mode: string }>) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('arrived/')));
    viaRunbook = strip(tree(outA));
    viaAnsible = strip(tree(outB));
  }, 300_000);

  it('throttle=2 runs two hosts at once and never three, in both', () => {
    for (const t of [viaRunbook, viaAnsible]) for (const h of ['h1', 'h2', 'h3']) expect(t[`${h}.throttled`]?.content).toBe('ok\n');
  });
  it('serial=1 stops rolling at the first failed host, and nothing after the step runs, in both', () => {
    expect(codes.runbook).toBe(1);
    expect(codes.ansible, codes.ansibleOutput).not.toBe(0);
    for (const t of [viaRunbook, viaAnsible]) {
      expect(Object.keys(t).filter((k) => k.endsWith('.rolled') || k.endsWith('.after'))).toEqual(['h1.rolled']);
    }
  });
  it('leaves the same files on every host', () => {
    expect(viaAnsible).toEqual(viaRunbook);
  });
});

describe('the repository\'s quick start exports', () => {
  it('every step of runbooks/quickstart.md exports, and ansible-playbook accepts the playbook', async () => {
    const dir = join(work, 'quickstart');
    const ex = await runCli(['export', 'ansible', join(process.cwd(), 'runbooks', 'quickstart.md'), '-o', dir], { cwd: work });
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toContain("run it with: ansible-playbook -i 'local,' -c local");
    const plays = readFileSync(join(dir, 'playbook.yml'), 'utf8').match(/^- name: /gm) ?? [];
    expect(plays).toHaveLength(7);
    const check = await ansiblePlaybook(['-i', 'local,', '-c', 'local', '--syntax-check', join(dir, 'playbook.yml')], work);
    expect(check.code, check.output).toBe(0);
  });
});
