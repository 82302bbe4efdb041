// `runbook play` starts from a CommonJS bundle of its own (dist/bundle/quick/play.cjs) compiled with
// the V8 code cache the build made after a first frame (scripts/bundle.mjs, scripts/codecache.mjs,
// bin/quick.cjs), and from the ES module bundle when that cache is missing, not this bundle's, or
// refused, and under DEV=true (Ink's React devtools). Which one ran must never show: the same
// frames, the same run over real sshd hosts and the same exit, in a real terminal (tmux). Each case
// plays a copy of the built CLI (test/helpers/cli.ts copyBuiltCli), the checkout's own left alone;
// which bundle a process started from is recorded by test/helpers/recordLoads.mjs.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBuiltCli, quickCacheTaken, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { playCommand, useTmux } from '../helpers/tmux.js';

const HOOK = resolve(import.meta.dirname, '..', 'helpers', 'recordLoads.mjs');
const EVENTS = resolve(import.meta.dirname, '..', 'helpers', 'recordEvents.cjs');
const term = useTmux('rb-startplayer');
const SIZE = { cols: 100, rows: 30 };

let fx: SshFixture;
let lab: string;
let inv: string;
let commonjs: string;
beforeAll(async () => {
  fx = await startSshHosts(2);
  lab = sharedTempDir('rb-startplayer-');
  inv = writeFile(lab, 'inventory.yaml', fx.inventoryYaml());
  commonjs = copyBuiltCli();
}, 120_000);
afterAll(async () => {
  await fx?.stop();
});

const BOOK = [
  '---',
  'title: Two steps',
  '---',
  '# Two steps\n',
  'Some *prose* with `code`, and a list:\n',
  '- one • two',
  '- 界 and 🚀\n',
  '```yaml',
  'answer: 42',
  '```\n',
  fence('id=hello', 'echo "hello from {{ host.name }} ✓"'),
  fence('id=fails', 'echo "about to fail on {{ host.name }}" >&2; exit 3'),
].join('\n');

/** Which bundle the process that wrote `record` started from. */
function bundleRun(root: string, record: string): 'commonjs' | 'esm' {
  const files = readFileSync(record, 'utf8').split('\n').filter((l) => l.startsWith('file:')).map((u) => relative(root, fileURLToPath(u)));
  const cjs = files.includes(join('dist', 'bundle', 'quick', 'play.cjs'));
  const esm = files.includes(join('dist', 'bundle', 'main.js'));
  if (cjs === esm) throw new Error(`expected one bundle, the process loaded: ${files.join(', ')}`);
  return cjs ? 'commonjs' : 'esm';
}

/** Durations and clocks (and the width they take) change from run to run; everything else on screen must not. */
const steady = (screen: string): string => screen.replace(/\b\d+:\d\d\b/g, 'm:ss').replace(/ +\d+(?:\.\d+)?(?:ms|s)\b/g, ' Ns');

interface Played {
  readonly bundle: 'commonjs' | 'esm';
  /** Where each Intl.Segmenter the player made was made (test/helpers/recordLoads.mjs). */
  readonly segmenters: readonly string[];
  /** The first frame once the document pane shows its Markdown and the checks passed, after the first step, after the second, and the terminal after the player closed. */
  readonly screens: readonly string[];
}

