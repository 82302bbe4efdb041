// `node --require bench/firstFrameProbe.cjs bin/runbook play ...` (bench/firstFrameAB.sh): when the
// player's first frame (its status line `steps 0/N` and its key hints) has been written, append one
// line to $FIRST_FRAME_OUT and exit at once: milliseconds since the process started of
//   wall time, process CPU (every thread), the main thread's CPU, and the main thread's wait for a CPU
// (the last two from /proc/thread-self/schedstat). Wall time minus that wait is what a loaded
// machine adds the least to. With `node -e 0` (no frame) the line is written at exit instead.
const fs = require('node:fs');
const FRAME = /steps 0\/\d+[^]*Enter\/r run/;
const record = () => {
  const u = process.cpuUsage();
  const [run, wait] = fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
  fs.appendFileSync(process.env.FIRST_FRAME_OUT, `${performance.now().toFixed(1)} ${((u.user + u.system) / 1000).toFixed(1)} ${(run / 1e6).toFixed(1)} ${(wait / 1e6).toFixed(1)}\n`);
};
if (process.argv.length <= 1 || process.execArgv.includes('-e')) process.on('exit', record);
else {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = (chunk, ...rest) => {
    out += String(chunk);
    if (FRAME.test(out)) {
      record();
      process.reallyExit(0);
    }
    return write(chunk, ...rest);
  };
}
