// ssh2 writes each SSH packet in pieces; the transport's TCP socket gathers one tick's writes into
// one writev (src/engine/transport/coalesceWrites.ts). Real loopback TCP sockets.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceWritesPerTick } from '../../src/engine/transport/coalesceWrites.js';

interface Pair {
  readonly client: net.Socket;
  /** Everything the server side has received so far. */
  received(): Buffer;
  close(): void;
}

async function pair(): Promise<Pair> {
  const chunks: Buffer[] = [];
  let serverSide: net.Socket | undefined;
  const server = net.createServer((s) => {
    serverSide = s;
    s.on('data', (d) => chunks.push(d));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => client.once('connect', resolve));
  client.setNoDelay(true);
  return {
    client,
    received: () => Buffer.concat(chunks),
    close: () => {
      client.destroy();
      serverSide?.destroy();
      server.close();
    },
  };
}

const waitFor = async (cond: () => boolean): Promise<void> => {
  const until = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setImmediate(r));
  }
};

let open: Pair | undefined;
afterEach(() => open?.close());

describe('coalesceWritesPerTick', () => {
  it('hands the pieces written in one tick to the kernel as one writev, byte-exact and in order', async () => {
    const p = (open = await pair());
    coalesceWritesPerTick(p.client);
    const calls: number[] = [];
    const sock = p.client as net.Socket & { _writev: (chunks: unknown[], cb: () => void) => void; _write: (c: unknown, e: unknown, cb: () => void) => void };
    const writev = sock._writev.bind(sock);
    const write = sock._write.bind(sock);
    sock._writev = (chunks, cb) => (calls.push(chunks.length), writev(chunks, cb));
    sock._write = (c, e, cb) => (calls.push(1), write(c, e, cb));

    p.client.write(Buffer.from('len:'));
    p.client.write(Buffer.from('body-'));
    p.client.write(Buffer.from('mac'));
    expect(p.client.writableCorked).toBe(1);
    await waitFor(() => p.received().length === 12);
    expect(p.received().toString()).toBe('len:body-mac');
    expect(calls).toEqual([3]);
    expect(p.client.writableCorked).toBe(0);
  });

  it('does not hold a write past its tick: writes of later ticks go out on their own, in order', async () => {
    const p = (open = await pair());
    coalesceWritesPerTick(p.client);
    p.client.write('one ');
    await waitFor(() => p.received().length === 4);
    p.client.write('two');
    await waitFor(() => p.received().length === 7);
    expect(p.received().toString()).toBe('one two');
  });

  it('is applied once however often it is called, and a write after destroy does not throw', async () => {
    const p = (open = await pair());
    coalesceWritesPerTick(p.client);
    coalesceWritesPerTick(p.client);
    p.client.write('x');
    expect(p.client.writableCorked).toBe(1);
    p.client.destroy();
    expect(() => p.client.write('after')).not.toThrow();
  });
});
