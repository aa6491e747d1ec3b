#!/bin/sh
# fuzz/smoke.sh [SECONDS]: build the fuzz targets and run each one SECONDS
# seconds (default 60, or $FUZZ_SMOKE_SECONDS) from the committed corpus and
# regressions, in a temporary work directory.  Exits non-zero if any target
# finds anything; the failing inputs are copied to build/fuzz/findings/ and
# printed in hex.  Exit status 3 if the build failed.  CI runs it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
secs=${1:-${FUZZ_SMOKE_SECONDS:-60}}
build=${HTTPMSG_FUZZ_BUILD:-$root/build/fuzz}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=""
for t in request response both split pause; do
  status=0
  FUZZ_WORK="$tmp/$t" "$here/run.sh" "$t" "$secs" >"$tmp/$t.log" 2>&1 || status=$?
  if [ "$status" = 3 ]; then
    cat "$tmp/$t.log" >&2
    echo "fuzz smoke: building the fuzz targets failed" >&2
    exit 3
  fi
  if [ "$status" = 0 ]; then
    stats=$(grep -E "stat::number_of_executed_units|stat::average_exec_per_sec" "$tmp/$t.log" | awk '{print $2}' | tr '\n' ' ')
    cov=$(grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE)" "$tmp/$t.log" | tail -n 1 | grep -oE "cov: [0-9]+ ft: [0-9]+" || true)
    echo "fuzz smoke: $t ok (runs, execs/s: $stats; $cov)"
  else
    failed="$failed $t"
    echo "fuzz smoke: $t FAILED; the end of its log:"
    tail -n 80 "$tmp/$t.log"
    mkdir -p "$build/findings/$t"
    for f in "$tmp/$t"/crash-* "$tmp/$t"/leak-* "$tmp/$t"/timeout-* "$tmp/$t"/oom-*; do
      [ -f "$f" ] || continue
      cp "$f" "$build/findings/$t/"
      echo "input $build/findings/$t/$(basename "$f") in hex:"
      od -An -tx1 -v "$f" | tr -d ' \n' | fold -w 120
      echo
    done
  fi
done
if [ -n "$failed" ]; then
  echo "fuzz smoke: findings in:$failed" >&2
  exit 1
fi
echo "fuzz smoke: all targets ran ${secs}s without findings"
