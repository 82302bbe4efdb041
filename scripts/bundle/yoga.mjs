// What `yoga-layout` (Ink's layout engine) is in the player's CommonJS bundle (scripts/bundle.mjs,
// dist/bundle/quick/play.cjs). The package's entry starts its WebAssembly with a top-level await,
// which a CommonJS bundle cannot hold; this module starts the same emscripten module and exports
// the same Yoga, synchronously, when first required: through emscripten's `instantiateWasm` hook,
// with the WebAssembly module bin/quick.cjs compiled off the main thread while the bundle was
// compiled from its code cache (`__runbookStart.yoga`), or, without one, compiled here from the
// bytes the build wrote beside the bundle (quick/lib/yoga.wasm). The build takes the base64 copy of
// those bytes out of the emscripten file (nothing reads it once instantiateWasm is given).
import loadYoga from '../../node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js';
import wrapAssembly from '../../node_modules/yoga-layout/dist/src/wrapAssembly.js';

export * from '../../node_modules/yoga-layout/dist/src/generated/YGEnums.js';

/* global __runbookStart: the launcher's hand-over (bin/quick.cjs), a parameter of the bundle's wrapper. */
function compiledModule() {
  const handed = typeof __runbookStart === 'object' && __runbookStart ? __runbookStart.yoga : undefined;
  if (handed instanceof WebAssembly.Module) return handed;
  const { readFileSync } = require('node:fs');
  const { join } = require('node:path');
  return new WebAssembly.Module(readFileSync(join(__dirname, 'lib', 'yoga.wasm')));
}

function startYoga() {
  const wasm = compiledModule();
  const lib = {
    instantiateWasm(imports, receiveInstance) {
      const instance = new WebAssembly.Instance(wasm, imports);
      receiveInstance(instance);
      return instance.exports;
    },
  };
  // The factory returns a promise settled once the runtime runs; with the instance given at once,
  // it has run before the factory returns (lib.calledRun), and `lib` is the module.
  loadYoga(lib).catch(() => undefined);
  if (!lib.calledRun) throw new Error('bug: yoga-layout did not start synchronously from its WebAssembly module (scripts/bundle/yoga.mjs)');
  return wrapAssembly(lib);
}

export default startYoga();
