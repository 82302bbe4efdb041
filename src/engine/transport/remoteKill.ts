// The bash script that stops an aborted remote step: it kills the process tree rooted at the step's
// login-shell pid (children found through /proc, so `sudo` with use_pty and subshells are covered),
// SIGTERM first, SIGKILL after the grace period for whatever is still alive (including processes
// forked in the meantime and those re-parented after their parent died).

/** Script for `bash -s` that kills the tree rooted at `pid`, escalating after `graceMs`. */
export function remoteKillScript(pid: number, graceMs: number): string {
  const tenths = Math.max(1, Math.ceil(graceMs / 100));
  return `
root=${pid}
grace=${tenths}
declare -A seen=()
tree() {
  local -A kids=()
  local s l p r ppid
  for s in /proc/[0-9]*/stat; do
    { read -r l < "$s"; } 2>/dev/null || continue
    p=\${l%% *}; r=\${l##*) }; r=\${r#* }; ppid=\${r%% *}
    kids[$ppid]+=" $p"
  done
  local -a queue=("$@")
  while ((\${#queue[@]})); do
    p=\${queue[0]}; queue=("\${queue[@]:1}")
    seen[$p]=1
    queue+=(\${kids[$p]})
  done
}
alive_proc() {
  local l
  { read -r l < "/proc/$1/stat"; } 2>/dev/null || return 1
  l=\${l##*) }
  [[ \${l%% *} != Z ]]
}
tree "$root"
kill -TERM \${!seen[@]} 2>/dev/null
kill -TERM -- -"$root" 2>/dev/null
for ((i = 0; i < grace; i++)); do
  alive=()
  for p in \${!seen[@]}; do alive_proc "$p" && alive+=("$p"); done
  ((\${#alive[@]})) || exit 0
  tree "\${alive[@]}"
  sleep 0.1
done
tree \${!seen[@]}
kill -KILL \${!seen[@]} 2>/dev/null
kill -KILL -- -"$root" 2>/dev/null
exit 0
`;
}
