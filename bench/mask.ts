// Secret masking throughput: createByteMasker over random bytes in 64 KiB chunks (the shape of step
// output), with 7 secrets (each also masked in its base64, hex and URL-encoded forms). Every run is
// printed. Run: npm run build && npx tsc -p tsconfig.bench.json && node dist-bench/bench/mask.js
// Env: MASK_MIB (default 20), MASK_REPEAT (default 3).
import { randomBytes } from 'node:crypto';
import { createByteMasker } from '../src/engine/secrets.js';

const MIB = Number(process.env.MASK_MIB ?? 20);
const REPEAT = Number(process.env.MASK_REPEAT ?? 3);
const SECRETS = ['fm@Mark:Q7x2v9/zz', 'tok@Name:8JkLp3/yy', 'cli@Var:Zr5Wn1/xx', 'file@Var:T4hYb6/ww', 'env@Var:M3cXq8/vv', 'cap@Ture:P9dGs2/uu', 'S3cr3tValue'];
const data = randomBytes(MIB * 1024 * 1024);
for (let run = 1; run <= REPEAT; run++) {
  const m = createByteMasker(SECRETS);
  const t0 = process.hrtime.bigint();
  let out = 0;
  for (let i = 0; i < data.length; i += 65536) out += m.push(data.subarray(i, i + 65536)).length;
  out += m.end().length;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`run ${run}: ${MIB} MiB in ${ms.toFixed(0)} ms (${(MIB / (ms / 1000)).toFixed(1)} MiB/s), ${out} bytes out for ${data.length} in`);
}
