import { describe, it, expect, afterAll } from 'vitest';
import { createLocalTransport } from '../../src/engine/transport/local.js';
import { BadInputError } from '../../src/engine/errors.js';
import { LOCAL_HOST, TERM_IGNORING_TREE, collector, pidsIn, processGone, waitUntil } from './support.js';

describe('local transport', () => {
  const local = createLocalTransport({ killGraceMs: 500 });
  afterAll(() => local.close());

  it('runs a script with bash and resolves with exit code 0', async () => {
    const out = collector();
    const r = await local.exec(LOCAL_HOST, 'echo "hello $((6 * 7))"', { onData: out.onData });
    expect(r).toMatchObject({ exitCode: 0, signal: null, aborted: false });
    expect(out.text('stdout')).toBe('hello 42\n');
  });

  it('resolves (does not reject) with the exit code of a failing script', async () => {
    const r = await local.exec(LOCAL_HOST, 'echo before\nexit 7\necho after');
    expect(r.exitCode).toBe(7);
    expect(r.aborted).toBe(false);
  });

  it('separates stdout and stderr and delivers chunks in the order they were written', async () => {
    const out = collector();
    await local.exec(LOCAL_HOST, 'for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.05; done', { onData: out.onData });
    expect(out.text('stdout')).toBe('out1\nout2\nout3\n');
    expect(out.text('stderr')).toBe('err1\nerr2\nerr3\n');
    const order = out.chunks.map((c) => c.text.trim()).join(' ');
    expect(order).toBe('out1 err1 out2 err2 out3 err3');
  });

  it('streams output while the script is still running', async () => {
    const out = collector();
    const running = local.exec(LOCAL_HOST, 'echo first; sleep 0.3; echo second', { onData: out.onData });
    await out.waitForText('first');
    expect(out.text()).not.toContain('second');
    await running;
    expect(out.text()).toContain('second');
  });

  it('keeps heredocs and quoting intact, and commands reading stdin get EOF instead of the script', async () => {
    const out = collector();
    const script = [
      'cat <<EOF',
      "it's \"quoted\" $((1+1))",
      'EOF',
      'cat', // must not swallow the lines below
      'read -r line || echo "stdin is empty"',
      "echo 'last line ran'",
    ].join('\n');
    const r = await local.exec(LOCAL_HOST, script, { onData: out.onData });
    expect(r.exitCode).toBe(0);
    expect(out.text('stdout')).toBe(`it's "quoted" 2\nstdin is empty\nlast line ran\n`);
  });

  it('exports opts.env to the script', async () => {
    const out = collector();
    await local.exec(LOCAL_HOST, 'echo "$GREETING"', { env: { GREETING: "it's $HOME" }, onData: out.onData });
    expect(out.text()).toBe("it's $HOME\n");
  });

  it('rejects an invalid environment variable name with BadInputError', async () => {
    await expect(local.exec(LOCAL_HOST, 'true', { env: { 'BAD-NAME': 'x' } })).rejects.toBeInstanceOf(BadInputError);
  });

  it('reports a signal that killed the script', async () => {
    const r = await local.exec(LOCAL_HOST, 'kill -KILL $$');
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGKILL');
  });

  it('abort kills a TERM-ignoring process tree (TERM, then KILL after the grace period)', async () => {
    const out = collector();
    const ac = new AbortController();
    const running = local.exec(LOCAL_HOST, TERM_IGNORING_TREE, { signal: ac.signal, onData: out.onData });
    await out.waitForText('ready');
    await waitUntil(() => pidsIn(out.text()).length === 4, 5000, 'all four pids');
    const pids = pidsIn(out.text());
    const t0 = Date.now();
    ac.abort();
    const r = await running;
    expect(r.aborted).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(Date.now() - t0).toBeLessThan(5000);
    await waitUntil(() => pids.every(processGone), 5000, 'every process of the tree to be gone');
  });

  it('an exec whose signal is already aborted does not run the script', async () => {
    const ac = new AbortController();
    ac.abort();
    const out = collector();
    const r = await local.exec(LOCAL_HOST, 'echo should-not-run', { signal: ac.signal, onData: out.onData });
    expect(r.aborted).toBe(true);
    expect(out.text()).toBe('');
  });
});
