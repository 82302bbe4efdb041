// The quick commands' start (bin/runbook): `runbook status` and `runbook plan` run from a CommonJS
// bundle of their own (dist/bundle/quick/<command>.cjs, scripts/bundle.mjs) compiled with the V8
// code cache made for it at build time (scripts/codecache.mjs), instead of the ES module bundle,
// which Node 20 compiles again at every start. The cache is used only when it was made from these
// very bytes (sha256) by this version of Node and is itself intact (sha256); V8 itself refuses one made by another build or with
// other V8 flags. Without a quick bundle, or with a cache it cannot use, the command runs the same,
// only compiled from source: the cache can only cost or save time.
//
// CommonJS, as bin/runbook is (bin/package.json): an ES module entry makes Node start its ES module
// loader first (~12 ms of a `status` here), which the quick commands never need.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const QUICK_DIR = join(__dirname, '..', 'dist', 'bundle', 'quick');

/**
 * The code cache of a quick bundle is made from, and checked against, this exact text: the
 * bundle's bytes between these two (ASCII: scripts/bundle.mjs makes every quick bundle so).
 * `__runbookStart` is what this launcher hands the bundle (scripts/bundle/yoga.mjs takes `yoga`).
 */
const WRAP_BEFORE = '(function (exports, require, module, __filename, __dirname, __runbookStart) {';
const WRAP_AFTER = '\n})';
/** Commands whose quick bundle runs only with its code cache (else the ES module bundle does). */
const CACHE_ONLY = new Set(['play']);
/** Commands whose bundle holds Ink, and with it yoga-layout's WebAssembly (quick/lib/yoga.wasm). */
const YOGA = new Set(['play']);
const sourceHash = (...parts) => {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
};

/**
 * Compile and run the quick bundle of `command`; its exports and the compiled script (undefined
 * when the command has no quick bundle, or, for the player, no code cache it can use).
 * `useCache: false` compiles from source (how the cache is made).
 *
 * The player's yoga WebAssembly is compiled by V8 off the main thread (WebAssembly.compile) while
 * this thread reads, checks and deserializes the bundle, and handed to it compiled.
 */
async function loadQuick(command, { useCache = true } = {}) {
  const file = join(QUICK_DIR, `${command}.cjs`);
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const yoga = YOGA.has(command) ? compileYoga() : undefined;
  if (YOGA.has(command) && !yoga) return undefined; // no quick/lib/yoga.wasm: the ES module bundle
  let cachedData;
  let ascii = false;
  if (useCache) {
    try {
      const stamp = JSON.parse(readFileSync(`${file}.cache.json`, 'utf8'));
      if (stamp.node === process.version && stamp.arch === process.arch && stamp.source === sourceHash(WRAP_BEFORE, bytes, WRAP_AFTER)) {
        ascii = true; // the very bytes the build made, which are ASCII
        const data = readFileSync(`${file}.cache`);
        // V8 checks the cache's length and version, not its bytes: a damaged one is refused here.
        if (stamp.cache === sourceHash(data)) cachedData = data;
      }
    } catch {
      cachedData = undefined;
    }
  }
  if (useCache && !cachedData && CACHE_ONLY.has(command)) return undefined;
  // ASCII read as latin1 is the same text, made without a UTF-8 decoder's pass over 2 MB.
  const code = WRAP_BEFORE + bytes.toString(ascii ? 'latin1' : 'utf8') + WRAP_AFTER;
  const script = new vm.Script(code, { filename: file, cachedData });
  if (script.cachedDataRejected && CACHE_ONLY.has(command)) return undefined;
  const start = { yoga: await yoga?.catch(() => undefined) };
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, QUICK_DIR, start);
  return { exports: bundle.exports, script, code, file };
}

/** yoga-layout's WebAssembly compiled (a promise), or undefined without the file. */
function compileYoga() {
  try {
    return WebAssembly.compile(readFileSync(join(QUICK_DIR, 'lib', 'yoga.wasm')));
  } catch {
    return undefined;
  }
}

module.exports = { loadQuick, sourceHash };
