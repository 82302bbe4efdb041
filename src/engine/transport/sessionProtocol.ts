// The wire protocol of a persistent shell session (sshSession.ts): the bash driver that runs on the
// host, the frame that asks it to run one step, and the parser that splits what comes back into the
// step's stdout, stderr, pid and exit status.
//
// Input. The driver is one loop, parsed once per session; each step reaches it as a frame: ten
// decimal digits giving the length in bytes of the payload, then the payload: a header line
// `NONCE MARKER` (MARKER is the step's attempt-marker name, attemptMarker.ts, or `-`) and the step
// text (stepText in script.ts). The driver takes the length with one `read -N 10` and the payload
// with one `read -N LENGTH` in the C locale (so N counts bytes): bash reads a pipe byte by byte only
// where it must not read past a line's end, and `read -N` asks for the rest of the count at once
// (a few read calls per step, where the text as commands or a heredoc was read one byte per call,
// about 1,600 calls for a trivial step). The step text is whatever exec mode feeds `bash -s` inside
// its `{ ... }` group, so it is parsed whole before it runs and its line numbers are exec mode's.
// bash drops NUL bytes from a script (exec mode too) and `read` does not count them: the frame
// carries none.
//
// On the host, each step is a subshell of the driver (a fork, no exec: starting a program per step
// costs the host 3-4 times more CPU, which is most of what a step costs; on this kind of VM a fork
// alone costs about 5 ms of CPU, so there is exactly one per step), so variables, cd, exit, exec,
// traps and set -e are the step's own, as in a step of its own exec channel. The driver runs with job
// control on, so each step's subshell is a process group of its own (abort kills that tree); the
// subshell turns job control off, reports the stdout start marker and its pid ($BASHPID) in one write
// (one SSH packet), writes the start of its attempt marker (attemptMarker.ts: markerStartLine; the
// driver did the rest before the fork, markerPrepLines), drops the driver's variables (the driver
// defines no function: freeing one's parsed body in the fork cost ~10 page faults per step), and
// evaluates the step text with stdin from
// /dev/null. The loop runs at the top level of the driver (no function), so a step sees no
// positional parameters and no FUNCNAME, and `local` and `return` fail in it as in `bash -s`. What
// differs from one exec per step: `$$` is the session shell's pid, not the step's ($BASHPID is the
// step's), and $PPID is the session shell's parent, so `kill $$` ends the session (the step is then
// interrupted) where with its own exec channel it ended the step.
// The step's end is recorded in its attempt marker by the driver, its parent, which sees its exit
// status whatever the step did (exit, exec, a signal, its own EXIT trap): exec mode needs a second
// subshell around the body for that, a second fork per step. It is written before the end markers,
// so a driver whose output has gone (runbook crashed, the connection dropped) still records it.
// An exit status above 128 is a signal only when bash reported the job killed (it prints a line for
// a job killed by a signal, and none for `exit 143`; the driver traps no signal, since bash does not
// report deaths by a trapped signal); the driver catches what bash prints while it waits in a pipe
// of its own (fd 8: one descriptor open for reading and writing, so it never blocks on a reader or
// sees an end, and the driver reads back what is there once the wait is over).
// The session starts no program of its own but its two relays: no temp dir or FIFO (mktemp, mkfifo
// and rm were three programs per session, each costing the host about as much as ten steps' forks
// on a VM where a page fault costs ~45 us); its pipe comes from a process substitution (a fork of
// the shell, no exec), and the one it sleeps on while a step is stopped is made when first needed.
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
// Markers carry a per-step random nonce the step never sees (it is only in the frame's header, which
// the driver unsets before the step text runs), so step output cannot forge them. A process the step left running keeps
// the relays open: the driver then hands their pipes to a drain (`cat >/dev/null`, so the process
// never gets SIGPIPE) and starts new relays for the next step, so that output is never attributed to
// a later step and nothing waits for it.
import { assertMarkerName, markerEndLines, markerPrepLines, markerStartLine } from './attemptMarker.js';

