// The quick commands' start (bin/runbook): `runbook status` and `runbook plan` run from a CommonJS
// bundle of their own (dist/bundle/quick/<command>.cjs, scripts/bundle.mjs) compiled with the V8
// code cache made for it at build time (scripts/codecache.mjs), instead of the ES module bundle,
// which Node 20 compiles again at every start. The cache is used only when it was made from these
// very bytes (sha256) by this version of Node and is itself intact (sha256); V8 itself refuses one made by another build or with
// other V8 flags, but it checks no more of the bundle than its length, nor the cache's bytes (a
// damaged cache stops the process inside V8). Without a quick bundle, or with a cache it cannot use,
// the command runs the same, only compiled from source: the cache can only cost or save time.
//
// The two sha256 are taken only for files the build did not leave as they are. The stamp also holds
// the identity the bundle and the cache had when the build hashed them (device, inode, size, mtime
// and ctime to the nanosecond): a bundle and a cache read through descriptors whose fstat still
// gives those are those bytes, and are taken without hashing them again. node:crypto alone costs
// ~8 ms of a start (it loads Node's streams), and `status` of a runbook never played needs no other
// hash (issue 11). Any write to either file (a rebuild, an edit, a torn or damaged write) changes
// its times; a copy, a move to another disk or an npm pack is another inode, and is hashed. Left
// unseen, as by make or Python's .pyc: bytes changed on the disk under unchanged times (damage
// below the file system, or an edit keeping the size within one tick of a file system that keeps
// coarse times).
//
// CommonJS, as bin/runbook is (bin/package.json): an ES module entry makes Node start its ES module
// loader first (~12 ms of a `status` here), which the quick commands never need.
'use strict';
const { closeSync, fstatSync, openSync, readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const QUICK_DIR = join(__dirname, '..', 'dist', 'bundle', 'quick');

/**
 * A quick bundle is one function expression, written so by scripts/bundle.mjs: its text begins
 * with WRAP_BEFORE and ends with WRAP_AFTER, and is compiled as it is read (ASCII: the build makes
 * every quick bundle so). Wrapping it here instead made V8 copy the 0.4-2.6 MB text once more
 * into one string before compiling it (~100-600 fresh pages of memory, ~3 ms of a `status`).
 * `__runbookStart` is what this launcher hands the bundle (scripts/bundle/yoga.mjs takes `yoga`).
 */
const WRAP_BEFORE = '(function (exports, require, module, __filename, __dirname, __runbookStart) {';
const WRAP_AFTER = '\n})';
/** Commands whose quick bundle runs only with its code cache (else the ES module bundle does). */
const CACHE_ONLY = new Set(['play']);
/** Commands whose bundle holds Ink, and with it yoga-layout's WebAssembly (quick/lib/yoga.wasm). */
const YOGA = new Set(['play']);
const sourceHash = (...parts) => {
  const hash = require('node:crypto').createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
};
/** Whether `bytes` are a quick bundle as scripts/bundle.mjs writes them (see WRAP_BEFORE). */
const wrapped = (bytes) => bytes.subarray(0, WRAP_BEFORE.length).equals(Buffer.from(WRAP_BEFORE)) && bytes.subarray(bytes.length - WRAP_AFTER.length).equals(Buffer.from(WRAP_AFTER));

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
  let source;
  try {
    source = readAsIs(file);
  } catch {
    return undefined;
  }
  const bytes = source.bytes;
  if (!wrapped(bytes)) return undefined; // not written by this build: the ES module bundle
  const yoga = YOGA.has(command) ? compileYoga() : undefined;
  if (YOGA.has(command) && !yoga) return undefined; // no quick/lib/yoga.wasm: the ES module bundle
  let cachedData;
  let ascii = false;
  if (useCache) {
    try {
      const stamp = JSON.parse(readFileSync(`${file}.cache.json`, 'utf8'));
      if (stamp.node === process.version && stamp.arch === process.arch) {
        const cache = readAsIs(`${file}.cache`);
        const asBuilt = sameFile(source, stamp.built?.bundle) && sameFile(cache, stamp.built?.cache);
        // V8 checks the cache's length and version, not its bytes: a damaged one is refused here.
        if (asBuilt || (stamp.source === sourceHash(bytes) && stamp.cache === sourceHash(cache.bytes))) {
          ascii = true; // the very bytes the build made, which are ASCII
          cachedData = cache.bytes;
        }
      }
    } catch {
      cachedData = undefined;
    }
  }
  if (useCache && !cachedData && CACHE_ONLY.has(command)) return undefined;
  // ASCII read as latin1 is the same text, made without a UTF-8 decoder's pass over 2 MB.
  const code = bytes.toString(ascii ? 'latin1' : 'utf8');
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

/** A file's bytes and what fstat said of them, through one descriptor (a file replaced meanwhile is one or the other, whole). */
function readAsIs(path) {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd, { bigint: true });
    return { bytes: readFileSync(fd), identity: [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':') };
  } finally {
    closeSync(fd);
  }
}

/** Whether `read` is the file the stamp's identity (device, inode, size, mtime and ctime, ns) names. */
const sameFile = (read, built) => typeof built === 'string' && read.identity === built;

module.exports = { loadQuick, sourceHash, readAsIs, WRAP_BEFORE, WRAP_AFTER };
