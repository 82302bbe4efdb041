// The wire protocol of a persistent shell session (sshSession.ts): the bash driver that runs on the
// host, the text that asks it to run one step, and the parser that splits what comes back into the
// step's stdout, stderr, pid and exit status.
//
// On the host, each step is a subshell of the driver (a fork, no exec: starting a program per step
// costs the host 3-4 times more CPU, which is most of what a step costs), so variables, cd, exit,
// exec, traps and set -e are the step's own, as in a step of its own exec channel. The driver runs
// with job control on, so each step's subshell is a process group of its own (abort kills that tree);
// the subshell turns job control off, reports the stdout start marker and its pid ($BASHPID) in one
// write (one SSH packet), drops the driver's traps, variables and functions, and sources the step text from its stdin (a heredoc). What differs from one exec per
// step: `$$` is the session shell's pid, not the step's ($BASHPID is the step's), and $PPID is the
// session shell's parent, so `kill $$` ends the session (the step is then interrupted) where with
// its own exec channel it ended the step.
// An exit status above 128 is a signal only when bash reported the job killed (it prints a line for
// a job killed by a signal, and none for `exit 143`; the driver traps no signal, since bash does not
// report deaths by a trapped signal); the driver catches what bash prints while it waits in a file.
// The driver waits with a plain `wait PID`, again each second while the step is stopped, never with
// `wait -f`: when bash has already reported the step's job ("Terminated") and dropped its record
// before the wait begins (a step that kills itself at once, on a busy host), bash 5.2's `wait -f`
// loops inside the builtin forever, printing "No record of process" (seen: a test hung 10 minutes,
// its driver spinning at full CPU); a plain wait returns 127 at once and the step is LOST.
// The driver waits only while the step's pid is its own child (its parent in /proc is the driver): if
// bash ever loses the child's record while the pid lives on as another process (pid reuse), `wait`
// fails at once and the loop would spin writing errors forever; it ends instead, and the step is
// reported LOST (its outcome unknown: interrupted), never given the 127 of the failed wait. The step's stdout and stderr go through two relays (`cat`) that the driver writes
// the end markers into after the step exited, so a marker always follows every byte the step wrote.
// Markers carry a per-step random nonce the step never sees (it is only in the driver's heredoc
// delimiter and argument), so step output cannot forge them. A process the step left running keeps
// the relays open: the driver then hands their pipes to a drain (`cat >/dev/null`, so the process
// never gets SIGPIPE) and starts new relays for the next step, so that output is never attributed to
// a later step and nothing waits for it.

/** Bash run by the session channel (`bash -s` fed this text). Prints the ready line when it can run steps. */
export function driverScript(readyNonce: string): string {
  return `__rb_d=$(mktemp -d "\${TMPDIR:-/tmp}/runbook-session.XXXXXX") || exit 97
trap 'rm -rf -- "$__rb_d"' EXIT
[[ -r /proc/$$/stat && -e /dev/stdin ]] || exit 96
set -m
[[ $- == *m* ]] || exit 98
__rb_o= __rb_e= __rb_stale= __rb_p=
mkfifo "$__rb_d/f" && exec 9<>"$__rb_d/f" || exit 98
__rb_reap() {
  local p l r
  for p in $__rb_o $__rb_e; do
    { read -r l < "/proc/$p/stat"; } 2>/dev/null || continue
    r=\${l##*) }; [[ $r == Z* ]] && continue; r=\${r#* }
    [[ \${r%% *} == "$$" ]] || continue
    { { cat >/dev/null 2>&1 3>&- 4>&- & } < "/proc/$p/fd/0"; } 2>/dev/null
    kill -KILL "$p" 2>/dev/null
  done
  wait $__rb_o $__rb_e 2>/dev/null
  __rb_o= __rb_e= __rb_stale=
}
__rb_mine() {
  local l r
  { read -r l < "/proc/$1/stat"; } 2>/dev/null || return 1
  r=\${l##*) }; r=\${r#* }
  [[ \${r%% *} == "$$" ]]
}
__rb_run() {
  local n=$1 st sig=
  if [[ -n $__rb_stale ]]; then exec 3>&- 4>&-; __rb_reap; fi
  printf '__RB_S_%s__\\n' "$n" >&2
  if [[ -z $__rb_o ]]; then
    exec 3> >(exec cat)
    __rb_o=$!
    exec 4> >(exec cat >&2 3>&-)
    __rb_e=$!
  fi
  {
    (
      trap - EXIT
      set +m
      printf '__RB_S_%s__\\n%d\\n' "$n" "$BASHPID" >&5
      unset -f __rb_run __rb_reap
      unset -v __rb_d __rb_o __rb_e __rb_stale __rb_p n st sig
      exec 5>&- 9>&- 2>&4 4>&- 3>&-
      . /dev/stdin
    ) 5>&1 1>&3 &
    __rb_p=$!
    while :; do
      wait "$__rb_p"; st=$?
      __rb_mine "$__rb_p" || break
      read -r -t 1 -u 9
    done
  } 2>"$__rb_d/w"
  ((st > 128)) && [[ -s $__rb_d/w ]] && sig=$(kill -l $((st - 128)) 2>/dev/null)
  ((st == 127)) && [[ -s $__rb_d/w && $(<"$__rb_d/w") == *'No record of process'* ]] && sig=LOST
  printf '__RB_E_%s_%s_%s__\\n' "$n" "$st" "$sig" >&3
  printf '__RB_E_%s__\\n' "$n" >&4
  kill -0 -- "-$__rb_p" 2>/dev/null && __rb_stale=1
  __rb_p=
  return 0
}
printf '__RB_READY_%s__\\n' ${readyNonce}
`;
}

