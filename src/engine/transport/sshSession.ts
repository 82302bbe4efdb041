// Running step scripts over SSH through persistent shell sessions: one long-lived bash per host
// connection for the login user and, started when first needed, one per other user a step runs as
// (root through `sudo -n` for sudo steps, an ansible_become user through `sudo -n -u USER`), fed step
// after step
// (protocol in sessionProtocol.ts). A step that finds no usable session (no bash, no /proc or
// /dev/stdin on the host, sudo refused, no temp dir) runs through the one-exec-per-step path instead.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { ConnectionLostError, StepInterruptedError } from '../errors.js';
import type { Host } from '../types.js';
import { assertMarkerName } from './attemptMarker.js';
import { driverScript, readyLine, stepFrame, StepStreamParser, type StepEnd } from './sessionProtocol.js';
import { shellQuote, stepText } from './script.js';
import type { Conn, SshConnector } from './sshConnect.js';
import { killRemote, loginUid, openExec } from './sshExec.js';
import type { ExecOptions, ExecResult } from './types.js';
import { untilAbort as untilAbortOf } from './untilAbort.js';

type ExecFn = (host: Host, script: string, eo?: ExecOptions) => Promise<ExecResult>;

export interface SshSessionOptions {
  /** After abort: SIGTERM the remote tree, SIGKILL what is left after this many ms (default 3000). */
  readonly killGraceMs?: number;
  /** How long a new session may take to say it is ready before the step falls back to exec (default 20000). */
  readonly startTimeoutMs?: number;
  /** The shell the session runs on the host (default bash; the protocol needs bash). */
  readonly sessionShell?: string;
}

/** What a running step listens to on its session. */
interface StepListener {
  stdout(b: Buffer): void;
  stderr(b: Buffer): void;
  /** The session's channel exited or closed. */
  gone(): void;
}

/** Whose session: '' for the login user's own, else the user it runs as through sudo ('root' for sudo steps). */
type Who = string;

interface Session {
  readonly conn: Conn;
  readonly ch: ClientChannel;
  readonly who: Who;
  busy: boolean;
  dead: boolean;
  /** How the shell ended ("killed by SIGKILL", "exit 1"), when it did. */
  ended?: string;
  listener?: StepListener;
}

interface ConnSessions {
  /** Idle sessions by who they run as. */
  readonly idle: Map<Who, Session[]>;
  /** A session being started, by who it will run as: whoever needs one meanwhile waits for it. */
  readonly starting: Map<Who, Promise<boolean>>;
  /** Whose sessions cannot be started on this connection (exec is used instead), and why. */
  readonly unavailable: Map<Who, string>;
}

const nonce = (): string => randomBytes(12).toString('hex');

