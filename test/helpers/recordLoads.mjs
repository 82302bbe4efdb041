// `node --import ./recordLoads.mjs ...`: appends the URL of every module the process loads (ES
// module loader hooks, and vm.Script's file name) to the file named by RUNBOOK_TEST_LOADS, and when the process exits, each of
// Node's own modules it loaded (however: import, require or lazily, as `fetch` loads undici) as
// `builtin:NAME` (process.moduleLoadList), and `segmenter:` for every Intl.Segmenter made (making the
// first starts ICU's break iterators). Used to check what a command loads.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

register('./recordLoadsHooks.mjs', import.meta.url);

// Scripts compiled by vm.Script with a file name (bin/quick.cjs runs a command's CommonJS bundle
// so) are recorded as file: URLs too; loader hooks do not see them.
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    if (process.env.RUNBOOK_TEST_LOADS && options?.filename) appendFileSync(process.env.RUNBOOK_TEST_LOADS, `${pathToFileURL(options.filename).href}\n`);
  }
};

// Every Intl.Segmenter the process makes, with where it was made.
const Segmenter = Intl.Segmenter;
Intl.Segmenter = class extends Segmenter {
  constructor(...args) {
    super(...args);
    if (process.env.RUNBOOK_TEST_LOADS) appendFileSync(process.env.RUNBOOK_TEST_LOADS, `segmenter:${(new Error().stack ?? '').split('\n')[2]?.trim()}\n`);
  }
};

process.on('exit', () => {
  const file = process.env.RUNBOOK_TEST_LOADS;
  if (!file) return;
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => `builtin:${m.slice('NativeModule '.length)}\n`);
  appendFileSync(file, builtins.join(''));
});
