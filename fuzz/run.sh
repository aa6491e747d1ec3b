#!/bin/sh
# fuzz/run.sh TARGET [SECONDS [LIBFUZZER-OPTIONS...]]
#
# Build the libFuzzer targets with clang if needed (in build/fuzz, or
# $HTTPMSG_FUZZ_BUILD) and run TARGET (request, response, both, split or
# pause) for SECONDS (default 600; 0: until stopped), single process, with
# fuzz/http.dict.  It starts from fuzz/corpus/TARGET and fuzz/regressions/TARGET
# (request, response and both, which read the same format, from all three)
# and writes what it finds to a work directory (build/fuzz/work/TARGET, or
# $FUZZ_WORK): new inputs to corpus/, failing ones as crash-*, leak-*,
# timeout-*, oom-*.  Exit status: libFuzzer's, non-zero on any finding.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
usage() { echo "usage: fuzz/run.sh request|response|both|split|pause [SECONDS [LIBFUZZER-OPTIONS...]]" >&2; exit 2; }
[ $# -ge 1 ] || usage
target=$1
shift
case $target in request|response|both|split|pause) ;; *) usage ;; esac
secs=600
if [ $# -ge 1 ]; then secs=$1; shift; fi

build=${HTTPMSG_FUZZ_BUILD:-$root/build/fuzz}
mkdir -p "$build"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=${CC:-clang} cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHTTPMSG_BUILD_FUZZERS=ON \
    -DHTTPMSG_BUILD_TESTS=OFF -DHTTPMSG_BUILD_EXAMPLES=OFF >/dev/null
fi
if ! cmake --build "$build" --target "fuzz-$target" -j"$(nproc 2>/dev/null || echo 2)" >"$build/build-$target.log" 2>&1; then
  cat "$build/build-$target.log" >&2
  echo "fuzz/run.sh: building fuzz-$target failed" >&2
  exit 3
fi

work=${FUZZ_WORK:-$build/work/$target}
mkdir -p "$work/corpus"
# request, response and both read the same input format: each starts from all three
case $target in request|response|both) seeds="request response both" ;; *) seeds=$target ;; esac
set -- -dict="$here/http.dict" -max_total_time="$secs" -timeout=10 -artifact_prefix="$work/" \
  -print_final_stats=1 "$@" "$work/corpus"
for s in $seeds; do
  for d in "$here/corpus/$s" "$here/regressions/$s"; do
    [ -d "$d" ] && set -- "$@" "$d"
  done
done
echo "fuzz/run.sh: $target for ${secs}s; new inputs in $work/corpus, findings as $work/crash-* etc." >&2
status=0
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} "$build/fuzz/fuzz-$target" "$@" || status=$?
if [ "$status" != 0 ]; then
  echo "fuzz/run.sh: $target found something (exit $status):" >&2
  for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* "$work"/slow-unit-*; do
    [ -f "$f" ] || continue
    echo "  $f" >&2
    od -An -c "$f" | head -n 20 >&2
  done
  echo "minimise: $build/fuzz/fuzz-$target -minimize_crash=1 -runs=100000 -exact_artifact_path=SHORT FILE" >&2
  echo "then keep it: mv SHORT fuzz/regressions/$target/<short-name>" >&2
fi
exit "$status"
