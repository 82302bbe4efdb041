import type { Host } from '../types.js';

export type OutputStream = 'stdout' | 'stderr';

/** How SSH steps run: in a persistent shell session per host, or one exec channel per step. */
export type SessionMode = 'shell' | 'exec';
export const SESSION_MODES: readonly SessionMode[] = ['shell', 'exec'];

export interface ExecOptions {
  /** Abort kills the remote/local process tree (TERM, then KILL after a grace period). */
  readonly signal?: AbortSignal;
  /** Called with each chunk as it arrives. */
  readonly onData?: (chunk: Buffer, stream: OutputStream) => void;
  /** Run the script through `sudo -n` (plain when the login user is root). */
  readonly sudo?: boolean;
  /**
   * SSH hosts: 'shell' runs the script in the host's persistent shell session (the default), 'exec'
   * opens one exec channel for it. Overrides the host's `runbook_session` inventory var.
   */
  readonly session?: SessionMode;
  /** Extra environment for the script (exported at the top of the script, not via SSH env requests). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Write a per-attempt marker on the host (attemptMarker.ts: pid, start, then exit code) under this
   * name, so that a later run can tell whether this attempt is still running or how it ended.
   */
  readonly attemptMarker?: string;
}

export interface ExecResult {
  /** null when killed by a signal or aborted. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly durationMs: number;
  /** True when the run ended because opts.signal aborted. */
  readonly aborted: boolean;
}

/**
 * Runs bash scripts on hosts. The script text is executed by `bash -s` (fed on stdin), so it may
 * contain any quoting, heredocs and multiple lines; it does not get the operator's stdin.
 * Connection problems reject with ConnectionError / AuthError / HostKeyError (from ../errors.js);
 * a script that runs and exits non-zero resolves normally with its exit code.
 */
export interface Transport {
  exec(host: Host, script: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Optional: the host's connection, made (or found in the pool) now: TCP, key exchange, the
   * host-key decision (waiting on the operator's answer when the policy asks) and authentication.
   * Resolves once the connection is up, or as soon as `signal` aborts (the caller looks at
   * signal.aborted); rejects with ConnectionError / AuthError / HostKeyError like exec() would.
   * The engine calls it before a step's attempt starts, so that none of this is charged to the
   * step's clock or its `timeout=`; exec() then runs on that connection. Absent (local): nothing
   * to connect.
   */
  connect?(host: Host, signal?: AbortSignal): Promise<void>;
  /** Close every connection this transport holds. */
  close(): Promise<void>;
  /**
   * Optional: start connecting to these hosts (and their sessions) now, in the background, so the
   * first step does not wait for it. Failures are not reported here; the step that needs the host
   * reports them.
   */
  prepare?(hosts: readonly Host[]): void;
}

/** Host-key decisions, shared by the headless CLI (flags) and the TUI (dialog). */
export interface HostKeyPolicy {
  /** known_hosts file to check and append to. */
  readonly knownHostsFile: string;
  /** Accept and record unknown keys without asking (OpenSSH accept-new). */
  readonly acceptNew: boolean;
  /**
   * Asked for an unknown key when acceptNew is false (the TUI shows a dialog). Resolve true to
   * accept (the key is appended to knownHostsFile). Absent: unknown keys are refused.
   * Changed keys are always refused and never reach this callback.
   * `signal` aborts once nobody waits for the connection any more (every step that needed it was
   * aborted): the question is withdrawn, resolve false (the key is not recorded; the next connection asks again).
   */
  readonly onUnknownKey?: (info: { host: string; address: string; port: number; keyType: string; fingerprint: string }, signal: AbortSignal) => Promise<boolean>;
}
