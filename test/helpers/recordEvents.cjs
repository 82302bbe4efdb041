// `node --require ./recordEvents.cjs ...` (or in NODE_OPTIONS): appends to the file named by
// RUNBOOK_TEST_EVENTS, in the order they happen in the process, `frame` when the player's first
// frame (its status line `steps 0/N` and its key hints) has been written to stdout, and
// `connect ADDRESS:PORT` whenever a TCP connection is started. Used to check what happens before
// the first frame.
const { appendFileSync } = require('node:fs');
const net = require('node:net');

const file = process.env.RUNBOOK_TEST_EVENTS;
if (file) {
  const record = (line) => appendFileSync(file, `${line}\n`);
  const FIRST_FRAME = /steps 0\/\d+[^]*Enter\/r run/;
  let written = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => {
    if (written !== undefined) {
      written += String(chunk);
      if (FIRST_FRAME.test(written)) {
        written = undefined;
        record('frame');
      }
    }
    return write(chunk, ...rest);
  };
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    const o = typeof args[0] === 'object' && args[0] !== null ? (Array.isArray(args[0]) ? args[0][0] : args[0]) : { port: args[0], host: args[1] };
    if (o && o.port !== undefined) record(`connect ${o.host ?? 'localhost'}:${o.port}`);
    return connect.apply(this, args);
  };
}
