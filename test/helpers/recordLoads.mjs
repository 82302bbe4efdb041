// `node --import ./recordLoads.mjs ...`: appends the URL of every module the process loads (ES
// module loader hooks) to the file named by RUNBOOK_TEST_LOADS. Used to check what a command loads.
import { register } from 'node:module';

register('./recordLoadsHooks.mjs', import.meta.url);
