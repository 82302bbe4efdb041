// `node -r ./builtinsAtExit.cjs ...`: when the process exits, writes each of Node's own modules it
// loaded (process.moduleLoadList: `NativeModule NAME`), one per line, to the file named by
// RUNBOOK_TEST_BUILTINS. Unlike recordLoads.mjs it registers no loader hooks, which would load
// modules (a worker, streams) of their own.
'use strict';
const { appendFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.RUNBOOK_TEST_BUILTINS;
  if (!file) return;
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => `${m.slice('NativeModule '.length)}\n`);
  appendFileSync(file, builtins.join(''));
});
