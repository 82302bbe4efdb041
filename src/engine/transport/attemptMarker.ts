// Per-attempt markers on the host (issue 9, item 6): the step wrapper (script.ts) writes one small
// file per attempt of a step body, so that after a crash of the runbook process (or a lost
// connection) the next run can tell whether the earlier attempt is still running there, has ended
// (and with which exit code), or left no trace.
//
// Where: `/tmp/runbook-$EUID/<name>`, `<name>` = `<key>-<attempt>` with `<key>` a hash of the state
// file, the step id and the host name (so neither names nor paths are written on the host). /tmp,
// not $XDG_RUNTIME_DIR: logind removes the runtime dir when the user's last session ends, which is
// what a crash of the only runbook connection does. The directory is created 0700 and used only if
// it is a real directory (not a symlink) owned by the step's user; otherwise no marker is written
// and the step runs as before. Inside a 0700 directory of our own, no one else can plant a symlink.
//
// Contents (one `key value` per line, no secrets): pid ($BASHPID: in a session step $$ is the
// session shell's) and process group of the shell running the step, its
// start time in clock ticks since boot (/proc/PID/stat field 22, so a reused pid is not mistaken for
// it), the boot id, the start time (epoch seconds), and, once the body has ended, its exit code and
// end time. The body runs in a subshell so that neither `exit` nor the step's own EXIT trap can keep
// the wrapper from writing the end; the wrapping shell outlives a SIGTERM until the body is gone.
//
// Clean-up: a new attempt of the same step on the same host removes the earlier attempts' markers
// by name (the runner decided about them before starting it; no glob, which would read the whole
// directory on every step); once a day (a stamp file), markers older than
// 7 days are removed.

const NAME = /^[0-9a-f]{16,64}-[0-9]{1,9}$/;

/** The marker name of one attempt: `<key>-<attempt>`, key from a stable hash the caller computes. */
export function markerName(key: string, attempt: number): string {
  const name = `${key}-${attempt}`;
  if (!NAME.test(name)) throw new Error(`bad attempt marker name ${JSON.stringify(name)}`);
  return name;
}

/** Throws unless name is a marker name (`<hex key>-<attempt>`): it becomes a file name on the host. */
export function assertMarkerName(name: string): void {
  if (!NAME.test(name)) throw new Error(`bad attempt marker name ${JSON.stringify(name)}`);
}

const DIR = '/tmp/runbook-$EUID';

/** One line of bash run before the step body (which follows in `(`...`)`), writing the start of the marker. */
export function markerPrologue(name: string): string {
  assertMarkerName(name);
  const key = name.slice(0, name.lastIndexOf('-'));
  const attempt = Number(name.slice(name.lastIndexOf('-') + 1));
  // The earlier attempts' markers by name (brace expansion), not by a glob: a glob reads the whole
  // directory, which holds a marker per step, host and state file for 7 days, on every step.
  // (At most the last 1000: older ones go with the 7-day prune.)
  const from = Math.max(1, attempt - 1000);
  const earlier = attempt - 1 > from ? `"$__rb_md"/${key}-{${from}..${attempt - 1}}` : attempt - 1 === from ? `"$__rb_md"/${key}-${from}` : '';
  // One line (the body's line numbers stay as the step author wrote them).
  return (
    `__rb_mf= __rb_md=${DIR}; { [[ -d $__rb_md ]] || mkdir -m 0700 -- "$__rb_md"; } 2>/dev/null; ` +
    `if [[ -d $__rb_md && ! -L $__rb_md && -O $__rb_md ]]; then ` +
    (earlier ? `rm -f -- ${earlier}; ` : '') +
    `__rb_ms= __rb_mb= __rb_ma=(); { read -r __rb_ms < /proc/$BASHPID/stat; read -r __rb_mb < /proc/sys/kernel/random/boot_id; } 2>/dev/null; ` +
    `[[ -n $__rb_ms ]] && read -ra __rb_ma <<< "\${__rb_ms##*) }"; ` +
    `__rb_mf=$__rb_md/${name}; ` +
    `printf 'pid %s\\npgid %s\\nstarttime %s\\nboot %s\\nstarted %(%s)T\\n' "$BASHPID" "\${__rb_ma[2]}" "\${__rb_ma[19]}" "$__rb_mb" -1 > "$__rb_mf" 2>/dev/null || __rb_mf=; ` +
    `__rb_mn=; { read -r __rb_mn < "$__rb_md/.pruned"; } 2>/dev/null; [[ $__rb_mn =~ ^[0-9]+$ ]] || __rb_mn=0; printf -v __rb_mt '%(%s)T' -1; ` +
    `if (( __rb_mt - __rb_mn > 86400 )); then { printf '%s\\n' "$__rb_mt" > "$__rb_md/.pruned"; find "$__rb_md" -maxdepth 1 -type f -name '*-*' -mtime +7 -delete; } 2>/dev/null; fi; ` +
    `fi; unset __rb_md __rb_ms __rb_mb __rb_ma __rb_mn __rb_mt; ` +
    // SIGTERM (an abort or timeout) must not end this shell before the body: the kill escalates to
    // SIGKILL for a body that ignores TERM, and the step ends when the body is gone. A trap (not an
    // ignore) is reset in the subshell, so the body gets TERM as before and may trap it itself.
    `trap : TERM; `
  );
}

