// A value an earlier step has not captured yet: the player shows the step's command exactly as
// `runbook plan` prints it (the placeholder `<token: captured by step get-token>` in place), in the
// document pane and in the confirm dialog, over the real engine; once captured, the real value.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { fence, HOSTS, KEYS, removeDir, startFlow, type Flow } from './realEngine.js';

let f: Flow | undefined;
afterEach(async () => {
  await f?.close();
  if (f) removeDir(f.dir);
  f = undefined;
});

const BOOK = [
  '# Join the workers\n',
  '## Token\n',
  fence('id=get-token capture=token hosts=web1', 'kubeadm token create'),
  '## Join\n',
  fence('id=join confirm="joins the cluster"', 'echo join --token {{ token }}\necho as {{ host.name }}'),
].join('\n');

/** The command lines `runbook plan` prints for `stepId` on `host` (its 4-space indent removed). */
async function planLines(flow: Flow, stepId: string, host: string): Promise<string[]> {
  const inv = join(flow.dir, 'inventory.yaml');
  writeFileSync(inv, ['all:', '  hosts:', ...HOSTS.map((h) => `    ${h}: {ansible_connection: local}`), ''].join('\n'));
  const r = await runCli(['plan', flow.runbookFile, '-i', inv, '--state', flow.stateFile], { cwd: flow.dir });
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  const at = lines.findIndex((l, i) => l.startsWith(`### ${host} `) && lines.slice(0, i).reverse().find((x) => x.startsWith('## '))?.startsWith(`## ${stepId} `));
  expect(at, r.stdout).toBeGreaterThan(0);
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('    ')) break;
    out.push(l.slice(4));
  }
  return out;
}

describe('a step using a value not captured yet', () => {
  it('is shown in the document pane exactly as plan prints it, placeholder in place', async () => {
    f = await startFlow(BOOK);
    const plan = await planLines(f, 'join', 'web1');
    expect(plan).toEqual(['echo join --token <token: captured by step get-token>', 'echo as web1']);
    await f.press('j');
    const frame = await f.waitFor((x) => x.includes('Step join'), 'the join step selected');
    for (const l of plan) expect(frame).toContain(`  ${l}`);
    expect(frame).toContain('(<…>: filled in once the capturing step has run)');
    expect(frame).not.toContain('Cannot render');
  });

  it('is shown in the confirm dialog exactly as plan prints it, once per group of hosts', async () => {
    f = await startFlow(BOOK);
    const plan = await planLines(f, 'join', 'web2');
    await f.press('j', KEYS.enter);
    const frame = await f.waitFor((x) => x.includes('Confirm: join'), 'the confirm dialog');
    for (const l of plan) expect(frame).toContain(`  ${l}`);
    expect(frame).toContain('(<…>: filled in once the capturing step has run)');
    expect(frame).not.toContain('cannot render');
  });

  it('shows the captured value once the capturing step has run', async () => {
    f = await startFlow(BOOK, { rules: [{ script: 'kubeadm token create', stdout: 'abcdef.0123456789abcdef\n' }] });
    await f.press(KEYS.enter);
    await f.waitFor((x) => /get-token\s+✔ 1\/1/.test(x), 'the token captured');
    await f.press('j');
    const frame = await f.waitFor((x) => x.includes('Step join'), 'the join step selected');
    expect(frame).toContain('  echo join --token abcdef.0123456789abcdef');
    expect(frame).not.toContain('captured by step');
  });
});
