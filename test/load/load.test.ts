// Always-on load checks (a light version of `npm run bench:load`): many hosts × many steps, and a
// step flooding stdout. The player's peak RSS stays bounded and every byte reaches the log on disk.
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedSha256, generatorCommand, runMeasured, trivialRunbook } from '../../bench/loadLib.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { logOutput } from '../helpers/stepLog.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { createLocalTransport } from '../../src/engine/transport/local.js';
import { localInventory } from '../../src/engine/inventory/inventory.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { openState } from '../../src/engine/state/stateFile.js';
import { resolveStatePaths } from '../../src/engine/state/paths.js';
import { createRunStore, TAIL_LINES } from '../../src/engine/store.js';
import { createPlayer } from '../../src/engine/run/player.js';

const RSS_LIMIT_MB = 300;
const HOSTS = 20;
const STEPS = 20;
const FLOOD_BYTES = 50 * 1024 * 1024;

let fx: SshFixture;
let inv: string;

beforeAll(async () => {
  fx = await startSshHosts(HOSTS, { namePrefix: 'l' });
  inv = writeFile(sharedTempDir(), 'inventory.yaml', fx.inventoryYaml({ flood: ['l1', 'l2'] }));
});
afterAll(async () => {
  await fx?.stop();
});

function args(rb: string, state: string): string[] {
  return ['run', rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', state];
}

describe('load', () => {
  it(`completes ${STEPS} steps on ${HOSTS} hosts with every host ok and peak RSS under ${RSS_LIMIT_MB} MB`, async () => {
    const dir = sharedTempDir();
    const rb = writeFile(dir, 'many.md', trivialRunbook(STEPS));
    const state = join(dir, 'state.jsonl');
    const r = await runMeasured(args(rb, state), { cwd: dir });
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    expect(r.stderr, 'nothing on stderr (no runtime warnings with many hosts)').toBe('');
    expect(r.peakRssMb).toBeLessThan(RSS_LIMIT_MB);
    const st = JSON.parse((await runCli(['status', rb, '-i', inv, '--state', state, '--json'], { cwd: dir })).stdout);
    const statuses = st.steps.flatMap((s: { hosts: Record<string, { status: string }> }) => Object.values(s.hosts).map((h) => h.status));
    expect(statuses).toHaveLength(HOSTS * STEPS);
    expect(new Set(statuses)).toEqual(new Set(['ok']));
  });

  it('keeps 50 MB of stdout on each of 2 hosts byte for byte in the logs with peak RSS under 300 MB', async () => {
    const dir = sharedTempDir();
    const rb = writeFile(dir, 'flood.md', `# Flood\n\n\`\`\`bash {id=flood hosts=flood}\n${generatorCommand(FLOOD_BYTES)}\n\`\`\`\n`);
    const state = join(dir, 'state.jsonl');
    const [r, want] = await Promise.all([runMeasured(args(rb, state), { cwd: dir }), expectedSha256(FLOOD_BYTES)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.peakRssMb).toBeLessThan(RSS_LIMIT_MB);
    for (const host of ['l1', 'l2']) {
      // the command's output, between the log's header and footer, byte for byte
      const out = logOutput(await readFile(join(dir, 'logs', 'flood', 'flood', `${host}.1.log`)));
      expect({ sha256: createHash('sha256').update(out).digest('hex'), bytes: out.length }).toEqual({ sha256: want, bytes: FLOOD_BYTES });
    }
  });

  it(`keeps the live tail in the store bounded (${TAIL_LINES} lines) while a step prints 20 MB`, async () => {
    const dir = sharedTempDir();
    const rb = join(dir, 'tail.md');
    const runbook = parseRunbookText(`# Tail\n\n\`\`\`bash {id=tail}\n${generatorCommand(20 * 1024 * 1024)}\n\`\`\`\n`, rb);
    const paths = resolveStatePaths(rb, { stateFile: join(dir, 'state.jsonl') });
    const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'write' });
    const inventory = localInventory();
    const store = createRunStore({ runbook, inventory, records: state.snapshot() });
    let maxLines = 0;
    let maxChars = 0;
    let updates = 0;
    const unsubscribe = store.subscribe((s) => {
      for (const live of Object.values(s.live)) {
        updates++;
        maxLines = Math.max(maxLines, live.tail.length);
        maxChars = Math.max(maxChars, live.tail.reduce((n, l) => n + l.length, 0) + live.partial.length);
      }
    });
    const player = createPlayer({ runbook, inventory, transport: createLocalTransport(), state, paths, store, liveIntervalMs: 5 });
    try {
      const stop = await player.play();
      expect(stop.kind).toBe('end');
    } finally {
      unsubscribe();
      await player.close();
    }
    expect(updates).toBeGreaterThan(0);
    expect(maxLines).toBeLessThanOrEqual(TAIL_LINES);
    expect(maxChars).toBeLessThan(TAIL_LINES * 100 + 4096);
  });
});
