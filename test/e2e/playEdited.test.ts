// Issue 9, item 16: a step edited since it ran is named when the player resumes the state, not only
// by `status`. The built CLI in a real terminal (private tmux server) at 80x24, on the local machine.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { playCommand, useTmux } from '../helpers/tmux.js';
import { fence } from '../helpers/markdown.js';

const term = useTmux('rb-edited');

describe('resuming a state whose step was edited since it ran', () => {
  it('the player names the edited step when it opens, and does not run it again', async () => {
    const dir = sharedTempDir('rb-edited-');
    const state = join(dir, 'state.jsonl');
    const text = (body: string): string => `# Edited\n\n${fence('id=greet', body)}\n${fence('id=after', `echo after >> ${dir}/log`)}`;
    const book = writeFile(dir, 'book.md', text(`echo hello >> ${dir}/log`));
    const first = await runCli(['run', book, '--state', state], { cwd: dir });
    expect(first.code, first.stdout + first.stderr).toBe(0);

    writeFileSync(book, text(`echo hello again >> ${dir}/log`));
    await term.start('edited', playCommand(dir, [BIN, 'play', book, '--state', state]), { cols: 80, rows: 24 });
    const screen = await term.waitScreen('edited', (s) => /changed since it ran: `?greet`? \(local\)/.test(s.replace(/\s+/g, ' ')), 'the edited step named on open', 30_000);
    expect(screen).toMatch(/greet/);
    await term.keys('edited', 'q');
    await term.waitScreen('edited', (s) => s.includes('EXIT='), 'the player to quit', 20_000);
    const st = JSON.parse((await runCli(['status', book, '--state', state, '--json'], { cwd: dir })).stdout);
    expect(st.steps[0].hosts.local.status).toBe('ok'); // recorded as it was, not run again
  });
});
