// Running step scripts over SSH, one exec channel per step (`bash -s` fed the wrapped script), on the
// shared connections of sshConnect.ts; abort kills the step's remote process tree.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { ConnectionError, ConnectionLostError } from '../errors.js';
import type { Host } from '../types.js';
import { remoteKillScript } from './remoteKill.js';
import { wrapScript } from './script.js';
import type { Conn, SshConnector } from './sshConnect.js';
import { needsSudoDecision, sudoPrefix } from './become.js';
import type { ExecOptions, ExecResult } from './types.js';
import { untilAbort as untilAbortOf } from './untilAbort.js';

export interface SshExecOptions {
  /** After abort: SIGTERM the remote tree, SIGKILL what is left after this many ms (default 3000). */
  readonly killGraceMs?: number;
}

/** Open an exec channel running `command` on conn. */
export function openExec(conn: Conn, command: string, hostName: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const lost = (msg: string): ConnectionError =>
      new ConnectionError(hostName, `cannot start a session on ${conn.label}: ${msg}`);
    try {
      conn.client.exec(command, (err, ch) => (err ? reject(lost(err.message)) : resolve(ch)));
    } catch (e) {
      reject(lost((e as Error).message));
    }
  });
}

/** Run a short command and collect its stdout. */
export async function capture(conn: Conn, command: string, hostName: string): Promise<{ code: number | null; out: string }> {
  const ch = await openExec(conn, command, hostName);
  return new Promise((resolve, reject) => {
    let out = '';
    let code: number | null = null;
    ch.on('data', (d: Buffer) => (out += d.toString()));
    ch.stderr.resume();
    ch.on('exit', (c: number | null) => (code = c));
    ch.on('close', () => {
      if (code === null && conn.dead) reject(new ConnectionError(hostName, `connection to ${conn.label} lost`));
      else resolve({ code, out });
    });
    ch.end();
  });
}

const uids = new WeakMap<Conn, Promise<number>>();

/** The login user's uid on conn's host (asked once per connection). */
export function loginUid(conn: Conn, hostName: string): Promise<number> {
  let uid = uids.get(conn);
  if (!uid) {
    uid = capture(conn, 'id -u', hostName).then(({ out }) => Number.parseInt(out.trim(), 10));
    uids.set(conn, uid);
    uid.catch(() => uids.delete(conn));
  }
  return uid;
}

/** Kill the remote process tree rooted at pid; resolves when the kill script is done. */
export async function killRemote(conn: Conn, pid: number, sudo: boolean, hostName: string, killGraceMs: number): Promise<void> {
  // A tree started through sudo (as root or as a become user) is killed as root: sudo itself is root's.
  const ch = await openExec(conn, sudo ? 'sudo -n bash -s' : 'bash -s', hostName);
  await new Promise<void>((resolve) => {
    ch.resume();
    ch.stderr.resume();
    ch.on('close', () => resolve());
    ch.end(remoteKillScript(pid, killGraceMs));
  });
}

