// V8 code caches of the quick bundles (dist/bundle/quick/<command>.cjs, read by bin/quick.mjs):
// run by scripts/bundle.mjs after the bundles are written. Each bundle is compiled from source and
// run, in a process of its own, on a copy of the HA build (runbooks/k8s-ha with its example
// inventory: parsed, then read from the parse cache), its output thrown away; then V8's cache of
// everything compiled so far, the functions compiled on first call included, is written beside it
// with a stamp: the sha256 of the compiled text and of the cache, and the version of Node that made it.
//   node scripts/codecache.mjs           (every quick bundle)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadQuick, sourceHash } from '../bin/quick.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quickDir = join(root, 'dist', 'bundle', 'quick');

if (process.argv[2] === '--child') {
  const command = process.argv[3];
  const dir = mkdtempSync(join(tmpdir(), 'runbook-codecache-'));
  try {
    cpSync(join(root, 'runbooks', 'k8s-ha'), join(dir, 'k8s-ha'), { recursive: true });
    mkdirSync(join(dir, '.runbook'), { mode: 0o700 });
    const inv = join(dir, 'k8s-ha', 'inventory.example.yaml');
    const quick = loadQuick(command, { useCache: false });
    const write = [process.stdout.write, process.stderr.write];
    process.stdout.write = process.stderr.write = () => true;
    const codes = [];
    try {
      for (const extra of [[], [], ['--json']]) codes.push(await quick.exports.main([command, join(dir, 'k8s-ha'), '-i', inv, ...extra]));
    } finally {
      [process.stdout.write, process.stderr.write] = write;
    }
    if (codes.some((c) => c !== 0)) throw new Error(`${command} of the HA build exited ${codes.join(', ')} while making its code cache`);
    const data = quick.script.createCachedData();
    writeFileSync(`${quick.file}.cache`, data);
    writeFileSync(`${quick.file}.cache.json`, `${JSON.stringify({ node: process.version, arch: process.arch, source: sourceHash(quick.code), cache: sourceHash(data) })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  for (const name of readdirSync(quickDir).filter((f) => f.endsWith('.cjs'))) {
    const command = name.slice(0, -'.cjs'.length);
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', command], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) {
      // Not a failed build: the command works without it, compiled from source.
      process.stderr.write(`build: warning: the code cache of ${name} could not be made (exit ${r.status}); runbook ${command} works without it, only slower to start\n`);
    }
  }
}
