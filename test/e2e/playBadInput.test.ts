// `runbook play` checks the runbook like `run` does before opening the screen: bad input exits 2
// with file:line and leaves no state; a variable nothing defines is left for the player to ask.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, sharedTempDir, writeFile } from '../helpers/cli.js';
import { playCommand, useTmux } from '../helpers/tmux.js';

const term = useTmux('rb-playbad');

describe('runbook play before the screen opens', () => {
  it('exits 2 naming the file and line of a host pattern nothing matches, and writes no state', async () => {
    const dir = sharedTempDir();
    const book = writeFile(dir, 'book.md', '# Bad\n\n```bash {id=x hosts=nosuchgroup}\ntrue\n```\n');
    await term.start('bad', playCommand(dir, [BIN, 'play', book, '--state', join(dir, 'state.jsonl')]));
    const s = await term.waitScreen('bad', (x) => x.includes('EXIT='), 'play to exit');
    expect(s).toContain('EXIT=2');
    expect(s).toMatch(/book\.md:3: .*nosuchgroup/);
    expect(existsSync(join(dir, 'state.jsonl'))).toBe(false);
  });

  it('opens the player when a variable is merely undefined, and asks for it when the step runs', async () => {
    const dir = sharedTempDir();
    const book = writeFile(dir, 'book.md', `# Ask\n\n\`\`\`bash {id=greet}\necho "{{ greeting }}" > ${dir}/out\n\`\`\`\n`);
    await term.start('ask', playCommand(dir, [BIN, 'play', book, '--state', join(dir, 'state.jsonl')]));
    await term.waitScreen('ask', (x) => /› greet\s+· 0\/1/.test(x), 'the player');
    await term.keys('ask', 'Enter');
    await term.waitScreen('ask', (x) => x.includes('needs a value for greeting'), 'the variable prompt');
    await term.keys('ask', 'hello', 'Enter');
    await term.waitScreen('ask', (x) => /greet\s+✔ 1\/1/.test(x), 'the step done');
    await term.keys('ask', 'q');
    const s = await term.waitScreen('ask', (x) => x.includes('EXIT='), 'play to exit');
    expect(s).toContain('EXIT=0');
    expect(s).toContain('runbook play: 1 of 1 step finished, exit 0');
  });
});