/**
 * Session mode (sessionProtocol.ts), the half of the marker's start the session shell does before it
 * forks the step: bash lines of the session shell's loop (not a function: the step's subshell would
 * have to unset it, and freeing a function's parsed body touches page after page of the fork's heap)
 * for the marker named `$name` (empty: none). They check the directory (making it if missing), remove
 * the earlier attempts' markers (named from the name's attempt number: no glob), prune once a day,
 * and set `__rb_mf` to the marker's path (empty when no marker can be written there) and `__rb_mt`
 * to the start time (epoch seconds); the stamp file is looked at once a day per session (`__rb_pr`,
 * the last look, starts at 0). Uses `__rb_l`, `__rb_i` and the array `__rb_a`. Done in the session
 * shell rather than in the step's fresh fork, where each page of bash it runs is a page fault (tens
 * of microseconds each on a VM): the step's subshell only writes the file (markerStartLine), before
 * its body runs, as exec mode's prologue does.
 */
export function markerPrepLines(name: string): string {
  return `  __rb_mf=
  if [[ -n $${name} ]]; then
    if ((BASH_VERSINFO[0] > 4)); then __rb_mt=$EPOCHSECONDS; else printf -v __rb_mt '%(%s)T' -1; fi
    __rb_l=${DIR}
    { [[ -d $__rb_l ]] || mkdir -m 0700 -- "$__rb_l"; } 2>/dev/null
    if [[ -d $__rb_l && ! -L $__rb_l && -O $__rb_l ]]; then
      __rb_mf=$__rb_l/$${name}
      __rb_i=\${${name}##*-}
      if ((__rb_i > 1)); then
        __rb_a=()
        for ((__rb_i = __rb_i > 1001 ? __rb_i - 1000 : 1; __rb_i < \${${name}##*-}; __rb_i++)); do __rb_a+=("$__rb_l/\${${name}%-*}-$__rb_i"); done
        rm -f -- "\${__rb_a[@]}"
        __rb_a=()
      fi
      if ((__rb_mt - __rb_pr > 86400)); then
        __rb_pr=$__rb_mt __rb_i=
        { read -r __rb_i < "$__rb_l/.pruned"; } 2>/dev/null; [[ -n $__rb_i && $__rb_i != *[!0-9]* ]] || __rb_i=0
        if ((__rb_mt - __rb_i > 86400)); then { printf '%s\\n' "$__rb_mt" > "$__rb_l/.pruned"; find "$__rb_l" -maxdepth 1 -type f -name '*-*' -mtime +7 -delete; } 2>/dev/null; fi
      fi
    fi
  fi`;
}

/**
 * Session mode: the line the step's own subshell runs first (before its body) when the session shell
 * prepared a marker (`__rb_mf`, markerPrepLines): writes its pid, process group and start time in
 * clock ticks (from its /proc stat), the boot id (`$boot`, read once by the session shell), the start
 * time `__rb_mt`, and the writer of its end (`$writer`: the session shell's `PID STARTTIME`).
 */
export function markerStartLine(boot: string, writer: string): string {
  return `[[ -n $__rb_mf ]] && { read -r __rb_l < /proc/$BASHPID/stat; __rb_l=(\${__rb_l##*) }); printf 'pid %s\\npgid %s\\nstarttime %s\\nboot %s\\nstarted %s\\nwriter %s\\n' "$BASHPID" "\${__rb_l[2]}" "\${__rb_l[19]}" "$${boot}" "$__rb_mt" "$${writer}" > "$__rb_mf"; } 2>/dev/null`;
}

/**
 * Session mode: bash lines run by the session shell once the step (its child) has ended, before it
 * reports the end: appends the exit status (`$status`, 128+n for a signal, as the exec-mode
 * epilogue records it) and end time to the marker named `$name` if the step wrote one; `lost 1`
 * when `$sig` is LOST (the shell lost the step's status). Uses the variable `__rb_l`.
 */
export function markerEndLines(name: string, status: string, sig: string): string {
  return `    __rb_l=${DIR}
    if [[ -d $__rb_l && ! -L $__rb_l && -O $__rb_l && -f $__rb_l/$${name} && ! -L $__rb_l/$${name} ]]; then
      if [[ $${sig} == LOST ]]; then printf 'lost 1\\n'; elif ((BASH_VERSINFO[0] > 4)); then printf 'exit %s\\nended %s\\n' "$${status}" "$EPOCHSECONDS"; else printf 'exit %s\\nended %(%s)T\\n' "$${status}" -1; fi 2>/dev/null >> "$__rb_l/$${name}"
    fi`;
}