/** Bash run by the session channel (`bash -s` fed this text). Prints the ready line when it can run steps. */
export function driverScript(readyNonce: string): string {
  return `[[ -r /proc/$$/stat && -e /dev/stdin ]] || exit 96
set -m
[[ $- == *m* ]] || exit 98
__rb_o= __rb_e= __rb_stale= __rb_p= __rb_ws= __rb_l= __rb_h= __rb_t= __rb_n= __rb_mk= __rb_st= __rb_sig= __rb_w= __rb_z= __rb_mf= __rb_mt= __rb_mb= __rb_pr=0 __rb_i= __rb_a=()
{ read -r __rb_mb < /proc/sys/kernel/random/boot_id; } 2>/dev/null
read -r __rb_l < /proc/$$/stat && __rb_l=(\${__rb_l##*) }) && __rb_ws="$$ \${__rb_l[19]}"; unset -v __rb_l
exec 8<> <(:) || exit 98
[[ -p /dev/fd/8 ]] || exit 98
printf '__RB_READY_%s__\\n' ${readyNonce}
while LC_ALL=C IFS= read -r -N 10 __rb_h && LC_ALL=C IFS= read -r -N "$((10#$__rb_h))" __rb_t; do
  __rb_h=\${__rb_t%%$'\\n'*}; __rb_t=\${__rb_t#*$'\\n'}
  __rb_n=\${__rb_h%% *} __rb_mk=\${__rb_h#* } __rb_sig=
  [[ $__rb_mk == - ]] && __rb_mk=
  if [[ -n $__rb_stale ]]; then
    exec 3>&- 4>&-
    for __rb_i in $__rb_o $__rb_e; do
      { read -r __rb_l < "/proc/$__rb_i/stat"; } 2>/dev/null || continue
      __rb_l=\${__rb_l##*) }; [[ $__rb_l == Z* ]] && continue; __rb_l=\${__rb_l#* }
      [[ \${__rb_l%% *} == "$$" ]] || continue
      { { cat >/dev/null 2>&1 3>&- 4>&- 8>&- 9>&- & } < "/proc/$__rb_i/fd/0"; } 2>/dev/null
      kill -KILL "$__rb_i" 2>/dev/null
    done
    wait $__rb_o $__rb_e 2>/dev/null
    __rb_o= __rb_e= __rb_stale=
  fi
  printf '__RB_S_%s__\\n' "$__rb_n" >&2
${markerPrepLines('__rb_mk')}
  if [[ -z $__rb_o ]]; then
    exec 3> >(exec cat 8>&- 9>&-)
    __rb_o=$!
    exec 4> >(exec cat >&2 3>&- 8>&- 9>&-)
    __rb_e=$!
  fi
  {
    (
      set +m
      printf '__RB_S_%s__\\n%d\\n' "$__rb_n" "$BASHPID" >&5
      ${markerStartLine('__rb_mb', '__rb_ws')}
      unset -v __rb_o __rb_e __rb_stale __rb_p __rb_ws __rb_l __rb_h __rb_n __rb_mk __rb_st __rb_sig __rb_w __rb_z __rb_mf __rb_mt __rb_mb __rb_pr __rb_i __rb_a
      exec 5>&- 8>&- 9>&- 2>&4 4>&- 3>&-
      eval "unset -v __rb_t; $__rb_t"
    ) </dev/null 5>&1 1>&3 &
    __rb_p=$! __rb_t=
    while :; do
      wait "$__rb_p"; __rb_st=$?
      { read -r __rb_l < "/proc/$__rb_p/stat"; } 2>/dev/null || break
      __rb_l=\${__rb_l##*) }; __rb_l=\${__rb_l#* }; [[ \${__rb_l%% *} == "$$" ]] || break
      [[ -n $__rb_z ]] || { exec 9<> <(:); __rb_z=1; }
      read -r -t 1 -u 9
    done
  } 2>&8
  __rb_w=
  while read -r -t 0 -u 8; do IFS= read -r -t 1 -u 8 __rb_l; __rb_w+="$__rb_l"$'\n'; done
  ((__rb_st > 128)) && [[ -n $__rb_w ]] && __rb_sig=$(kill -l $((__rb_st - 128)) 2>/dev/null)
  ((__rb_st == 127)) && [[ $__rb_w == *'No record of process'* ]] && __rb_sig=LOST
  if [[ -n $__rb_mk ]]; then
${markerEndLines('__rb_mk', '__rb_st', '__rb_sig')}
  fi
  printf '__RB_E_%s_%s_%s__\\n' "$__rb_n" "$__rb_st" "$__rb_sig" >&3
  printf '__RB_E_%s__\\n' "$__rb_n" >&4
  kill -0 -- "-$__rb_p" 2>/dev/null && __rb_stale=1
  __rb_p=
done
`;
}

export const readyLine = (nonce: string): string => `__RB_READY_${nonce}__\n`;

/**
 * The frame that makes the driver run one step: `text` is stepText's output (script.ts), `marker`
 * the attempt-marker name or undefined. Returned as bytes: the length prefix counts bytes.
 */
export function stepFrame(nonce: string, text: string, marker?: string): Buffer {
  if (marker !== undefined) assertMarkerName(marker); // a file name on the host, and one word of the header
  const payload = Buffer.from(`${nonce} ${marker ?? '-'}\n${text.includes('\0') ? text.replaceAll('\0', '') : text}`);
  if (payload.length > 9_999_999_999) throw new RangeError('step text too large for one frame');
  return Buffer.concat([Buffer.from(String(payload.length).padStart(10, '0')), payload]);
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
