// The built CLI in a real terminal (tmux): `runbook play` draws the runbook first and checks every
// step for every host behind it; bad input that check finds closes the player, names the file and
// line, exits 2 and leaves no state file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, sharedTempDir, writeFile } from '../helpers/cli.js';
import { playCommand, useTmux } from '../helpers/tmux.js';

const term = useTmux('rb-playchecks');

describe('runbook play checks behind the first frame', () => {
  it('a template no host can render closes the player with exit 2 at its file and line, and writes no state', async () => {
    const dir = sharedTempDir();
    const book = writeFile(dir, 'book.md', '# Bad filter\n\n```bash {id=fine}\ntrue\n```\n\n```bash {id=bad}\necho {{ 1 | nosuchfilter }}\n```\n');
    await term.start('bad', playCommand(dir, [BIN, 'play', book, '--state', join(dir, 'state.jsonl')]), { cols: 80, rows: 24 });
    const s = await term.waitScreen('bad', (x) => x.includes('EXIT='), 'play to exit');
    expect(s).toContain('EXIT=2');
    expect(s).toMatch(/book\.md:8: unknown filter `nosuchfilter`/);
    expect(existsSync(join(dir, 'state.jsonl'))).toBe(false);
  });

  it('the status line says paused once the checks of 40 steps passed, and q leaves with exit 3 (steps left)', async () => {
    const dir = sharedTempDir();
    const steps = Array.from({ length: 40 }, (_, i) => `\`\`\`bash {id=s${i}}\necho {{ host.name }} ${i}\n\`\`\`\n`).join('\n');
    const book = writeFile(dir, 'book.md', `# Forty\n\n${steps}`);
    await term.start('ok', playCommand(dir, [BIN, 'play', book, '--state', join(dir, 'state.jsonl')]), { cols: 80, rows: 24 });
    await term.waitScreen('ok', (x) => /steps 0\/40.*\[paused\]/.test(x), 'the checks passed');
    await term.keys('ok', 'q');
    const s = await term.waitScreen('ok', (x) => x.includes('EXIT='), 'play to exit');
    expect(s).toContain('EXIT=3');
    expect(s).toContain('runbook play: 0 of 40 steps finished, exit 3: steps are left to play');
  });
});
