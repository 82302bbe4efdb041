// Flows of the Ink player over the REAL engine (createPlayer, a real state file, the real store),
// with a scripted transport standing in for the hosts.
import { afterEach, describe, expect, it } from 'vitest';
import { fence, HOSTS, KEYS, removeDir, startFlow, stateOnDisk, tempDir, type Flow } from './realEngine.js';

const BOOK = [
  '# Upgrade the web tier\n',
  '## Prepare\n\nDrain the nodes first.\n',
  fence('id=drain', 'echo draining {{ host.name }}'),
  fence('id=backup', 'echo backing up'),
  '## Upgrade\n\nThis restarts everything.\n',
  fence('id=upgrade confirm="restarts the API"', 'echo upgrading'),
].join('\n');

let flows: Flow[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const f of flows) await f.close();
  flows = [];
  for (const d of dirs.splice(0)) removeDir(d);
});

async function start(markdown = BOOK, opts: Parameters<typeof startFlow>[1] = {}): Promise<Flow> {
  const f = await startFlow(markdown, opts);
  flows.push(f);
  if (!opts.dir) dirs.push(f.dir);
  return f;
}

const statuses = (recs: Record<string, { status: string }> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(recs ?? {}).map(([h, r]) => [h, r.status]));

describe('running a step across hosts', () => {
  it('shows the hosts running with their live output, then the step done ✔ 3/3 on every host', async () => {
    const f = await start(BOOK, { rules: [{ script: 'draining', stdout: 'draining now\n', hold: true }] });
    await f.press(KEYS.enter);
    for (const h of HOSTS) await f.transport.waitForHeld(h);
    const running = await f.waitFor((x) => /drain\s+… 0\/3/.test(x) && /web1\s+running/.test(x) && x.includes('draining now'), 'running badge and rows');
    expect(running).toMatch(/db1\s+running/);
    expect(running).toContain('[running]');
    f.transport.release();
    const done = await f.waitFor((x) => /drain\s+✔ 3\/3/.test(x), 'drain done');
    expect(done).toMatch(/web1\s+ok\s+#1/);
    expect(statuses((await stateOnDisk(f)).drain)).toEqual({ web1: 'ok', web2: 'ok', db1: 'ok' });
  });

  it('R after a failure retries only the failed host', async () => {
    const f = await start(BOOK, { rules: [{ host: 'web2', script: 'draining', exitCode: 3, stderr: 'disk full\n', times: 1 }] });
    await f.press(KEYS.enter);
    const failed = await f.waitFor((x) => x.includes('drain failed on web2'), 'failure flash');
    expect(failed).toMatch(/drain\s+✖ 1\/3/);
    expect(failed).toMatch(/web2\s+failed\s+#1\s+\S+\s+3 disk full/);
    const before = f.transport.callsMatching('draining').length;
    await f.press('R');
    await f.waitFor((x) => /drain\s+✔ 3\/3/.test(x), 'drain done after retry');
    expect(f.transport.callsMatching('draining').slice(before).map((c) => c.host)).toEqual(['web2']);
    const recs = (await stateOnDisk(f)).drain;
    expect(recs.web2).toMatchObject({ status: 'ok', attempts: 2 });
    expect(recs.web1).toMatchObject({ status: 'ok', attempts: 1 });
  });

  it('the host picker narrows the hosts a step runs on', async () => {
    const f = await start();
    await f.press('h');
    await f.waitFor((x) => x.includes('web2') && x.includes('db1'), 'picker');
    await f.press(KEYS.down, KEYS.space, KEYS.down, KEYS.space, KEYS.enter);
    await f.waitFor((x) => x.includes('hosts: web1'), 'host filter in the status line');
    await f.press(KEYS.enter);
    await f.waitFor((x) => /drain\s+✔ 1\/1/.test(x), 'drain done on the one chosen host');
    expect(f.transport.callsMatching('draining').map((c) => c.host)).toEqual(['web1']);
    expect(Object.keys((await stateOnDisk(f)).drain)).toEqual(['web1']);
  });
});

describe('recording by hand', () => {
  it('s then y records the step skipped on every pending host in the state file, without running it', async () => {
    const f = await start();
    await f.press('s');
    await f.waitFor((x) => x.includes('Skip step `drain` on web1, web2, db1?'), 'the skip question');
    await f.press('y');
    await f.waitFor((x) => /drain\s+✔ 3\/3/.test(x), 'skipped counts as done');
    expect(f.transport.calls).toHaveLength(0);
    expect(statuses((await stateOnDisk(f)).drain)).toEqual({ web1: 'skipped', web2: 'skipped', db1: 'skipped' });
  });

  it('keys arriving in one chunk act one after the other (j, s, y skips the second step)', async () => {
    const f = await start();
    await f.press('jsy');
    await f.waitFor((x) => /backup\s+✔ 3\/3/.test(x), 'backup skipped');
    const onDisk = await stateOnDisk(f);
    expect(onDisk.drain).toBeUndefined();
    expect(statuses(onDisk.backup)).toEqual({ web1: 'skipped', web2: 'skipped', db1: 'skipped' });
  });

  it('m then y marks the step done by hand on the host selected in the hosts pane', async () => {
    const f = await start();
    await f.press(KEYS.tab, KEYS.tab, KEYS.down, 'm');
    await f.waitFor((x) => x.includes('Mark `drain` done by hand on web2?'), 'the mark-done question');
    await f.press('y');
    await f.waitFor((x) => /web2\s+done-manual/.test(x), 'web2 done-manual');
    const recs = (await stateOnDisk(f)).drain;
    expect(statuses(recs)).toEqual({ web2: 'done-manual' });
    expect(recs.web2.message).toMatch(/^marked done by \S+@\S+$/);
    expect(recs.web2.by).toMatch(/@/);
  });
});

describe('playing', () => {
  it('Space plays step after step and stops at a confirm step with its dialog and rendered commands', async () => {
    const f = await start();
    await f.press(KEYS.space);
    const dialog = await f.waitFor((x) => x.includes('Confirm: upgrade'), 'confirm dialog');
    expect(dialog).toContain('restarts the API');
    // The three hosts render the same command: shown once, with every host named.
    expect(dialog).toContain('same command on all 3 hosts');
    expect(dialog).toMatch(/3 hosts: web1, web2, db1/);
    expect(dialog.match(/echo upgrading/g)).toHaveLength(1);
    expect(f.transport.callsMatching('upgrading')).toHaveLength(0);
    expect(statuses((await stateOnDisk(f)).backup)).toEqual({ web1: 'ok', web2: 'ok', db1: 'ok' });
    await f.press('y');
    await f.waitFor((x) => /upgrade\s+✔ 3\/3/.test(x), 'upgrade done after yes');
    expect(f.transport.callsMatching('upgrading')).toHaveLength(3);
  });

  it('s in the confirm dialog records the step skipped at once (the dialog was the question)', async () => {
    const f = await start();
    await f.press(KEYS.space);
    await f.waitFor((x) => x.includes('Confirm: upgrade'), 'confirm dialog');
    await f.press('s');
    await f.waitFor((x) => /upgrade\s+✔ 3\/3/.test(x), 'upgrade skipped');
    expect(f.transport.callsMatching('upgrading')).toHaveLength(0);
    expect(statuses((await stateOnDisk(f)).upgrade)).toEqual({ web1: 'skipped', web2: 'skipped', db1: 'skipped' });
  });

  it('Ctrl-C aborts the running step: its hosts show failed (aborted by operator) and the player stays open', async () => {
    const f = await start(BOOK, { rules: [{ script: 'draining', hold: true }] });
    await f.press(KEYS.enter);
    for (const h of HOSTS) await f.transport.waitForHeld(h);
    await f.press(KEYS.ctrlC);
    const after = await f.waitFor((x) => /drain\s+✖ 3\/3/.test(x), 'aborted hosts failed');
    expect(after).toMatch(/web1\s+failed\s+#1\s+\S+\s+- aborted by operator/);
    expect(f.onQuit).not.toHaveBeenCalled();
    const recs = (await stateOnDisk(f)).drain;
    expect(Object.values(recs).map((r) => [r.status, r.message])).toEqual(HOSTS.map(() => ['failed', 'aborted by operator']));
  });
});

describe('resuming', () => {
  it('shows the hosts the last session left interrupted, and R retries just those', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await start(BOOK, { dir, rules: [{ host: 'db1', script: 'draining', hold: true }] });
    await first.press(KEYS.enter);
    await first.transport.waitForHeld('db1');
    await first.waitFor((x) => /web1\s+ok/.test(x) && /web2\s+ok/.test(x), 'web hosts done');
    // The session dies while db1 runs: its record stays 'running' on disk.
    await first.state.flush();
    await first.state.close();
    const second = await start(BOOK, { dir });
    const banner = await second.waitFor((x) => x.includes('interrupted in an earlier session'), 'resume banner');
    expect(banner).toContain('⏸ drain on db1');
    await second.press('R');
    await second.waitFor((x) => /drain\s+✔ 3\/3/.test(x), 'drain done after retry');
    expect(second.transport.callsMatching('draining').map((c) => c.host)).toEqual(['db1']);
    expect(statuses((await stateOnDisk(second)).drain)).toEqual({ web1: 'ok', web2: 'ok', db1: 'ok' });
  });

  it('flags a step whose text changed since it ran and shows the new command before rerunning', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await start(BOOK, { dir });
    await first.press(KEYS.enter);
    await first.waitFor((x) => /drain\s+✔ 3\/3/.test(x), 'drain done');
    await first.close();
    const second = await start(BOOK.replace('echo draining', 'echo draining gently'), { dir });
    await second.waitFor((x) => /drain\s+⚠ changed/.test(x), 'changed badge');
    await second.press('g', KEYS.enter);
    const diff = await second.waitFor((x) => x.includes('Changed since it ran: drain'), 'changed dialog');
    expect(diff).toContain('echo draining gently web1');
    expect(second.transport.calls).toHaveLength(0);
    await second.press('y');
    await second.waitFor((x) => /drain\s+✔ 3\/3/.test(x), 'drain rerun');
    expect(second.transport.callsMatching('draining gently')).toHaveLength(3);
  });

  it('shows the old and the new text of a changed step as a line diff before anything reruns', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await start(BOOK, { dir });
    await first.press(KEYS.enter);
    await first.waitFor((x) => /drain\s+✔ 3\/3/.test(x), 'drain done');
    await first.close();
    const second = await start(BOOK.replace('echo draining {{ host.name }}', 'echo draining {{ host.name }} --gently'), { dir });
    await second.waitFor((x) => /drain\s+⚠ changed/.test(x), 'changed badge');
    await second.press('g', KEYS.enter);
    const diff = await second.waitFor((x) => x.includes('Changed since it ran: drain'), 'changed dialog');
    expect(diff).toContain('text changed since it ran on web1, web2, db1');
    expect(diff).toContain('- echo draining {{ host.name }}');
    expect(diff).toContain('+ echo draining {{ host.name }} --gently');
    expect(diff).toContain('  bash {id=drain}');
    expect(diff).toContain('echo draining web1 --gently');
    expect(second.transport.calls).toHaveLength(0);
  });
});