/**
 * What follows the body's closing `)`: records the exit code, then ends the same way the body did:
 * a status of 128+n (the body's shell killed by signal n) is passed on as that signal, so the step
 * is reported killed by it as without the subshell; else it exits with the code.
 */
export const MARKER_EPILOGUE =
  `__rb_mst=$?; [[ -n $__rb_mf ]] && printf 'exit %s\\nended %(%s)T\\n' "$__rb_mst" -1 >> "$__rb_mf" 2>/dev/null; ` +
  `if (( __rb_mst > 128 && __rb_mst < 160 )); then trap - TERM; kill -s $((__rb_mst - 128)) $BASHPID; fi; exit $__rb_mst`;

/**
 * Bash that looks for the attempt's marker and prints one `runbook-attempt ...` line per finding:
 * `none` (no marker), `gone` (its process is not running and it recorded no end: killed, or the
 * host rebooted), `ended CODE EPOCH`, or `running PID PGID STARTED-EPOCH` and then, after waiting
 * up to waitSeconds for it to end, one of `ended ...`, `gone` or `still-running PID PGID STARTED`.
 * Run as the same user the attempt ran as (same sudo/become), else the marker is not found.
 */
export function markerCheckScript(name: string, waitSeconds: number): string {
  if (!NAME.test(name)) throw new Error(`bad attempt marker name ${JSON.stringify(name)}`);
  const wait = Math.max(0, Math.floor(waitSeconds));
  return `d=${DIR}; f=$d/${name}
if ! [[ -d $d && ! -L $d && -O $d && -f $f && ! -L $f ]]; then echo 'runbook-attempt none'; exit 0; fi
declare -A m=()
load() { local k v; m=(); while read -r k v; do m[$k]=$v; done < "$f"; }
alive() {
  local l a; { read -r l < "/proc/\${m[pid]}/stat"; } 2>/dev/null || return 1
  read -ra a <<< "\${l##*) }"
  [[ \${a[0]} != Z && \${a[19]} == "\${m[starttime]}" ]]
}
boot=; { read -r boot < /proc/sys/kernel/random/boot_id; } 2>/dev/null
writer_alive() {
  local l a w=(\${m[writer]})
  [[ -n \${w[0]} ]] || return 1
  { read -r l < "/proc/\${w[0]}/stat"; } 2>/dev/null || return 1
  read -ra a <<< "\${l##*) }"
  [[ \${a[0]} != Z && \${a[19]} == "\${w[1]}" ]]
}
verdict() {
  load
  if [[ -n \${m[exit]} ]]; then echo "runbook-attempt ended \${m[exit]} \${m[ended]}"; return 0; fi
  if [[ -n \${m[pid]} && \${m[boot]} == "$boot" ]] && alive; then return 1; fi
  # A session step's end is written by its session shell (the writer), just after the step's shell
  # has ended: while that shell lives, give it time to write (bounded: 10 s).
  if [[ \${m[boot]} == "$boot" ]]; then
    for ((j = 0; j < 40; j++)); do
      load
      [[ -n \${m[exit]} || -n \${m[lost]} ]] && break
      writer_alive || break
      sleep 0.25
    done
  fi
  load
  if [[ -n \${m[exit]} ]]; then echo "runbook-attempt ended \${m[exit]} \${m[ended]}"; else echo 'runbook-attempt gone'; fi
  return 0
}
verdict && exit 0
echo "runbook-attempt running \${m[pid]} \${m[pgid]} \${m[started]}"
for ((i = 0; i < ${wait} * 4; i++)); do
  sleep 0.25
  alive || break
done
verdict && exit 0
echo "runbook-attempt still-running \${m[pid]} \${m[pgid]} \${m[started]}"
`;
}

export type MarkerFinding =
  | { readonly kind: 'none' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'ended'; readonly exitCode: number; readonly endedAt?: Date }
  | { readonly kind: 'running' | 'still-running'; readonly pid: number; readonly pgid?: number; readonly startedAt?: Date };

/** Parse one `runbook-attempt ...` line of the check script (undefined for anything else). */
export function parseMarkerLine(line: string): MarkerFinding | undefined {
  const w = line.trim().split(/\s+/);
  if (w[0] !== 'runbook-attempt') return undefined;
  const num = (s: string | undefined): number | undefined => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
  const when = (s: string | undefined): Date | undefined => (num(s) !== undefined ? new Date(num(s)! * 1000) : undefined);
  switch (w[1]) {
    case 'none':
    case 'gone':
      return { kind: w[1] };
    case 'ended': {
      const code = num(w[2]);
      return code === undefined ? { kind: 'gone' } : { kind: 'ended', exitCode: code, endedAt: when(w[3]) };
    }
    case 'running':
    case 'still-running': {
      const pid = num(w[2]);
      return pid === undefined ? undefined : { kind: w[1], pid, pgid: num(w[3]), startedAt: when(w[4]) };
    }
    default:
      return undefined;
  }
}
