// The player records each step's source text with the state, and tells a changed step's old text.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { createPlayer } from '../../src/engine/run/player.js';
import { resolveStatePaths } from '../../src/engine/state/paths.js';
import { openState } from '../../src/engine/state/stateFile.js';
import { createRunStore } from '../../src/engine/store.js';
import { createScriptedTransport } from '../helpers/scriptedTransport.js';
import { fence } from '../helpers/markdown.js';

const INVENTORY = 'all:\n  hosts:\n    a: {}\n    b: {}\n';
const book = (body: string): string => `# Site\n\n## Init\n\n${fence('id=init', body)}\n## Join\n\n${fence('id=join', 'kubeadm join')}`;

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A player session on `markdown` in `dir` (the same dir keeps the same state file). */
async function session(dir: string, markdown: string) {
  const runbook = parseRunbookText(markdown, join(dir, 'book.md'));
  const inventory = parseInventory(INVENTORY, join(dir, 'inv.yaml'));
  const paths = resolveStatePaths(runbook.path, { cwd: dir });
  const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'write' });
  const store = createRunStore({ runbook, inventory, records: state.snapshot() });
  const player = createPlayer({ runbook, inventory, transport: createScriptedTransport(), state, paths, store });
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) await player.close();
    closed = true;
  };
  closers.push(close);
  const journal = (): Record<string, unknown>[] => readFileSync(paths.stateFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { runbook, player, state, journal, close };
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rb-prevtext-'));
  dirs.push(d);
  return d;
}

describe('step texts through the player', () => {
  it('Step.source is the info string and the body as written', () => {
    const rb = parseRunbookText(book('kubeadm init \\\n  --upload-certs'), '/tmp/site.md');
    expect(rb.steps[0].source).toBe('bash {id=init}\nkubeadm init \\\n  --upload-certs\n');
  });

  it('running a step writes its text once, before its first record', async () => {
    const t = await session(tempDir(), book('kubeadm init'));
    await t.player.play();
    await t.close();
    const lines = t.journal().slice(1);
    const texts = lines.filter((l) => l.t === 'text');
    expect(texts.map((l) => [l.step, l.text])).toEqual([['init', 'bash {id=init}\nkubeadm init\n'], ['join', 'bash {id=join}\nkubeadm join\n']]);
    expect(lines.findIndex((l) => l.t === 'text' && l.step === 'init')).toBeLessThan(lines.findIndex((l) => l.t === 'rec' && l.step === 'init'));
  });

  it('skipping a step records its text too', async () => {
    const t = await session(tempDir(), book('kubeadm init'));
    await t.player.skip('join');
    expect(t.state.stepText('join', t.runbook.steps[1].hash)).toBe('bash {id=join}\nkubeadm join\n');
  });

  it('previousText is the text that ran when the runbook changed since, and undefined for an unchanged step', async () => {
    const dir = tempDir();
    const first = await session(dir, book('kubeadm init'));
    await first.player.play();
    await first.close();
    const second = await session(dir, book('kubeadm init --upload-certs'));
    expect(second.player.previousText('init')).toBe('bash {id=init}\nkubeadm init\n');
    expect(second.player.previousText('join')).toBeUndefined();
    expect(second.player.previousText('no-such-step')).toBeUndefined();
  });

  it('previousText is undefined once the changed step ran again', async () => {
    const dir = tempDir();
    const first = await session(dir, book('kubeadm init'));
    await first.player.play();
    await first.close();
    const second = await session(dir, book('kubeadm init --upload-certs'));
    await second.player.runStep('init', { force: true });
    expect(second.player.previousText('init')).toBeUndefined();
  });
});
