// Fair reads: a bounded helping of bytes from all connections together per turn of the event loop.
//
// libuv reads a ready socket until it is empty (up to 32 reads of 64 KB each) before it looks at the
// next one, and ssh2 decrypts and parses every byte read at once. With 30 hosts streaming, one turn
// of the event loop decrypted megabytes from every connection (most of a second of CPU on a shared
// 2-core machine) before the terminal's next key was even read: the player answered keys after
// 0.5-2 s (issue 14 defect 9).
//
// So the connections are read, not flowed: each stays in paused mode (a 'readable' listener), the
// socket holds at most one read (its high-water mark, then libuv stops reading it) and the kernel and
// SSH flow control hold the rest on the host. Once per turn, in the check phase right after the poll
// phase that read the terminal's keys, the connections with data are read in turn (oldest first) into
// ssh2 until the turn has handed over TURN_BYTES; whoever is left goes first in the next turn. Every
// byte arrives, in order; what one turn of the loop can spend on receiving is bounded by the budget,
// not by how many hosts stream.
//
// The same pause serves whoever cannot keep up: while a hold is taken (a step log whose writes wait
// for a slow disk), no connection is read; they are read again when the last hold is released.

import type { Duplex } from 'node:stream';

/**
 * Bytes all connections together hand to ssh2 per turn of the event loop (1-3 ms of ssh2's and the
 * engine's CPU): a key waits at most for that, however many hosts stream. A turn may go past it by
 * the last read (one socket read: up to 64 KB plus the socket's high-water mark).
 */
export const TURN_BYTES = 256 * 1024;

/** Connections with data waiting, in the order they are to be read (a Set keeps insertion order). */
const ready = new Set<Duplex>();
let scheduled = false;
/** Holds taken (holdReads) and not released yet. */
let holds = 0;

function schedule(): void {
  if (scheduled || holds > 0 || ready.size === 0) return;
  scheduled = true;
  setImmediate(turn);
}

/** One turn: read the waiting connections, oldest first, until the budget is spent. */
function turn(): void {
  scheduled = false;
  let spent = 0;
  try {
    while (spent < TURN_BYTES && holds === 0) {
      const next = ready.values().next();
      if (next.done) break;
      const stream = next.value;
      ready.delete(stream);
      // read() hands everything the socket holds to its 'data' listeners (ssh2) at once, restarts
      // the socket's reading, and at the end of the stream emits 'end'.
      const chunk = stream.read() as Buffer | string | null;
      if (chunk) spent += chunk.length;
      if (stream.readableLength > 0 && !stream.destroyed) ready.add(stream);
    }
  } finally {
    schedule();
  }
}

/**
 * Stop reading every fair-read connection until the returned function is called (idempotent).
 * Nothing is lost: data waits on the hosts under SSH flow control.
 */
export function holdReads(): () => void {
  holds++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds--;
    schedule();
  };
}

/** Whether connections are held (for tests and the benchmark). */
export function readsHeld(): boolean {
  return holds > 0;
}

/**
 * Read `stream` (already flowing: its consumer reads it through 'data') in the turns above from now
 * on. Attach it only once the consumer's own 'data' listener is in place: the consumer still gets
 * every byte through 'data', in order. Returns a function that gives the stream back to flowing
 * mode (also done on 'close').
 */
export function fairReads(stream: Duplex): () => void {
  let attached = true;
  const onReadable = (): void => {
    // Already waiting keeps its place in the queue: a connection does not jump ahead by being busy.
    if (!ready.has(stream)) ready.add(stream);
    schedule();
  };
  const detach = (): void => {
    if (!attached) return;
    attached = false;
    ready.delete(stream);
    stream.off('readable', onReadable);
    stream.off('close', detach);
    // Without a 'readable' listener the stream flows again to its 'data' listeners.
    if (!stream.destroyed) stream.resume();
  };
  // A 'readable' listener takes the stream out of flowing mode: 'data' is emitted only by read().
  stream.on('readable', onReadable);
  stream.once('close', detach);
  return detach;
}