describe('variables nothing defines', () => {
  it('asks for them before running, masked when the name looks secret, and never shows the value', async () => {
    const f = await start(`# Deploy\n\n${fence('id=deploy', 'curl -H "Authorization: {{ api_token }}" https://example.invalid')}`);
    await f.press(KEYS.enter);
    await f.waitFor((x) => x.includes('The runbook needs a value for api_token'), 'var prompt');
    for (const ch of 'hunter22') await f.press(ch);
    const typed = await f.waitFor((x) => x.includes('••••••••'), 'masked input');
    expect(typed).not.toContain('hunter22');
    await f.press(KEYS.enter);
    await f.waitFor((x) => /deploy\s+✔ 3\/3/.test(x), 'deploy done');
    expect(f.transport.calls[0].script).toContain('Authorization: hunter22');
    expect(f.frame()).not.toContain('hunter22');
    const onDisk = JSON.stringify(await stateOnDisk(f));
    expect(onDisk).not.toContain('hunter22');
  });
});

describe('playing past a continue_on_error failure', () => {
  it('goes on after a confirmed step without running the failed continue_on_error step again (a, b, never a again)', async () => {
    const book = ['# Tolerant\n', fence('id=probe continue_on_error', 'echo probing'), fence('id=gate confirm="really?"', 'echo gating'), fence('id=last', 'echo finishing')].join('\n');
    const f = await start(book, { rules: [{ host: 'web2', script: 'probing', exitCode: 1 }] });
    await f.press(KEYS.space);
    await f.waitFor((x) => x.includes('Confirm: gate'), 'confirm dialog');
    expect(f.transport.callsMatching('probing')).toHaveLength(3);
    await f.press('y');
    await f.waitFor((x) => /last\s+✔ 3\/3/.test(x), 'last step done');
    expect(f.transport.callsMatching('probing')).toHaveLength(3);
    expect(f.transport.callsMatching('gating')).toHaveLength(3);
    expect(statuses((await stateOnDisk(f)).probe)).toEqual({ web1: 'ok', web2: 'failed', db1: 'ok' });
  });
});
