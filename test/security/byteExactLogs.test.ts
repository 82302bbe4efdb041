// Once a secret is defined, output is masked on bytes: the log keeps every byte that is not part of
// a secret exactly (binary output, multi-byte characters split between chunks), and the live view
// shows a character split between chunks whole.
import { logOutput } from '../helpers/stepLog.js';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { createPlayer } from '../../src/engine/run/player.js';
import { resolveStatePaths } from '../../src/engine/state/paths.js';
import { openState } from '../../src/engine/state/stateFile.js';
import { createRunStore, liveKey } from '../../src/engine/store.js';
import type { Transport } from '../../src/engine/transport/types.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';

const SECRET = 'pw-bytes-Q9x2Lm7';
const FRONT = ['---', 'vars:', `  db_password: ${SECRET}`, '---', '# Bytes', ''].join('\n');

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? filesUnder(join(d, n)) : [join(d, n)]));
}

describe('byte-exact logs with secrets defined', () => {
  it('logs 3 MB of random binary output byte for byte, and masks the secret printed after it', async () => {
    const dir = sharedTempDir('rb-bytes-');
    const body = `head -c 3000000 /dev/urandom > ${dir}/blob\ncat ${dir}/blob\necho "pw={{ db_password }}"`;
    const rb = writeFile(dir, 'book.md', FRONT + fence('id=blob', body));
    const r = await runCli(['run', rb, '--state', join(dir, 'st', 'book.state.jsonl')], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [log] = filesUnder(join(dir, 'st')).filter((f) => f.endsWith('.log'));
    const expected = Buffer.concat([readFileSync(join(dir, 'blob')), Buffer.from('pw=********\n')]);
    const got = logOutput(readFileSync(log));
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
  }, 60_000);

  it('shows a character split between output chunks whole in the live view, and logs its bytes exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-bytes-'));
    const runbook = parseRunbookText(FRONT + fence('id=split', 'echo café'), join(dir, 'book.md'));
    const inventory = parseInventory('all:\n  hosts:\n    a: { ansible_connection: local }\n', join(dir, 'inv.yaml'));
    const paths = resolveStatePaths(runbook.path, { cwd: dir });
    const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'write' });
    const store = createRunStore({ runbook, inventory, records: state.snapshot() });
    const bytes = Buffer.from('café ✓ done\n', 'utf8');
    const transport: Transport = {
      async exec(_h, _s, o) {
        for (const b of bytes) o?.onData?.(Buffer.from([b]), 'stdout'); // one byte per chunk
        return { exitCode: 0, signal: null, durationMs: 1, aborted: false };
      },
      async close() {},
    };
    const player = createPlayer({ runbook, inventory, transport, state, paths, store, liveIntervalMs: 1 });
    try {
      const out = await player.runStep('split');
      expect(out.hosts.a).toBe('ok');
      expect(store.getState().live[liveKey('split', 'a')].tail.join('\n')).toBe('café ✓ done');
      const rec = store.getState().records.split.a;
      expect(logOutput(readFileSync(join(paths.dir, rec.log!))).equals(bytes)).toBe(true);
    } finally {
      await player.close();
    }
  });
});
