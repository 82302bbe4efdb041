// Typed errors. Each carries a hint of what to try; only BugError shows a stack trace.

export const EXIT = {
  OK: 0,
  STEP_FAILED: 1,
  BAD_INPUT: 2,
  STOPPED: 3, // stopped at a confirm step, or before interrupted steps
  STATE_UNAVAILABLE: 4, // state locked by another player or not writable
  UNREACHABLE: 5, // a host could not be reached (or its connection was lost mid-step); no step failed
  BUG: 70,
} as const;

/** One line per exit code: `runbook --help` prints these; the README's table must say the same codes (a test checks). */
export const EXIT_MEANING: Readonly<Record<(typeof EXIT)[keyof typeof EXIT], string>> = {
  0: 'all done',
  1: 'a step failed on some host (continue_on_error included)',
  2: 'bad input, or nothing to run',
  3: 'steps left: run stopped at a confirm step or before interrupted steps, or play was closed before the end',
  4: 'state file locked or unwritable',
  5: 'a host was unreachable or lost its connection mid-step (and no step failed)',
  70: 'internal error',
};

export type ErrorKind =
  | 'bad-input'
  | 'connection'
  | 'auth'
  | 'host-key'
  | 'step-failed'
  | 'state'
  | 'bug';

export abstract class RunbookError extends Error {
  abstract readonly kind: ErrorKind;
  abstract readonly exitCode: number;
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Malformed runbook, front matter, attribute, inventory, option, state file, missing file. Exit 2. */
export class BadInputError extends RunbookError {
  readonly kind = 'bad-input' as const;
  readonly exitCode = EXIT.BAD_INPUT;
  readonly file?: string;
  readonly line?: number;
  constructor(message: string, opts: { file?: string; line?: number; hint?: string } = {}) {
    super(message, opts.hint);
    this.file = opts.file;
    this.line = opts.line;
  }
  /** "file:line: message" (or "file: message", or just the message). */
  get located(): string {
    if (this.file && this.line) return `${this.file}:${this.line}: ${this.message}`;
    if (this.file) return `${this.file}: ${this.message}`;
    return this.message;
  }
}

export class ConnectionError extends RunbookError {
  readonly kind = 'connection' as const;
  readonly exitCode = EXIT.STEP_FAILED;
  constructor(readonly host: string, message: string, hint?: string) {
    super(message, hint ?? 'check that the host is up, the address and port are right, and sshd is running');
  }
}

/** The connection died while a command was running on the host: its outcome is unknown. */
export class ConnectionLostError extends ConnectionError {}

/**
 * The step's run was cut short by something outside it (its remote shell session died): it may or
 * may not have completed on the host, so it is recorded `interrupted`, never failed or re-run.
 */
export class StepInterruptedError extends ConnectionLostError {}

export class AuthError extends RunbookError {
  readonly kind = 'auth' as const;
  readonly exitCode = EXIT.STEP_FAILED;
  constructor(readonly host: string, message: string, hint?: string) {
    super(message, hint ?? 'check ansible_user / ansible_ssh_private_key_file, ~/.ssh/config IdentityFile, or load the key into ssh-agent');
  }
}

export class HostKeyError extends RunbookError {
  readonly kind = 'host-key' as const;
  readonly exitCode = EXIT.STEP_FAILED;
  constructor(
    readonly host: string,
    readonly reason: 'unknown' | 'changed',
    readonly fingerprint: string,
    readonly keyType: string,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

export class StepFailedError extends RunbookError {
  readonly kind = 'step-failed' as const;
  readonly exitCode = EXIT.STEP_FAILED;
}

/** State file locked by another live player, unwritable, or corrupt. */
export class StateError extends RunbookError {
  readonly kind = 'state' as const;
  readonly exitCode: number;
  readonly file?: string;
  constructor(message: string, opts: { file?: string; hint?: string; exitCode?: number } = {}) {
    super(message, opts.hint);
    this.file = opts.file;
    this.exitCode = opts.exitCode ?? EXIT.STATE_UNAVAILABLE;
  }
}

export class BugError extends RunbookError {
  readonly kind = 'bug' as const;
  readonly exitCode = EXIT.BUG;
}

export function isRunbookError(e: unknown): e is RunbookError {
  return e instanceof RunbookError;
}

/** One line for an error inside a report: `file:line: message` for bad input, the message otherwise. */
export function describeError(e: unknown): string {
  if (e instanceof BadInputError) return e.located;
  if (e instanceof Error) return e.message;
  return String(e);
}
