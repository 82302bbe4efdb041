// Fair reads (issue 14 defect 9): a connection delivers a bounded helping per turn of the event loop,
// so 30 hosts streaming cannot hold the loop (and the player's keys) for a second; every byte still
// arrives, in order. Real loopback TCP connections.
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fairReads, holdReads, MIN_SHARE_BYTES, readsHeld, shareOf, TURN_BYTES } from '../../src/engine/transport/fairReads.js';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

/** A loopback server that writes `payload` to each connection as fast as it can, then closes it. */
async function streamingServer(payload: Buffer): Promise<number> {
  const srv = net.createServer((c) => c.end(payload));
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

/** Read `n` connections at once, each through fairReads; the bytes each delivered in each turn. */
async function readAll(port: number, n: number): Promise<{ data: Buffer[]; perTurn: number[] }> {
  const perTurn: number[] = [];
  let turn = 0;
  let ticking = true;
  const tick = (): void => {
    if (turn) perTurn.push(turn);
    turn = 0;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const data = await Promise.all(Array.from({ length: n }, () => new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.connect(port, '127.0.0.1');
    sock.on('data', (b: Buffer) => { chunks.push(b); turn += b.length; });
    sock.once('connect', () => fairReads(sock));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks)));
  })));
  ticking = false;
  return { data, perTurn };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('fairReads', () => {
  it('gives each of many connections a share of one turn, and at least two SSH packets', () => {
    expect(shareOf(1)).toBe(TURN_BYTES);
    expect(shareOf(4)).toBe(TURN_BYTES / 4);
    expect(shareOf(30)).toBe(MIN_SHARE_BYTES);
  });

  it('delivers every byte of 8 connections streaming 4 MB each, in order', async () => {
    const payload = randomBytes(4 * 1024 * 1024);
    const port = await streamingServer(payload);
    const { data } = await readAll(port, 8);
    for (const d of data) expect(sha(d)).toBe(sha(payload));
  });

  it('never lets one turn of the event loop read much more than the turn budget from 8 streaming connections', async () => {
    const payload = randomBytes(4 * 1024 * 1024);
    const port = await streamingServer(payload);
    const { perTurn } = await readAll(port, 8);
    // Each connection stops at its share; the read that crossed it, and what the paused socket had
    // buffered before it stopped reading (its 16-64 KB high-water mark), may come on top.
    const bound = 8 * (shareOf(8) + 2 * 64 * 1024);
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(bound);
    expect(perTurn.reduce((a, b) => a + b, 0)).toBe(8 * payload.length);
  });

  it('stops every connection while a hold is taken (a log waiting for the disk), and delivers the rest once released', async () => {
    const payload = randomBytes(4 * 1024 * 1024);
    const port = await streamingServer(payload);
    const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
    let received = 0;
    let release: (() => void) | undefined;
    const socks = Array.from({ length: 4 }, () => {
      const sock = net.connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      sock.on('data', (b: Buffer) => {
        chunks.push(b);
        received += b.length;
        release ??= holdReads(); // held from the first byte on
      });
      sock.once('connect', () => fairReads(sock));
      return new Promise<Buffer>((resolve) => sock.on('close', () => resolve(Buffer.concat(chunks))));
    });
    while (!release) await turn();
    expect(readsHeld()).toBe(true);
    // The helping already read when the hold came, then nothing for many turns of the event loop.
    for (let i = 0; i < 5; i++) await turn();
    const atHold = received;
    for (let i = 0; i < 200; i++) await turn();
    expect(received).toBe(atHold);
    expect(received).toBeLessThan(4 * payload.length);
    release();
    expect(readsHeld()).toBe(false);
    for (const d of await Promise.all(socks)) expect(sha(d)).toBe(sha(payload));
  });
});
