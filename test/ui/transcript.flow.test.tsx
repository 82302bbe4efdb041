// A block written as a terminal transcript ($ commands mixed with their output), in the player over
// the REAL engine: the step pane says what of it runs, and only the $ lines reach the host.
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, removeDir, startFlow, tempDir, type Flow } from './realEngine.js';

const BOOK = ['# Check', '', '```bash', '$ uname -r', '6.1.0-18-amd64', '$ df -h /', 'Filesystem  Size', '```', ''].join('\n');

let flow: Flow | undefined;
let dir: string | undefined;
afterEach(async () => {
  await flow?.close();
  if (dir) removeDir(dir);
  flow = dir = undefined;
});

describe('a $-prompt transcript in the player (real engine)', () => {
  it('the step pane says only the $ lines run and how to choose, and only they run', async () => {
    dir = tempDir();
    flow = await startFlow(BOOK, { dir });
    const frame = await flow.waitFor((x) => x.includes('transcript guessed from its'), 'the transcript line in the step pane');
    // The line wraps in the pane: its parts are each on screen.
    for (const part of ['transcript guessed from its `$ ` prompts:', '2 `$ ` lines; 2 other lines are expected output, not', 'write {prompt} to confirm, {prompt=false} to run']) expect(frame).toContain(part);
    await flow.press(KEYS.enter);
    await flow.waitFor((x) => /uname -r\s+✔ 3\/3/.test(x), 'the step done on the 3 hosts');
    for (const call of flow.transport.calls) {
      expect(call.script).toContain('uname -r\n\ndf -h /\n');
      expect(call.script).not.toContain('6.1.0-18-amd64');
      expect(call.script).not.toContain('Filesystem');
    }
  });
});
