// Durations over what Node's timers can hold (2^31-1 ms) used to fire after 1 ms. The longest
// accepted duration is 576h (24 days); anything longer is bad input (exit 2) naming the file and line.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS } from '../../src/engine/duration.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';

function book(attrs: string, body = 'echo ran'): { dir: string; rb: string; state: string } {
  const dir = sharedTempDir('rb-dur-');
  return { dir, rb: writeFile(dir, 'book.md', `# Durations\n\n${fence(`id=s ${attrs}`, body)}`), state: join(dir, 's.jsonl') };
}

describe('long durations', () => {
  it('the maximum fits in a Node timer', () => {
    expect(MAX_DURATION_MS).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  for (const attrs of ['timeout=600h', 'retries=1 delay=600h', 'timeout=577h', 'timeout=99999999999999999999h']) {
    it(`${attrs} is refused with exit 2 at the step's line, before anything runs`, async () => {
      const t = book(attrs, 'echo ran > ran');
      const r = await runCli(['run', t.rb, '--state', t.state], { cwd: t.dir });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/book\.md:3: .*longer than the longest supported duration, 576h/);
      expect(r.stdout).not.toContain('ran');
    });
  }

  it('--connect-timeout 600h is refused with exit 2', async () => {
    const t = book('');
    const r = await runCli(['run', t.rb, '--state', t.state, '--connect-timeout', '600h'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--connect-timeout 600h: longer than the longest supported duration');
  });

  it('timeout=576h is a real timeout: a step that takes a second is not cut short', async () => {
    const t = book('timeout=576h', 'sleep 1; echo finished');
    const r = await runCli(['run', t.rb, '--state', t.state], { cwd: t.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ local\s+ok/);
  });
});
