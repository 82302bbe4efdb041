// status and plan start from a CommonJS bundle of their own with a V8 code cache (bin/quick.cjs,
// scripts/bundle.mjs, scripts/codecache.mjs). What they print and their exit codes must be the
// same as from the ES module bundle every other command runs from, and a code cache that does not
// belong to the bundle (another build, another Node, torn) may only cost time. Each case runs a
// copy of the built CLI (bin/ and dist/, node_modules linked) so the checkout's own is left alone.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyBuiltCli as copyCli, quickCacheTaken as cacheTaken, sharedTempDir } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Out {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}
function cli(copy: string, args: readonly string[], cwd: string): Out {
  const r = spawnSync(process.execPath, [join(copy, 'bin', 'runbook'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', COLUMNS: '100' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let work: string;
let runbook: string;
let inventory: string;
beforeAll(() => {
  work = sharedTempDir('rb-quick-work-');
  cpSync(join(ROOT, 'runbooks', 'k8s-ha'), join(work, 'k8s-ha'), { recursive: true });
  runbook = 'k8s-ha';
  inventory = join('k8s-ha', 'inventory.example.yaml');
  // Host names status measures with string-width (quick/lib/string-width.cjs in a quick bundle).
  writeFileSync(join(work, 'wide.yaml'), 'all:\n  hosts:\n    wéb界: {ansible_connection: local}\n    🚀ops: {ansible_connection: local}\n');
});

/** Command lines that succeed and that fail, each a different path through the command. */
const CASES = (): string[][] => [
  ['status', runbook, '-i', inventory],
  ['status', runbook, '-i', inventory, '--json'],
  ['status', runbook, '-i', 'wide.yaml'],
  ['plan', runbook, '-i', inventory],
  ['plan', runbook, '-i', inventory, '--json'],
  ['plan', runbook, '-i', inventory, '--hosts', 'masters'],
  ['status', 'missing.md'],
  ['status', runbook, '--no-such-option'],
  ['status', '--help'],
  ['plan'],
  ['status', runbook, '-i', 'missing.yaml'],
  ['plan', runbook, '-i', inventory, '--hosts', 'no-such-group'],
  ['status', runbook, '-i', inventory, '--state', '/dev/null'],
];

describe('the launcher (bin/runbook)', () => {
  it('in a checkout not built yet says so and exits 2, for a quick command and for any other', () => {
    const bare = join(sharedTempDir('rb-quick-bare-'), 'runbook');
    cpSync(join(ROOT, 'bin'), join(bare, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(bare, 'package.json'));
    for (const args of [['status', runbook], ['--version'], ['run', runbook]]) {
      const r = cli(bare, args, work);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe('runbook: not built yet; run `npm install` (or `npm run build`) in the runbook checkout first\n');
    }
  });

  it('runs a quick command without loading an ES module (Node\'s ES module loader starting cost ~12 ms of status here): it is CommonJS', () => {
    const dir = sharedTempDir('rb-quick-builtins-');
    const hook = join(dir, 'builtins.cjs');
    const list = join(dir, 'builtins.txt');
    writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
    const r = spawnSync(process.execPath, ['--require', hook, join(ROOT, 'bin', 'runbook'), 'status', runbook, '-i', inventory], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('preflight-os-kernel');
    const loaded = readFileSync(list, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule vm');
    // (vm.Script loads a few of the loader's modules; loading an ES module needs these.)
    expect(loaded.filter((m) => /internal\/modules\/esm\/(module_job|translators|resolve|load)$/.test(m))).toEqual([]);
  });
});

describe('quick bundles', () => {
  it('V8 takes the code cache made at build time for status, plan and run', () => {
    const copy = copyCli();
    expect(cacheTaken(copy, 'status')).toBe(true);
    expect(cacheTaken(copy, 'plan')).toBe(true);
    expect(cacheTaken(copy, 'run')).toBe(true);
  });

  it('run runs the same steps, prints the same and exits the same as from the ES module bundle: done, failed, bad input', () => {
    const book = ['---', 'title: Quick run', '---', '# Quick run', '', '```bash {id=hello}', 'echo "hello from {{ host.name }} ✓"', '```', '', '```bash {id=fails}', 'echo "about to fail" >&2; exit 3', '```', ''].join('\n');
    const lab = (): string => {
      const dir = sharedTempDir('rb-quick-run-');
      writeFileSync(join(dir, 'book.md'), book);
      // One host: with two, the order their results print in is the order they finish in.
      writeFileSync(join(dir, 'inventory.yaml'), 'all:\n  hosts:\n    h1: {ansible_connection: local}\n');
      return dir;
    };
    const durations = (o: Out): Out => ({ ...o, stdout: o.stdout.replace(/\b\d+(?:\.\d+)?(?:ms|s)\b/g, 'N'), stderr: o.stderr.replace(/\b\d+(?:\.\d+)?(?:ms|s)\b/g, 'N') });
    const runs = [['run', 'book.md', '-i', 'inventory.yaml'], ['run', 'book.md', '-i', 'inventory.yaml'], ['run', 'book.md', '--forks', 'x'], ['run', 'missing.md']];
    const copy = copyCli();
    const quickLab = lab();
    const quick = runs.map((args) => durations(cli(copy, args, quickLab)));
    expect(quick.map((q) => q.code)).toEqual([1, 1, 2, 2]);
    expect(quick[0].stdout).toMatch(/✔ h1  ok[^]*✖ h1  failed/);
    rmSync(join(copy, 'dist', 'bundle', 'quick'), { recursive: true });
    const esmLab = lab();
    const esm = runs.map((args) => durations(cli(copy, args, esmLab)));
    for (const [i, args] of runs.entries()) expect(quick[i], args.join(' ')).toEqual(esm[i]);
    expect(readFileSync(join(quickLab, '.runbook', 'book.state.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"t":"rec"')).length).toBe(readFileSync(join(esmLab, '.runbook', 'book.state.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"t":"rec"')).length);
  }, 120_000);

  it('print the same and exit the same as the ES module bundle, for commands that succeed and commands that fail', () => {
    const copy = copyCli();
    const quick = CASES().map((c) => cli(copy, c, work));
    expect(quick.map((q) => q.code)).toEqual([0, 0, 0, 0, 0, 0, 2, 2, 0, 2, 2, 2, 2]);
    rmSync(join(copy, 'dist', 'bundle', 'quick'), { recursive: true });
    const esm = CASES().map((c) => cli(copy, c, work));
    for (const [i, c] of CASES().entries()) expect(quick[i], c.join(' ')).toEqual(esm[i]);
  }, 300_000); // 26 runs of the CLI, one after the other

  it('a code cache that is not this bundle\'s (other bytes, another Node, torn or damaged) is not used, and the output is the same', () => {
    const copy = copyCli();
    const file = join(copy, 'dist', 'bundle', 'quick', 'status.cjs');
    const expected = cli(copy, CASES()[0], work);
    const stamp = JSON.parse(readFileSync(`${file}.cache.json`, 'utf8')) as { node: string; source: string };
    const cache = readFileSync(`${file}.cache`);
    for (const [what, apply] of [
      ['another Node', () => writeFileSync(`${file}.cache.json`, JSON.stringify({ ...stamp, node: 'v20.0.0' }))],
      ['other bytes', () => writeFileSync(`${file}.cache.json`, JSON.stringify({ ...stamp, source: stamp.source.replace(/^./, (c) => (c === '0' ? '1' : '0')) }))],
      ['a torn cache', () => writeFileSync(`${file}.cache`, cache.subarray(0, cache.length >> 1))],
      ['a damaged cache', () => writeFileSync(`${file}.cache`, Buffer.from(cache).fill(0x5a, cache.length >> 1, (cache.length >> 1) + 64))],
      ['no stamp', () => rmSync(`${file}.cache.json`)],
    ] as const) {
      apply();
      expect(cacheTaken(copy, 'status'), what).toBe(false);
      expect(cli(copy, CASES()[0], work), what).toEqual(expected);
      writeFileSync(`${file}.cache`, cache);
      writeFileSync(`${file}.cache.json`, JSON.stringify(stamp));
    }
    expect(cacheTaken(copy, 'status')).toBe(true);
  }, 300_000);

  it('takes a bundle and a cache the build stamped, and nothing rewrote since, without hashing them; once rewritten, even with the same bytes, they are hashed', () => {
    const copy = copyCli();
    const file = join(copy, 'dist', 'bundle', 'quick', 'status.cjs');
    const expected = cli(copy, CASES()[0], work);
    const { readAsIs } = createRequire(import.meta.url)(join(copy, 'bin', 'quick.cjs')) as { readAsIs: (f: string) => { identity: string } };
    const stamp = JSON.parse(readFileSync(`${file}.cache.json`, 'utf8')) as { source: string; cache: string; built: unknown };
    // The copy's files are other inodes than the build's: hashed, and taken.
    expect(cacheTaken(copy, 'status')).toBe(true);
    // Stamped as they are now, with hashes that match nothing: taken without reading the hashes.
    const identities = { bundle: readAsIs(file).identity, cache: readAsIs(`${file}.cache`).identity };
    writeFileSync(`${file}.cache.json`, JSON.stringify({ ...stamp, source: '0'.repeat(64), cache: '0'.repeat(64), built: identities }));
    expect(cacheTaken(copy, 'status')).toBe(true);
    expect(cli(copy, CASES()[0], work)).toEqual(expected);
    // The cache written again with the same bytes: another identity, hashed, and the hashes refuse it.
    writeFileSync(`${file}.cache`, readFileSync(`${file}.cache`));
    expect(cacheTaken(copy, 'status')).toBe(false);
    expect(cli(copy, CASES()[0], work)).toEqual(expected);
    // Its true hashes again: taken by them.
    writeFileSync(`${file}.cache.json`, JSON.stringify({ ...stamp, built: identities }));
    expect(cacheTaken(copy, 'status')).toBe(true);
  }, 300_000);

  it('give an ES module importing a CommonJS module the same object as the last importer, unless the module gained properties since', () => {
    const text = readFileSync(join(ROOT, 'dist', 'bundle', 'quick', 'play.cjs'), 'utf8');
    const helpers = /var __create=.*?__toCommonJS=mod=>__copyProps\(__defProp\(\{\},"__esModule",\{value:!0\}\),mod\);/s.exec(text)?.[0];
    expect(helpers).toBeDefined();
    const { __toESM, __toESMFresh } = new Function(`${helpers}; return { __toESM, __toESMFresh };`)() as Record<string, (mod: unknown, nodeMode?: number) => Record<string, unknown>>;
    const mod: Record<string, unknown> = { a: 1, b: () => 2 };
    const first = __toESM(mod, 1);
    expect(__toESM(mod, 1)).toBe(first);
    expect(first.default).toBe(mod);
    expect(Object.keys(first).sort()).toEqual(Object.keys(__toESMFresh(mod, 1)).sort());
    mod.a = 3; // read through: a property's new value shows
    expect(first.a).toBe(3);
    mod.c = 4; // a module still being loaded gains exports: the next importer sees them
    const later = __toESM(mod, 1);
    expect(later).not.toBe(first);
    expect(later.c).toBe(4);
    const esModule = { __esModule: true, default: 'd', x: 1 };
    expect(__toESM(esModule, 0).default).toBe('d'); // not node mode: the module's own default
    expect(__toESM(esModule, 1).default).toBe(esModule);
    expect(__toESM(undefined, 1)).toEqual(__toESMFresh(undefined, 1));
  });

  it('the bundle\'s string-width, which makes its emoji pattern when first used, counts as the package does', () => {
    const bundled = (createRequire(import.meta.url)(join(ROOT, 'dist', 'bundle', 'quick', 'lib', 'string-width.cjs')) as { default: typeof stringWidth }).default;
    const texts = ['a', '日本', '😀', '👍🏽', '👨‍👩‍👧', '❤️', '1️⃣', '🇫🇷', 'e\u0301', '\u1100\u1161', '✔ ok', '\u001b[31m👩‍🚀\u001b[39m', '#\u20e3', '☺', '☺️'];
    for (const t of texts) expect(bundled(t), JSON.stringify(t)).toBe(stringWidth(t));
    expect(readFileSync(join(ROOT, 'dist', 'bundle', 'quick', 'lib', 'string-width.cjs'), 'utf8')).toContain('madeRgiEmojiRegex');
  });
});
