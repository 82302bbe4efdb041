// "Save for next time" over the REAL engine: the vars file on disk, and a second session that
// loads it (as `runbook play` does) and no longer asks.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSavedVars } from '../../src/engine/state/varsFile.js';
import { fence, KEYS, removeDir, startFlow, tempDir, type Flow } from './realEngine.js';

const BOOK = `# Deploy\n\n${fence('id=deploy', 'deploy --region {{ region }} --token {{ api_token }}')}`;

let flows: Flow[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const f of flows) await f.close();
  flows = [];
  for (const d of dirs.splice(0)) removeDir(d);
});

async function start(dir: string, cliVars?: Record<string, string>): Promise<Flow> {
  const f = await startFlow(BOOK, { dir, ...(cliVars ? { cliVars } : {}) });
  flows.push(f);
  return f;
}

async function answer(f: Flow, name: string, value: string, save: boolean): Promise<void> {
  await f.waitFor((x) => x.includes(`The runbook needs a value for ${name}`), `prompt for ${name}`);
  for (const ch of value) await f.press(ch);
  if (save) await f.press(KEYS.tab);
  if (save) await f.waitFor((x) => x.includes('[x] save for next time'), 'save on');
  await f.press(KEYS.enter);
}

describe('saving a prompted variable for next time (real engine)', () => {
  it('writes it 0600 next to the state file, merged with what is there, never the secret', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const varsFile = join(dir, 'book.vars.yaml');
    writeFileSync(varsFile, '# kept by hand\nowner: ops\n');
    const f = await start(dir);
    await f.press(KEYS.enter);
    await answer(f, 'region', 'eu-west-1', true);
    await answer(f, 'api_token', 'hunter22', false);
    await f.waitFor((x) => /deploy\s+✔ 3\/3/.test(x), 'deploy done');
    expect(f.transport.calls[0].script).toContain('deploy --region eu-west-1 --token hunter22');
    expect(statSync(varsFile).mode & 0o777).toBe(0o600);
    expect(await loadSavedVars(varsFile)).toEqual({ owner: 'ops', region: 'eu-west-1' });
    const text = readFileSync(varsFile, 'utf8');
    expect(text).toContain('# kept by hand');
    expect(text).not.toContain('hunter22');
  });

  it('a second session that loads the vars file asks only for the secret', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await start(dir);
    await first.press(KEYS.enter);
    await answer(first, 'region', 'eu-west-1', true);
    await answer(first, 'api_token', 'hunter22', false);
    await first.waitFor((x) => /deploy\s+✔ 3\/3/.test(x), 'first run done');
    await first.close();

    const second = await start(dir, await loadSavedVars(join(dir, 'book.vars.yaml')));
    expect(second.controller.missingVars()).toEqual(['api_token']);
    await second.press('e'); // re-run the step on the selected host
    await answer(second, 'api_token', 'hunter23', false);
    // It is done on that host already, so it asks before running it again.
    await second.waitFor((x) => x.includes('Run again: deploy'), 'the re-run question');
    await second.press('y');
    await second.waitFor(() => second.transport.calls.length > 0, 'second run');
    expect(second.frames().join('\n')).not.toContain('The runbook needs a value for region');
    expect(second.transport.calls[0].script).toContain('deploy --region eu-west-1 --token hunter23');
  });
});
