// The quick commands' start (bin/runbook): `runbook status` and `runbook plan` run from a CommonJS
// bundle of their own (dist/bundle/quick/<command>.cjs, scripts/bundle.mjs) compiled with the V8
// code cache made for it at build time (scripts/codecache.mjs), instead of the ES module bundle,
// which Node 20 compiles again at every start. The cache is used only when it was made from these
// very bytes (sha256) by this version of Node and is itself intact (sha256); V8 itself refuses one made by another build or with
// other V8 flags. Without a quick bundle, or with a cache it cannot use, the command runs the same,
// only compiled from source: the cache can only cost or save time.
//
// Node's modules are taken with process.getBuiltinModule (Node 20.16+), not imported: an ES module
// import of one builds its facade, reading every export, and node:crypto's and node:fs's getters
// then load WebCrypto and the stream modules (~10 ms of every start here).
const builtin = process.getBuiltinModule ?? (await import('node:module')).createRequire(import.meta.url);
const { createHash } = builtin('node:crypto');
const { readFileSync } = builtin('node:fs');
const { createRequire } = builtin('node:module');
const { dirname, join } = builtin('node:path');
const { fileURLToPath } = builtin('node:url');
const vm = builtin('node:vm');

const QUICK_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bundle', 'quick');

/** The code cache of a quick bundle is made from, and checked against, this exact text. */
const wrap = (src) => `(function (exports, require, module, __filename, __dirname) {${src}\n})`;
export const sourceHash = (text) => createHash('sha256').update(text).digest('hex');

/**
 * Compile and run the quick bundle of `command`; its exports and the compiled script (undefined
 * when the command has no quick bundle). `useCache: false` compiles from source (how the cache is made).
 */
export function loadQuick(command, { useCache = true } = {}) {
  const file = join(QUICK_DIR, `${command}.cjs`);
  let src;
  try {
    src = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const code = wrap(src);
  let cachedData;
  if (useCache) {
    try {
      const stamp = JSON.parse(readFileSync(`${file}.cache.json`, 'utf8'));
      if (stamp.node === process.version && stamp.arch === process.arch && stamp.source === sourceHash(code)) {
        const data = readFileSync(`${file}.cache`);
        // V8 checks the cache's length and version, not its bytes: a damaged one is refused here.
        if (stamp.cache === sourceHash(data)) cachedData = data;
      }
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(code, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, QUICK_DIR);
  return { exports: module.exports, script, code, file };
}
