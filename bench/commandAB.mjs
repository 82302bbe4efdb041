// Alternated A/B of whole commands: N rounds, each running every command once in turn (its output
// to /dev/null), so that a machine whose speed drifts from minute to minute drifts for all alike.
// Prints each command's median and mean wall time (ms) and, for every command after the first, the
// median of its per-round difference with the first (usually `node -e 0`).
//   N=40 node bench/commandAB.mjs '["node -e 0", "node A/bin/runbook status ha -i inv.yaml", "node B/bin/runbook status ha -i inv.yaml"]'
import { spawnSync } from 'node:child_process';

const N = Number(process.env.N ?? 30);
const commands = JSON.parse(process.argv[2]);
const times = commands.map(() => []);
for (let i = 0; i < N; i++) {
  for (const [j, command] of commands.entries()) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('sh', ['-c', `${command} >/dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
    times[j].push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) {
      process.stderr.write(`${command}: exit ${r.status}\n${r.stderr}`);
      process.exit(1);
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
for (const [j, command] of commands.entries()) {
  const diff = j ? `; paired difference with the first: median ${median(times[j].map((t, i) => t - times[0][i])).toFixed(1)}` : '';
  console.log(`${command}: median ${median(times[j]).toFixed(1)}, mean ${mean(times[j]).toFixed(1)}${diff}`);
}
