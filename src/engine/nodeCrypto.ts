// node:crypto, loaded when first used. Loading it costs ~8 ms of a command's start on this kind of
// machine (it loads Node's streams with it), and `runbook status` or `plan` of a runbook never
// played hashes nothing (issue 11: within 100 ms of `node -e 0`). The modules on that path take it
// from here instead of importing it; the others import it as usual.
import { createRequire } from 'node:module';

let loaded: typeof import('node:crypto') | undefined;

export function nodeCrypto(): typeof import('node:crypto') {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto'));
}
