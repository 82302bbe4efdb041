// Fair reads: a bounded helping of bytes from each connection per turn of the event loop.
//
// libuv reads a ready socket until it is empty (up to 32 reads of 64 KB each) before it looks at the
// next one, and ssh2 decrypts and parses every byte read at once. With 30 hosts streaming, one turn
// of the event loop decrypted megabytes from every connection (most of a second of CPU on a shared
// 2-core machine) before the terminal's next key was even read: the player answered keys after
// 0.5-2 s (issue 14 defect 9). A connection that has delivered its share in this turn is paused and
// resumed in the check phase right after, so one turn handles about TURN_BYTES in all; SSH flow
// control holds the rest on the host (nothing is dropped: the stream is read in smaller helpings).
//
// The same pause serves whoever cannot keep up: while a hold is taken (a step log whose writes wait
// for a slow disk), connections stay paused after their current helping instead of the log writing
// synchronously on the event loop; they resume when the last hold is released.

import type { Duplex } from 'node:stream';

/** Bytes all connections together may deliver per turn of the event loop (about 15 ms of ssh2's CPU). */
export const TURN_BYTES = 1024 * 1024;
/** The least a connection may deliver per turn, however many there are: two SSH packets. */
export const MIN_SHARE_BYTES = 64 * 1024;

let open = 0;
/** Holds taken (holdReads) and not released yet. */
let holds = 0;
/** Resumes of connections paused while a hold was taken. */
const parked = new Set<() => void>();

/**
 * Stop every fair-read connection after its current helping until the returned function is called
 * (idempotent). Nothing is lost: data waits on the hosts under SSH flow control.
 */
export function holdReads(): () => void {
  holds++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds--;
    if (holds > 0) return;
    const all = [...parked];
    parked.clear();
    for (const resume of all) resume();
  };
}

/** Whether connections are held (for tests and the benchmark). */
export function readsHeld(): boolean {
  return holds > 0;
}

/** What one connection may deliver per turn while `open` connections share the turn. */
export function shareOf(connections: number): number {
  return Math.max(MIN_SHARE_BYTES, Math.floor(TURN_BYTES / Math.max(1, connections)));
}

/**
 * Limit `stream` (already flowing: its consumer reads it through 'data') to its share of a turn of
 * the event loop. Attach it only once the consumer's own 'data' listener is in place, or data would
 * flow before anyone reads it. Returns a function that removes the limit (also done on 'close').
 */
export function fairReads(stream: Duplex): () => void {
  let read = 0;
  let paused = false;
  let attached = true;
  open++;
  const wake = (): void => {
    paused = false;
    if (!stream.destroyed) stream.resume();
  };
  const resume = (): void => {
    read = 0;
    if (!paused) return;
    if (holds > 0 && attached) parked.add(wake);
    else wake();
  };
  const onData = (chunk: Buffer | string): void => {
    read += chunk.length;
    if (read === chunk.length) setImmediate(resume); // the first chunk of this turn: a new share after the I/O phase
    if (!paused && (holds > 0 || read >= shareOf(open))) {
      paused = true;
      stream.pause();
    }
  };
  const detach = (): void => {
    if (!attached) return;
    attached = false;
    open--;
    stream.off('data', onData);
    stream.off('close', detach);
    parked.delete(wake);
    resume();
  };
  stream.on('data', onData);
  stream.once('close', detach);
  return detach;
}
