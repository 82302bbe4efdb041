// Fair reads (issue 14 defect 9): all connections together deliver a bounded helping per turn of the
// event loop, so 30 hosts streaming cannot hold the loop (and the player's keys) for more than that;
// every byte still arrives, in order. Real loopback TCP connections.
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fairReads, holdReads, readsHeld, TURN_BYTES } from '../../src/engine/transport/fairReads.js';

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
  it('delivers every byte of 8 connections streaming 4 MB each, in order', async () => {
    const payload = randomBytes(4 * 1024 * 1024);
    const port = await streamingServer(payload);
    const { data } = await readAll(port, 8);
    for (const d of data) expect(sha(d)).toBe(sha(payload));
  });

  it('never lets one turn of the event loop hand over much more than the turn budget, however many connections stream', async () => {
    const payload = randomBytes(2 * 1024 * 1024);
    const port = await streamingServer(payload);
    const { perTurn } = await readAll(port, 30);
    // The read that crossed the budget may come on top: one socket read (64 KB) and what the socket
    // had buffered below its high-water mark.
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(TURN_BYTES + 2 * 64 * 1024);
    expect(perTurn.reduce((a, b) => a + b, 0)).toBe(30 * payload.length);
  });

  it('reads the connections in turn: one that streams cannot keep the others waiting', async () => {
    const payload = randomBytes(2 * 1024 * 1024);
    const port = await streamingServer(payload);
    // Which connections delivered in each turn of the event loop.
    let turnOf = 0;
    let ticking = true;
    const tick = (): void => { turnOf++; if (ticking) setImmediate(tick); };
    setImmediate(tick);
    const turns: number[][] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => new Promise<void>((resolve, reject) => {
      turns[i] = [];
      const sock = net.connect(port, '127.0.0.1');
      sock.on('data', () => { if (turns[i].at(-1) !== turnOf) turns[i].push(turnOf); });
      sock.once('connect', () => fairReads(sock));
      sock.on('error', reject);
      sock.on('close', () => resolve());
    })));
    ticking = false;
    // All 8 stream at once: each one's deliveries are spread over the whole transfer, none is read
    // to its end while another has not started.
    const firsts = turns.map((t) => t[0]);
    const lasts = turns.map((t) => t.at(-1)!);
    expect(Math.max(...firsts)).toBeLessThan(Math.min(...lasts));
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
