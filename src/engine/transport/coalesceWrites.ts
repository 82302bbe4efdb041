// ssh2 writes every SSH packet to its socket in several pieces (length, encrypted body, MAC: three
// write() calls for chacha20-poly1305), and with TCP_NODELAY on (sshConnect.ts) each piece left as a
// TCP segment of its own: three send syscalls, three segments for sshd to wake up for and read, per
// packet. Corking the socket until the end of the current tick hands everything written in that tick
// to the kernel as one writev: one syscall and, for a step's small packets, one segment. Nothing
// waits longer than the synchronous code that wrote it.
import type { Socket } from 'node:net';

/** Make `sock` gather the writes of one tick into one writev. Idempotent. */
export function coalesceWritesPerTick(sock: Socket): void {
  const marked = sock as Socket & { __rbCoalesced?: true };
  if (marked.__rbCoalesced) return;
  marked.__rbCoalesced = true;
  const write = sock.write;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    sock.uncork();
  };
  sock.write = function (this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!corked && !sock.destroyed) {
      corked = true;
      sock.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
}