/** exec() over persistent sessions (`fallback` is the one-exec-per-step exec()), and prepare() to start a host's session early. */
export function createSessionExec(connector: SshConnector, fallback: ExecFn, opts: SshSessionOptions = {}): { exec: ExecFn; prepare: (host: Host) => void } {
  const killGraceMs = opts.killGraceMs ?? 3000;
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  const shell = opts.sessionShell ?? 'bash';
  const perConn = new WeakMap<Conn, ConnSessions>();

  const sessionsOf = (conn: Conn): ConnSessions => {
    let s = perConn.get(conn);
    if (!s) {
      s = { idle: new Map(), starting: new Map(), unavailable: new Map() };
      perConn.set(conn, s);
    }
    return s;
  };

  /** The command that starts a session running as `who`. */
  const sessionCommand = (who: Who): string =>
    who === '' ? `exec ${shell} -s` : who === 'root' ? `exec sudo -n ${shell} -s` : `exec sudo -n -u ${shellQuote(who)} ${shell} -s`;

  /** Start a session; resolves undefined when the host cannot run one (the channel said why). */
  async function startSession(conn: Conn, who: Who, hostName: string): Promise<Session | undefined> {
    const ch = await openExec(conn, sessionCommand(who), hostName);
    const session: Session = { conn, ch, who, busy: true, dead: false };
    const readyNonce = nonce();
    const readyMarker = Buffer.from(readyLine(readyNonce));
    const ok = await new Promise<boolean>((resolve) => {
      let seen = Buffer.alloc(0);
      let settled = false;
      const settle = (v: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        ch.close();
        settle(false);
      }, startTimeoutMs);
      ch.on('data', (d: Buffer) => {
        if (settled) return session.listener?.stdout(d);
        seen = Buffer.concat([seen, d]);
        const at = seen.indexOf(readyMarker);
        if (at >= 0) {
          settle(true);
          const rest = seen.subarray(at + readyMarker.length);
          if (rest.length) session.listener?.stdout(rest);
        } else if (seen.length > 65536) seen = seen.subarray(seen.length - readyMarker.length);
      });
      ch.stderr.on('data', (d: Buffer) => {
        if (settled) session.listener?.stderr(d);
      });
      ch.on('exit', (code: number | null, signal?: string) => {
        session.ended = signal ? `killed by ${signal.startsWith('SIG') ? signal : `SIG${signal}`}` : `exit ${code}`;
        session.dead = true;
        settle(false);
        session.listener?.gone();
      });
      ch.on('error', () => undefined);
      ch.on('close', () => {
        session.dead = true;
        settle(false);
        session.listener?.gone();
      });
      ch.write(driverScript(readyNonce));
    });
    if (!ok) {
      if (!conn.dead) ch.close();
      return undefined;
    }
    return session;
  }

  /**
   * Start a session running as `who` unless one is being started: when it is ready it joins the idle
   * pool. One start at a time per connection and user, so the session prepare() starts is the one the
   * first step takes (a step that came while it was starting used to start a second shell, each
   * costing the host a bash and its start-up).
   */
  function ensureStarting(conn: Conn, who: Who, hostName: string): Promise<boolean> {
    const s = sessionsOf(conn);
    let p = s.starting.get(who);
    if (!p) {
      p = startSession(conn, who, hostName).then(
        (sess) => {
          s.starting.delete(who);
          if (!sess) {
            if (!conn.dead) s.unavailable.set(who, 'the session could not start');
            return false;
          }
          release(sess);
          return !sess.dead && !conn.dead;
        },
        (e: unknown) => {
          s.starting.delete(who);
          throw e;
        },
      );
      s.starting.set(who, p);
    }
    return p;
  }

  /** An idle session running as `who` (or a new one); undefined when none can run on this host. */
  async function acquire(conn: Conn, who: Who, hostName: string): Promise<Session | undefined> {
    const s = sessionsOf(conn);
    for (;;) {
      const pool = s.idle.get(who) ?? [];
      while (pool.length) {
        const sess = pool.pop()!;
        if (!sess.dead) {
          sess.busy = true;
          return sess;
        }
      }
      if (s.unavailable.has(who) || conn.dead) return undefined;
      // Wait for the start under way (or begin one), then take from the pool: another step may
      // have taken the new session first, and then this one starts the next. A shell that died
      // before anyone took it: the step runs through exec instead.
      if (!(await ensureStarting(conn, who, hostName)) && !s.unavailable.has(who)) return undefined;
    }
  }

  function release(sess: Session): void {
    sess.listener = undefined;
    sess.busy = false;
    if (sess.dead || sess.conn.dead) return;
    const idle = sessionsOf(sess.conn).idle;
    const pool = idle.get(sess.who);
    if (pool) pool.push(sess);
    else idle.set(sess.who, [sess]);
  }

  function discard(sess: Session): void {
    sess.listener = undefined;
    sess.dead = true;
    try {
      sess.ch.close();
    } catch {
      // the connection is already gone
    }
  }

  async function exec(host: Host, script: string, eo: ExecOptions = {}): Promise<ExecResult> {
    const text = stepText(script, eo.env); // throws on a bad env name, as exec mode does
    if (eo.attemptMarker !== undefined) assertMarkerName(eo.attemptMarker);
    const t0 = Date.now();
    const abortedResult = (): ExecResult => ({ exitCode: null, signal: null, durationMs: Date.now() - t0, aborted: true });
    if (eo.signal?.aborted) return abortedResult();

    const untilAbort = <T>(p: Promise<T>): Promise<T | 'aborted'> => untilAbortOf(p, eo.signal);

    // Who the step runs as (become.ts): a `sudo` step as root, else the host's ansible_become user
    // (through `sudo -n -u`, as the exec path does), else the login user. Each has its own session.
    const asUser = eo.sudo ? 'root' : host.become?.user;
    let sess: Session | undefined;
    for (let attempt = 0; !sess; attempt++) {
      const c = await untilAbort(connector.connect(host, { signal: eo.signal }));
      if (c === 'aborted') return abortedResult();
      try {
        let who: Who = asUser ?? '';
        if (asUser === 'root') {
          // root needs no sudo to become root
          const uid = await untilAbort(loginUid(c, host.name));
          if (uid === 'aborted') return abortedResult();
          if (uid === 0) who = '';
        }
        const acquiring = acquire(c, who, host.name);
        const got = await untilAbort(acquiring);
        if (got === 'aborted') {
          void acquiring.then((s) => s && release(s), () => undefined);
          return abortedResult();
        }
        if (!got) return fallback(host, script, eo);
        sess = got;
      } catch (e) {
        // the cached connection died under us: one fresh attempt
        if (attempt === 0 && c.dead) continue;
        throw e;
      }
    }
    return runOn(sess, host, text, eo);
  }

  function runOn(sess: Session, host: Host, text: string, eo: ExecOptions): Promise<ExecResult> {
    const n = nonce();
    const started = Date.now();
    return new Promise<ExecResult>((resolve, reject) => {
      let pid: number | undefined;
      let end: StepEnd | undefined;
      let errDone = false;
      let aborted = false;
      let settled = false;
      let killing: Promise<void> | undefined;
      let fallbackTimer: NodeJS.Timeout | undefined;
      let dying = false;

      const cleanup = (): void => {
        settled = true;
        eo.signal?.removeEventListener('abort', onAbort);
        clearTimeout(fallbackTimer);
      };
      const finishIfDone = (): void => {
        if (settled || !out.done || !errDone) return;
        cleanup();
        release(sess);
        const durationMs = Date.now() - started;
        if (aborted) resolve({ exitCode: null, signal: end?.signal ?? null, durationMs, aborted: true });
        else if (!end) reject(new StepInterruptedError(host.name, 'the remote shell session sent a malformed end of step'));
        else if (end.lost) reject(new StepInterruptedError(host.name, 'the remote shell session lost track of the step\'s process: its exit status is unknown', 'the step may or may not have completed on the host; check it before re-running'));
        else resolve({ exitCode: end.exitCode, signal: end.signal, durationMs, aborted: false });
      };
      const startKill = (): void => {
        if (killing || pid === undefined || sess.conn.dead) return;
        killing = killRemote(sess.conn, pid, sess.who !== '', host.name, killGraceMs)
          .catch(() => undefined)
          .then(() => {
            // The tree is dead; if the driver still does not report the end, give the session up.
            if (!settled) {
              fallbackTimer = setTimeout(() => {
                if (settled) return;
                cleanup();
                discard(sess);
                resolve({ exitCode: null, signal: null, durationMs: Date.now() - started, aborted: true });
              }, 2000);
            }
          });
      };
      function onAbort(): void {
        aborted = true;
        startKill();
      }

      const out = new StepStreamParser(n, true, {
        data: (b) => eo.onData?.(b, 'stdout'),
        pid: (p) => {
          pid = p;
          if (aborted) startKill();
        },
        end: (e) => {
          end = e;
          finishIfDone();
        },
      });
      const err = new StepStreamParser(n, false, {
        data: (b) => eo.onData?.(b, 'stderr'),
        end: () => {
          errDone = true;
          finishIfDone();
        },
      });

      /** The shell died under the step: stop what the step left, then report it interrupted. */
      const gone = (): void => {
        if (settled || dying) return;
        if (sess.conn.dead) {
          cleanup();
          reject(new ConnectionLostError(host.name,
            `connection to ${sess.conn.label} was lost while the step was running${sess.conn.deathReason ? ` (${sess.conn.deathReason})` : ''}`,
            'the step may or may not have completed on the host; check it before re-running'));
          return;
        }
        const why = sess.ended ? `the remote shell session ended (${sess.ended})` : 'the remote shell session closed';
        const stopped = pid !== undefined && !sess.conn.dead
          ? killRemote(sess.conn, pid, sess.who !== '', host.name, killGraceMs).then(() => true, () => false)
          : Promise.resolve(false);
        // Output still in flight after the shell's exit may yet complete the step: it can until the kill is done.
        dying = true;
        void stopped.then((killed) => {
          if (settled) return;
          cleanup();
          discard(sess);
          reject(new StepInterruptedError(host.name,
            `${why} while the step was running${killed ? '; what the step left running was stopped' : ''}`,
            'the step may or may not have completed on the host; check it before re-running'));
        });
      };

      sess.listener = {
        stdout: (b) => out.push(b),
        stderr: (b) => err.push(b),
        gone,
      };
      eo.signal?.addEventListener('abort', onAbort, { once: true });
      if (eo.signal?.aborted) onAbort();
      if (sess.dead) return gone();
      try {
        sess.ch.write(stepFrame(n, text, eo.attemptMarker));
      } catch {
        gone();
      }
    });
  }

  /** Connect and start the login user's session now; it waits idle for the first step. */
  function prepare(host: Host): void {
    void (async () => {
      const c = await connector.connect(host, { ask: false });
      const s = sessionsOf(c);
      if (s.idle.get('')?.length || s.unavailable.has('')) return;
      await ensureStarting(c, '', host.name);
    })().catch(() => undefined);
  }

  return { exec, prepare };
}