/** exec() of the ssh transport: one exec channel per step on the connector's connections. */
export function createSshExec(connector: SshConnector, opts: SshExecOptions = {}): (host: Host, script: string, eo?: ExecOptions) => Promise<ExecResult> {
  const killGraceMs = opts.killGraceMs ?? 3000;
  async function exec(host: Host, script: string, eo: ExecOptions = {}): Promise<ExecResult> {
    const input = wrapScript(script, eo.env, eo.attemptMarker);
    const abortedResult = (t0: number): ExecResult => ({ exitCode: null, signal: null, durationMs: Date.now() - t0, aborted: true });
    const t0 = Date.now();
    if (eo.signal?.aborted) return abortedResult(t0);

    // Connecting can be abandoned by an abort (the connection stays cached for later use).
    const untilAbort = <T>(p: Promise<T>): Promise<T | 'aborted'> => untilAbortOf(p, eo.signal);

    let ch: ClientChannel | undefined;
    let conn: Conn | undefined;
    let useSudo = false;
    const marker = `__RUNBOOK_PID_${randomBytes(6).toString('hex')}__`;
    for (let attempt = 0; !ch; attempt++) {
      const c = await untilAbort(connector.connect(host, { signal: eo.signal }));
      if (c === 'aborted') return abortedResult(t0);
      conn = c;
      try {
        let prefix = '';
        if (needsSudoDecision(host, eo.sudo)) {
          const uid = await untilAbort(loginUid(c, host.name));
          if (uid === 'aborted') return abortedResult(t0);
          prefix = sudoPrefix(host, eo.sudo, uid === 0);
          useSudo = prefix !== '' && uid !== 0;
        }
        const command = `echo ${marker}$$; exec ${prefix}bash -s`;
        ch = await openExec(c, command, host.name);
      } catch (e) {
        // the cached connection died under us: one fresh attempt
        if (attempt === 0 && c.dead) continue;
        throw e;
      }
    }
    const channel = ch;
    const liveConn = conn!;
    const started = Date.now();

    return new Promise<ExecResult>((resolve, reject) => {
      let pid: number | undefined;
      let pending: Buffer | undefined = Buffer.alloc(0); // stdout until the pid marker line is seen
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      let gotExit = false;
      let aborted = false;
      let killing: Promise<void> | undefined;
      let fallback: NodeJS.Timeout | undefined;

      const startKill = (): void => {
        if (killing || pid === undefined) return;
        killing = killRemote(liveConn, pid, useSudo, host.name, killGraceMs)
          .catch(() => undefined)
          .then(() => {
            // The tree is dead; if something outside it still holds the channel open, close it.
            fallback = setTimeout(() => channel.close(), 2000);
          });
      };
      const onAbort = (): void => {
        aborted = true;
        startKill();
      };
      eo.signal?.addEventListener('abort', onAbort, { once: true });
      if (eo.signal?.aborted) onAbort(); // aborted while the channel was opening

      const emitStdout = (b: Buffer): void => {
        if (b.length) eo.onData?.(b, 'stdout');
      };
      channel.on('data', (chunk: Buffer) => {
        if (!pending) return emitStdout(chunk);
        pending = Buffer.concat([pending, chunk]);
        const at = pending.indexOf(marker);
        const nl = at >= 0 ? pending.indexOf(0x0a, at) : -1;
        if (nl >= 0) {
          pid = Number.parseInt(pending.subarray(at + marker.length, nl).toString(), 10);
          const before = pending.subarray(0, at);
          const after = pending.subarray(nl + 1);
          pending = undefined;
          emitStdout(before);
          emitStdout(after);
          if (aborted) startKill();
        } else if (pending.length > 65536) {
          const out = pending; // no marker: give up stripping, never hold output back
          pending = undefined;
          emitStdout(out);
        }
      });
      channel.stderr.on('data', (chunk: Buffer) => eo.onData?.(chunk, 'stderr'));
      channel.on('exit', (code: number | null, signal?: string) => {
        gotExit = true;
        exitCode = code ?? null;
        // ssh2 reports "TERM"; use Node's "SIGTERM" naming like the local transport
        exitSignal = signal ? (signal.startsWith('SIG') ? signal : `SIG${signal}`) : null;
      });
      channel.on('error', () => undefined);
      channel.on('close', () => {
        eo.signal?.removeEventListener('abort', onAbort);
        clearTimeout(fallback);
        if (pending?.length) emitStdout(pending);
        pending = undefined;
        const durationMs = Date.now() - started;
        if (aborted) {
          resolve({ exitCode: null, signal: exitSignal, durationMs, aborted: true });
        } else if (!gotExit && liveConn.dead) {
          reject(new ConnectionLostError(host.name,
            `connection to ${liveConn.label} was lost while the step was running${liveConn.deathReason ? ` (${liveConn.deathReason})` : ''}`,
            'the step may or may not have completed on the host; check it before re-running'));
        } else {
          resolve({ exitCode, signal: exitSignal, durationMs, aborted: false });
        }
      });
      channel.end(input);
    });
  }

  return exec;
}
