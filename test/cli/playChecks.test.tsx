// `runbook play` puts the player on screen before its checks (the preflight of every step for every
// host, then the state's write-open) have finished. A key that would run or record a step meanwhile
// waits for them, saying so: nothing runs and nothing is written before they pass; when they fail,
// it never runs. Real parts: the CLI's session (runbook, inventory, state file), the local
// transport running bash, the real store and the App; only the terminal is ink-testing-library.
import React from 'react';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { openPlayerSession, type PlayerSession } from '../../src/cli/playerSession.js';
import { openState } from '../../src/engine/state/stateFile.js';
import { App } from '../../src/ui/App.js';
import { plainTheme } from '../../src/ui/theme.js';
import { sharedTempDir, writeFile } from '../helpers/cli.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Screen {
  readonly ps: PlayerSession;
  frame(): string;
  press(key: string): Promise<void>;
  waitFor(cond: (f: string) => boolean, what: string): Promise<string>;
  close(): Promise<void>;
}

async function openPlay(book: string, stateFile: string): Promise<Screen> {
  const ps = await openPlayerSession(book, { state: stateFile, sshConfig: false }, { interactive: true, deferChecks: true });
  const r = render(<App store={ps.store} controller={ps.player} stateDir={ps.session.paths.dir} onQuit={() => undefined} width={100} height={30} theme={plainTheme} />);
  const frame = (): string => r.lastFrame() ?? '';
  return {
    ps,
    frame,
    async press(key) {
      r.stdin.write(key);
      await tick();
      await tick();
    },
    async waitFor(cond, what) {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        if (cond(frame())) return frame();
        await new Promise((res) => setTimeout(res, 10)); // poll interval, not synchronisation
      }
      throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
    },
    async close() {
      r.unmount();
      await ps.player.close();
    },
  };
}

let open: Screen | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('play: the screen first, the checks behind it', () => {
  it('Enter pressed before the checks ran says it waits, runs nothing and writes nothing; the step runs once, when they pass', async () => {
    const dir = sharedTempDir();
    const out = join(dir, 'ran');
    const book = writeFile(dir, 'book.md', `# Gate\n\n\`\`\`bash {id=touch}\necho ran >> ${out}\n\`\`\`\n`);
    const stateFile = join(dir, 'state.jsonl');
    open = await openPlay(book, stateFile);
    const s = open;
    // On screen, nothing checked yet: the state has only been read.
    await s.waitFor((f) => /› touch\s+· 0\/1/.test(f), 'the player');
    expect(s.ps.state.mode).toBe('read');
    expect(s.frame()).toContain('[checking: preflight 0/1 steps]');

    await s.press('\r');
    const waiting = await s.waitFor((f) => f.includes('checks still running'), 'the message');
    expect(waiting).toContain('checks still running (preflight 0/1 steps): `touch` runs once they pass');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(stateFile)).toBe(false);

    await s.ps.runChecks();
    expect(s.ps.state.mode).toBe('write');
    await s.waitFor((f) => /touch\s+✔ 1\/1/.test(f), 'the step done');
    expect(readFileSync(out, 'utf8')).toBe('ran\n');
    await s.ps.state.flush();
    const journal = readFileSync(stateFile, 'utf8');
    // The session line comes before the step's records.
    expect(journal.indexOf('"t":"session"')).toBeGreaterThan(0);
    expect(journal.indexOf('"t":"session"')).toBeLessThan(journal.indexOf('"t":"rec"'));
  });

  it('skip asked for before the checks is recorded only after them, in the session they open', async () => {
    const dir = sharedTempDir();
    const book = writeFile(dir, 'book.md', '# Gate\n\n```bash {id=a}\ntrue\n```\n');
    const stateFile = join(dir, 'state.jsonl');
    open = await openPlay(book, stateFile);
    const skipped = open.ps.player.skip('a');
    await tick();
    expect(existsSync(stateFile)).toBe(false);
    await open.ps.runChecks();
    await skipped;
    await open.ps.state.flush();
    const lines = readFileSync(stateFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t?: string; id?: string; rec?: { status: string; session?: string } });
    const session = lines.find((l) => l.t === 'session');
    const rec = lines.find((l) => l.t === 'rec');
    expect(rec?.rec?.status).toBe('skipped');
    expect(session?.id).toBe('s1');
    expect(rec?.rec?.session).toBe('s1');
  });

  it('a template the preflight cannot render fails the checks with its file and line; the step asked for meanwhile never runs and the state file is never written', async () => {
    const dir = sharedTempDir();
    const out = join(dir, 'ran');
    const book = writeFile(dir, 'book.md', `# Bad\n\n\`\`\`bash {id=ok}\necho ran >> ${out}\n\`\`\`\n\n\`\`\`bash {id=bad}\necho {{ 1 | nosuchfilter }}\n\`\`\`\n`);
    const stateFile = join(dir, 'state.jsonl');
    open = await openPlay(book, stateFile);
    await open.waitFor((f) => /› ok/.test(f), 'the player');
    const run = open.ps.player.runStep('ok').then(() => 'ran', (e: unknown) => e);
    const failed = await open.ps.runChecks().then(() => undefined, (e: unknown) => e as { located?: string; exitCode?: number });
    expect(failed?.exitCode).toBe(2);
    expect(failed?.located).toMatch(/book\.md:8: unknown filter `nosuchfilter`/);
    expect(await run).toBe(failed);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('a state file another player holds fails the checks with exit 4 after the frame; the step asked for meanwhile never runs', async () => {
    const dir = sharedTempDir();
    const out = join(dir, 'ran');
    const book = writeFile(dir, 'book.md', `# Locked\n\n\`\`\`bash {id=touch}\necho ran >> ${out}\n\`\`\`\n`);
    const stateFile = join(dir, 'state.jsonl');
    const other = await openState({ stateFile, runbookPath: book, mode: 'write', command: 'runbook play' });
    try {
      open = await openPlay(book, stateFile);
      await open.waitFor((f) => /› touch/.test(f), 'the player');
      const run = open.ps.player.runStep('touch').then(() => 'ran', (e: unknown) => e);
      const failed = await open.ps.runChecks().then(() => undefined, (e: unknown) => e as { message?: string; exitCode?: number });
      expect(failed?.exitCode).toBe(4);
      expect(failed?.message).toMatch(/in use by pid \d+/);
      expect(await run).toBe(failed);
      expect(existsSync(out)).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('shows the preflight progress in the status line while it runs (50 steps), then nothing once they passed', async () => {
    const dir = sharedTempDir();
    const steps = Array.from({ length: 50 }, (_, i) => `\`\`\`bash {id=s${i}}\necho {{ host.name }} ${i}\n\`\`\`\n`).join('\n');
    const book = writeFile(dir, 'book.md', `# Many\n\n${steps}`);
    open = await openPlay(book, join(dir, 'state.jsonl'));
    expect(open.ps.store.getState().checking).toBe('preflight 0/50 steps');
    const seen = new Set<string>();
    const unsubscribe = open.ps.store.subscribe((st) => {
      if (st.checking) seen.add(st.checking);
    });
    await open.ps.runChecks();
    unsubscribe();
    expect(seen).toContain('preflight 50/50 steps');
    expect(seen).toContain('opening the state file');
    expect(open.ps.store.getState().checking).toBeUndefined();
  });
});
