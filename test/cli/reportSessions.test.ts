// `runbook report` and sessions (issue 13): who ran each session (local user and host), and one
// session of a long build reported alone with --session ID|last, or from a session on with
// --since ID. Built CLI, steps on the local machine.
import { hostname, userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';

/** Three sessions: s1 runs `one`, s2 runs `two` (added to the runbook), s3 skips `three`. */
async function threeSessions() {
  const dir = sharedTempDir('rb-report-sessions-');
  const rb = writeFile(dir, 'book.md', `# Build\n\n${fence('id=one', 'echo one')}`);
  const cli = (...args: string[]) => runCli(args, { cwd: dir });
  expect((await cli('run', rb)).code).toBe(0);
  writeFile(dir, 'book.md', `# Build\n\n${fence('id=one', 'echo one')}\n${fence('id=two', 'echo two')}\n${fence('id=three', 'echo three')}`);
  expect((await cli('run', rb, '--only', 'two')).code).toBe(0);
  expect((await cli('skip', rb, '--step', 'three', '--reason', 'not needed here')).code).toBe(0);
  return { rb, cli };
}

const me = `${userInfo().username}@${hostname()}`;

describe('report and sessions', () => {
  it('lists every session with who ran it, the command and how it ended; each event under its session', async () => {
    const { rb, cli } = await threeSessions();
    const r = await cli('report', rb);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`\\| s1 \\| [^|]+ \\| [^|]+ \\| ${me} \\(\\d+\\) \\| \`run\` \\| local machine \\| all \\| — \\| 2 \\| done: every step is complete on every targeted host \\(exit 0\\) \\|`));
    expect(r.stdout).toMatch(new RegExp(`\\| s3 \\| [^|]+ \\| [^|]+ \\| ${me} \\(\\d+\\) \\| \`skip\` \\|`));
    expect(r.stdout).toContain(`| Ran by | ${me} |`);
    const s2 = r.stdout.indexOf('### Session s2: run by');
    expect(s2).toBeGreaterThan(r.stdout.indexOf('### Session s1: run by'));
    expect(r.stdout.indexOf('`two`', s2)).toBeLessThan(r.stdout.indexOf('### Session s3: skip by'));
  });

  it('--session s2 reports that session only', async () => {
    const { rb, cli } = await threeSessions();
    const json = JSON.parse((await cli('report', rb, '--session', 's2', '--format', 'json')).stdout);
    expect(json.session).toBe('s2');
    expect(json.sessions.map((s: { id: string }) => s.id)).toEqual(['s2']);
    expect(json.steps.map((s: { id: string }) => s.id)).toEqual(['two']);
    expect(new Set(json.timeline.map((t: { session: string }) => t.session))).toEqual(new Set(['s2']));
  });

  it('--session last is the latest session; --since s2 covers s2 and every later one', async () => {
    const { rb, cli } = await threeSessions();
    const last = JSON.parse((await cli('report', rb, '--session', 'last', '--format', 'json')).stdout);
    expect(last.sessions.map((s: { id: string }) => s.id)).toEqual(['s3']);
    expect(last.steps.map((s: { id: string }) => s.id)).toEqual(['three']);
    const since = JSON.parse((await cli('report', rb, '--since', 's2', '--format', 'json')).stdout);
    expect(since.sessions.map((s: { id: string }) => s.id)).toEqual(['s2', 's3']);
    expect(since.steps.map((s: { id: string }) => s.id)).toEqual(['two', 'three']);
  });

  it('HTML has a timeline per session', async () => {
    const { rb, cli } = await threeSessions();
    const html = (await cli('report', rb, '--format', 'html')).stdout;
    for (const s of ['s1: run', 's2: run', 's3: skip']) expect(html).toContain(`<h3 class="session">Session ${s} by ${me}`);
  });

  it('an unknown session is bad input (exit 2) naming the sessions there are', async () => {
    const { rb, cli } = await threeSessions();
    const r = await cli('report', rb, '--session', 's9');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--session s9: no such session');
    expect(r.stderr).toMatch(/s1 \(run, .*s2 \(run, .*s3 \(skip, /);
  });
});
