// `node --import ./recordLoads.mjs ...`: appends the URL of every module the process loads (ES
// module loader hooks) to the file named by RUNBOOK_TEST_LOADS, and when the process exits, each of
// Node's own modules it loaded (however: import, require or lazily, as `fetch` loads undici) as
// `builtin:NAME` (process.moduleLoadList). Used to check what a command loads.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

register('./recordLoadsHooks.mjs', import.meta.url);

process.on('exit', () => {
  const file = process.env.RUNBOOK_TEST_LOADS;
  if (!file) return;
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => `builtin:${m.slice('NativeModule '.length)}\n`);
  appendFileSync(file, builtins.join(''));
});