export const readyLine = (nonce: string): string => `__RB_READY_${nonce}__\n`;

/**
 * The text that makes the driver run one step: `wrapped` is the output of wrapScript (ends with a
 * newline). It reaches the step's subshell unchanged, as the heredoc it sources, so the script's
 * line numbers are its own.
 */
export function stepCommand(nonce: string, wrapped: string): string {
  return `__rb_run ${nonce} <<'__RB_${nonce}'\n${wrapped}__RB_${nonce}\n`;
}

/** Length of the longest suffix of buf that is a proper prefix of marker. */
function partialTail(buf: Buffer, marker: Buffer): number {
  for (let k = Math.min(buf.length, marker.length - 1); k > 0; k--) {
    if (buf.compare(marker, 0, k, buf.length - k) === 0) return k;
  }
  return 0;
}

export interface StepEnd {
  readonly exitCode: number | null;
  /** "SIGKILL" style, or null. */
  readonly signal: string | null;
  /** The driver's shell lost track of the step's process (bash's wait had no record of it): its outcome is unknown. */
  readonly lost?: true;
}

/**
 * Parses one stream (stdout or stderr) of a session channel for one step: bytes before the step's
 * start marker are discarded (output of earlier steps' leftovers), then on stdout the step's pid line,
 * then data (handed on as it arrives, minus any bytes that could be the start of the end marker),
 * then the end marker (with the exit status on stdout); bytes after it are discarded.
 */
export class StepStreamParser {
  private buf: Buffer = Buffer.alloc(0);
  private state: 'start' | 'pid' | 'data' | 'done' = 'start';
  private readonly start: Buffer;
  private readonly end: Buffer;

  constructor(
    nonce: string,
    private readonly stdout: boolean,
    private readonly on: {
      readonly data: (b: Buffer) => void;
      readonly pid?: (pid: number) => void;
      readonly end: (e: StepEnd | undefined) => void;
    },
  ) {
    this.start = Buffer.from(`__RB_S_${nonce}__\n`);
    this.end = Buffer.from(stdout ? `__RB_E_${nonce}_` : `__RB_E_${nonce}__\n`);
  }

  get done(): boolean {
    return this.state === 'done';
  }

  push(chunk: Buffer): void {
    if (this.state === 'done') return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.state === 'start') {
        const at = this.buf.indexOf(this.start);
        // The end marker with no start before it: the step's subshell never ran (it prints the
        // stdout start marker), so the step ends here, with the driver's status and no output.
        const atEnd = this.buf.indexOf(this.end);
        if (atEnd >= 0 && (at < 0 || atEnd < at)) {
          this.buf = this.buf.subarray(atEnd);
          this.state = 'data';
          continue;
        }
        if (at < 0) {
          this.buf = this.buf.subarray(this.buf.length - Math.max(partialTail(this.buf, this.start), partialTail(this.buf, this.end)));
          return;
        }
        this.buf = this.buf.subarray(at + this.start.length);
        this.state = this.stdout ? 'pid' : 'data';
      } else if (this.state === 'pid') {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) {
          if (this.buf.length > 32) this.state = 'data'; // not a pid line
          else return;
        } else {
          const line = this.buf.subarray(0, nl).toString('latin1');
          if (/^\d+$/.test(line)) {
            this.buf = this.buf.subarray(nl + 1);
            this.on.pid?.(Number(line));
          }
          this.state = 'data';
        }
      } else if (this.state === 'data') {
        const at = this.buf.indexOf(this.end);
        if (at < 0) {
          const keep = partialTail(this.buf, this.end);
          if (this.buf.length > keep) this.on.data(this.buf.subarray(0, this.buf.length - keep));
          this.buf = this.buf.subarray(this.buf.length - keep);
          return;
        }
        if (at > 0) this.on.data(this.buf.subarray(0, at));
        const rest = this.buf.subarray(at + this.end.length);
        if (!this.stdout) {
          this.finish(undefined);
          return;
        }
        const nl = rest.indexOf(0x0a);
        if (nl < 0) {
          this.buf = this.buf.subarray(at); // wait for the rest of the marker line
          if (this.buf.length > 256) this.finish(undefined);
          return;
        }
        const m = /^(\d+)_([A-Z0-9+-]*)__$/.exec(rest.subarray(0, nl).toString('latin1'));
        const st = m ? Number(m[1]) : NaN;
        if (m?.[2] === 'LOST') {
          this.finish({ exitCode: null, signal: null, lost: true });
          return;
        }
        const sig = m?.[2] ? (m[2].startsWith('SIG') ? m[2] : `SIG${m[2]}`) : null;
        this.finish(m ? { exitCode: sig ? null : st, signal: sig } : undefined);
        return;
      } else return;
    }
  }

  private finish(e: StepEnd | undefined): void {
    this.state = 'done';
    this.buf = Buffer.alloc(0);
    this.on.end(e);
  }
}
