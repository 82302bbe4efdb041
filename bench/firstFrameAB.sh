#!/usr/bin/env bash
# The player's first frame, alternated between builds of runbook (A/B on a loaded machine):
#   ROUNDS=12 bench/firstFrameAB.sh RUNBOOK_ARGS -- CLI_DIR... [node]
# Each round plays `runbook play RUNBOOK_ARGS` once with each CLI_DIR's bin/runbook (a copy of a
# built checkout: bin/, dist/, package.json, node_modules linked; remove its
# dist/bundle/quick/play.cjs.cache to get its ES module bundle) in a pseudo-terminal (util-linux
# script, 80x24), no .runbook/ beside the runbook (a first play), and exits at the first frame
# (bench/firstFrameProbe.cjs); `node` runs `node -e 0` for the baseline. Prints, per build, the
# medians of wall time, process CPU, main thread CPU and wall minus the main thread's wait for a
# CPU (ms since the process started), then every run's main thread CPU.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
args=()
while [ "$1" != -- ]; do args+=("$1"); shift; done
shift
ROUNDS=${ROUNDS:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
book=${args[0]}
state_dir=$(dirname "$(realpath "$book")")/.runbook
q() { printf "'%s' " "${@//\'/\'\\\'\'}"; }
for _ in $(seq "$ROUNDS"); do
  for v in "$@"; do
    rm -rf "$state_dir"
    name=$(basename "$v")
    if [ "$v" = node ]; then cmd="node --require $(q "$here/firstFrameProbe.cjs") -e 0"
    else cmd="node --require $(q "$here/firstFrameProbe.cjs") $(q "$v/bin/runbook") play $(q "${args[@]}")"; fi
    FIRST_FRAME_OUT="$out/$name" script -qec "stty cols 80 rows 24; $cmd" /dev/null </dev/null >/dev/null
  done
done
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $ROUNDS rounds"
for v in "$@"; do
  f="$out/$(basename "$v")"
  echo "$(basename "$v"): wall $(cut -d' ' -f1 "$f" | med), CPU $(cut -d' ' -f2 "$f" | med), main thread CPU $(cut -d' ' -f3 "$f" | med), wall minus run-queue wait $(awk '{print $1 - $4}' "$f" | med); main thread CPU runs: $(cut -d' ' -f3 "$f" | tr '\n' ' ')"
done
