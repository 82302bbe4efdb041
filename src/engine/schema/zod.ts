// The one place the engine takes zod from: `zod/mini`, the tree-shakable build of the same library
// (the classic `z.string().optional()` chain API pulls in all of zod; loading it took ~150 ms of CPU
// on every command, `runbook status` included). zod/mini loads no messages by itself: the English
// ones are configured here, so issues read as they did with classic zod.
// Import it as `import * as z from '../schema/zod.js'` and use `z.name`: the bundle (scripts/bundle.mjs)
// then keeps only the functions used.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