/** Play BOOK over the two sshd hosts with the CLI at `root`: the first frame, run the first step (ok), the second (fails), quit. */
async function playThrough(root: string, session: string, env: Record<string, string> = {}): Promise<Played> {
  const dir = sharedTempDir('rb-startplayer-play-');
  const book = writeFile(dir, 'book.md', BOOK);
  const record = join(dir, 'loads.txt');
  const exports = Object.entries({ ...env, RUNBOOK_TEST_LOADS: record }).map(([k, v]) => `export ${k}='${v}'; `).join('');
  const args = ['--import', HOOK, join(root, 'bin', 'runbook'), 'play', book, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config'];
  await term.start(session, exports + playCommand(dir, args), SIZE);
  const screens: string[] = [];
  screens.push(await term.waitScreen(session, (s) => /steps 0\/2.*\[paused\]/.test(s) && s.includes('Enter/r run') && s.includes('Some prose with code'), 'the first frame with its document pane, the checks passed'));
  await term.keys(session, 'Enter');
  screens.push(await term.waitScreen(session, (s) => s.includes('2 hosts: 2 ok') && s.includes('[paused]'), 'the first step done on both hosts', 40_000));
  await term.keys(session, 'j', 'Enter');
  screens.push(await term.waitScreen(session, (s) => s.includes('2 hosts: 2 failed') && s.includes('fails failed on') && s.includes('[paused]'), 'the second step failed on both hosts', 40_000));
  await term.keys(session, 'q');
  screens.push(await term.waitScreen(session, (s) => s.includes('EXIT='), 'play to exit'));
  const segmenters = readFileSync(record, 'utf8').split('\n').filter((l) => l.startsWith('segmenter:'));
  return { bundle: bundleRun(root, record), segmenters, screens: screens.map(steady) };
}

describe('runbook play from its CommonJS bundle with a code cache', () => {
  it('V8 takes the code cache the build made for the player', () => {
    expect(quickCacheTaken(commonjs, 'play')).toBe(true);
  });

  it('holds ssh2 (so its code is in the cache too), its native parts left to be looked up at run time as the package does', () => {
    const meta = JSON.parse(readFileSync(join(commonjs, 'dist', 'bundle', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    const inputs = Object.keys(meta.outputs['dist/bundle/quick/play.cjs'].inputs);
    expect(inputs).toContain('node_modules/ssh2/lib/client.js');
    const text = readFileSync(join(commonjs, 'dist', 'bundle', 'quick', 'play.cjs'), 'utf8');
    expect(text).toContain('require("ssh2/lib/protocol/crypto/build/Release/sshcrypto.node")');
    expect(text).toContain('require("cpu-features")');
  });

  it('draws the same frames, runs the same steps over sshd and exits the same as from the ES module bundle', async () => {
    const esm = copyBuiltCli();
    rmSync(join(esm, 'dist', 'bundle', 'quick', 'play.cjs.cache'));
    const fromCommonjs = await playThrough(commonjs, 'cjs');
    const fromEsm = await playThrough(esm, 'esm');
    expect(fromCommonjs.bundle).toBe('commonjs');
    expect(fromEsm.bundle).toBe('esm');
    expect(fromCommonjs.screens[3]).toContain('EXIT=1');
    expect(fromCommonjs.screens[2]).toMatch(/h1\s+failed\s+#1 .* 3 about to fail on h1/);
    expect(fromCommonjs.screens).toEqual(fromEsm.screens);
  }, 180_000);

  it('makes no Intl.Segmenter (ICU\'s break iterators, ~20 ms to start) for text whose graphemes are each one code point: CJK, emoji, symbols, colours', async () => {
    const played = await playThrough(commonjs, 'segmenters');
    expect(played.bundle).toBe('commonjs');
    expect(played.screens[0]).toContain('界 and 🚀');
    expect(played.screens[1]).toContain('hello from h1 ✓');
    expect(played.segmenters).toEqual([]);
  }, 120_000);

  it('draws its first frame before it connects to any host, then connects to each while its checks run', async () => {
    const events = join(sharedTempDir('rb-startplayer-events-'), 'events.txt');
    const played = await playThrough(commonjs, 'connects', { NODE_OPTIONS: `--require ${EVENTS}`, RUNBOOK_TEST_EVENTS: events });
    expect(played.screens[1]).toContain('2 hosts: 2 ok');
    const lines = readFileSync(events, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('frame');
    expect(new Set(lines.slice(1))).toEqual(new Set(fx.hosts.map((h) => `connect ${h.address}:${h.port}`)));
  }, 120_000);

  it('starts from the ES module bundle, and plays the same, when the code cache is not this bundle\'s, is damaged, or is for another Node, or yoga\'s WebAssembly is missing', async () => {
    const root = copyBuiltCli();
    const file = join(root, 'dist', 'bundle', 'quick', 'play.cjs');
    const wasm = join(root, 'dist', 'bundle', 'quick', 'lib', 'yoga.wasm');
    const reference = await playThrough(root, 'reference');
    expect(reference.bundle).toBe('commonjs');
    const stamp = JSON.parse(readFileSync(`${file}.cache.json`, 'utf8')) as { node: string; source: string };
    const cache = readFileSync(`${file}.cache`);
    for (const [what, apply] of [
      ['other bytes', () => writeFileSync(file, `${readFileSync(file, 'utf8')}\n`)],
      ['a damaged cache', () => writeFileSync(`${file}.cache`, Buffer.from(cache).fill(0x5a, cache.length >> 1, (cache.length >> 1) + 64))],
      ['another Node', () => writeFileSync(`${file}.cache.json`, JSON.stringify({ ...stamp, node: 'v20.0.0' }))],
      ['no yoga WebAssembly beside it', () => rmSync(wasm)],
    ] as const) {
      const bytes = readFileSync(file);
      const wasmBytes = readFileSync(wasm);
      apply();
      expect(quickCacheTaken(root, 'play'), what).toBe(false);
      const played = await playThrough(root, what.replace(/\W/g, '-'));
      expect(played.bundle, what).toBe('esm');
      expect(played.screens, what).toEqual(reference.screens);
      writeFileSync(file, bytes);
      writeFileSync(wasm, wasmBytes);
      writeFileSync(`${file}.cache`, cache);
      writeFileSync(`${file}.cache.json`, JSON.stringify(stamp));
    }
    expect(quickCacheTaken(root, 'play')).toBe(true);
  }, 400_000);

  it('starts from the ES module bundle under DEV=true, where Ink looks for React devtools, and plays', async () => {
    const played = await playThrough(commonjs, 'dev', { DEV: 'true' });
    expect(played.bundle).toBe('esm');
    expect(played.screens[3]).toContain('EXIT=1');
  }, 120_000);
});
