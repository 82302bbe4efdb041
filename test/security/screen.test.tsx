// Secrets never reach the screen: every frame the player draws while running steps that use and
// print secrets is checked for the values in clear.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fence, KEYS, removeDir, startFlow, type Flow } from '../ui/realEngine.js';
import { encodedForms } from './encodedForms.js';

const DB_PASSWORD = 'pw-Zq81-never-shown';
const TOKEN = 'tok-7f3a9c-never-shown';

const BOOK = [
  '---',
  'vars:',
  `  db_password: {value: ${DB_PASSWORD}, secret: true}`,
  '---',
  '# Secrets\n',
  fence('id=make-token hosts=web1 capture=join_token secret', 'kubeadm token create'),
  fence('id=use-token', 'echo join with {{ join_token }} and {{ db_password }}'),
].join('\n');

let flow: Flow | undefined;
afterEach(async () => {
  if (flow) {
    await flow.close();
    removeDir(flow.dir);
  }
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('secrets on screen', () => {
  it('no frame, log or state file shows a secret var, a secret capture, or output echoing them', async () => {
    flow = await startFlow(BOOK, {
      rules: [
        { script: 'kubeadm token create', stdout: `${TOKEN}\n` },
        { script: 'echo join with', stdout: `join with ${TOKEN} and ${DB_PASSWORD}\n` },
      ],
    });
    const f = flow;
    await f.press(KEYS.space);
    await f.waitFor((x) => /use-token\s+✔ 3\/3/.test(x), 'both steps done');
    // Look at the rendered command of the step using the secrets, and its output, too.
    await f.press('j');
    await f.waitFor((x) => x.includes('join with'), 'the step using the secrets is shown');

    const frames = f.frames();
    expect(frames.length).toBeGreaterThan(5);
    for (const frame of frames) {
      expect(frame).not.toContain(DB_PASSWORD);
      expect(frame).not.toContain(TOKEN);
    }
    expect(frames.some((x) => x.includes('********'))).toBe(true);
    // The engine really used the values (the scripted host received them).
    expect(f.transport.callsMatching('echo join with')[0].script).toContain(TOKEN);

    for (const file of filesUnder(f.dir)) {
      if (file.endsWith('book.md')) continue; // the runbook itself declares the var's value
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain(DB_PASSWORD);
      expect(text, file).not.toContain(TOKEN);
    }
  });

  it('a secret rendered into a failing verify= never shows in clear in the host row, the step pane or the log view', async () => {
    const book = [
      '---',
      'vars:',
      `  db_password: {value: ${DB_PASSWORD}, secret: true}`,
      '---',
      '# Verify\n',
      fence(`id=check hosts=web1 verify="test '{{ db_password }}' = other"`, 'echo body'),
    ].join('\n');
    flow = await startFlow(book, { rules: [{ script: /= other/, exitCode: 1 }] });
    const f = flow;
    await f.press(KEYS.space);
    await f.waitFor((x) => /web1\s+failed.*verify failed/.test(x), 'the failed verify in the host row');
    await f.press('l');
    await f.waitFor((x) => x.includes("### runbook: verify: test '********' = other"), 'the log view with the masked verify label');
    expect(f.transport.callsMatching('= other')[0].script).toContain(DB_PASSWORD); // the host got the real value
    for (const frame of f.frames()) expect(frame).not.toContain(DB_PASSWORD);
  });

  it('the confirm dialog of a file= step shows the file content masked, never the base64 transport script', async () => {
    const book = [
      '---',
      'vars:',
      `  db_password: {value: ${DB_PASSWORD}, secret: true}`,
      '---',
      '# File\n',
      fence('id=write-conf hosts=web1 file=/etc/app/db.conf mode=0600 confirm="writes the password"', 'user=app\npassword={{ db_password }}', 'ini'),
    ].join('\n');
    flow = await startFlow(book);
    const f = flow;
    const r = f.controller.render('write-conf', 'web1');
    expect(r.ok && r.script).toBe('user=app\npassword=********\n');
    await f.press(KEYS.enter);
    await f.waitFor((x) => x.includes('writes the password') && x.includes('password=********'), 'the confirm dialog with the masked file content');
    const forms = [DB_PASSWORD, Buffer.from(DB_PASSWORD).toString('base64').slice(0, 12), Buffer.from(`password=${DB_PASSWORD}`).toString('base64').slice(0, 12)];
    for (const frame of f.frames()) {
      for (const form of forms) expect(frame).not.toContain(form);
      expect(frame).not.toContain('base64 -d');
    }
  });

  it('a session that runs, fails, retries and confirms never draws a secret in clear, base64, hex or URL-encoded', async () => {
    const values = { marked: 'fm@Mark:Q7x2v9/zz', named: 'tok@Name:8JkLp3/yy', cli: 'cli@Var:Zr5Wn1/xx', captured: 'cap@Ture:P9dGs2/uu' };
    const forms = Object.values(values).flatMap((v) => encodedForms(v).map(([, f]) => f));
    const book = [
      '---',
      'vars:',
      `  admin: {value: "${values.marked}", secret: true}`,
      `  join_token: "${values.named}"`,
      '---',
      '# Session\n',
      fence('id=make hosts=web1 capture=generated secret', 'make-secret'),
      fence(`id=echo hosts=web1 verify="test -n '{{ db_password }}'"`, 'echo "{{ admin }} {{ join_token }} {{ db_password }} {{ generated }}"'),
      fence('id=flaky hosts=web1', 'flaky {{ generated }}'),
      fence('id=conf hosts=web1 file=/etc/app.conf confirm="writes the secrets"', 'pw={{ db_password }}\ntoken={{ generated }}', 'ini'),
    ].join('\n');
    const printed = Object.values(values).flatMap((v) => [v, ...encodedForms(v).map(([, f]) => f)]).join(' ');
    flow = await startFlow(book, {
      cliVars: { db_password: values.cli },
      rules: [
        { script: 'make-secret', stdout: `${values.captured}\n` },
        { script: /echo "/, stdout: `${printed}\n`, stderr: `${printed}\n` },
        // Later rules win: the first run of flaky fails, the retry succeeds.
        { script: /flaky/, stdout: `fine with ${printed}\n` },
        { script: /flaky/, stdout: `failing with ${printed}\n`, exitCode: 1, times: 1 },
      ],
    });
    const f = flow;
    await f.press(KEYS.space);
    await f.waitFor((x) => /flaky\s+✖/.test(x), 'the flaky step failed');
    await f.press('R');
    await f.waitFor((x) => /flaky\s+✔/.test(x), 'the retry succeeded');
    await f.press(KEYS.space);
    await f.waitFor((x) => x.includes('writes the secrets') && x.includes('pw=********'), 'the confirm dialog');
    await f.press('y');
    await f.waitFor((x) => /conf\s+✔/.test(x), 'the confirmed file step ran');
    expect(f.transport.callsMatching('flaky').length).toBe(2);
    for (const frame of f.frames()) for (const form of forms) expect(frame).not.toContain(form);
  });
});
