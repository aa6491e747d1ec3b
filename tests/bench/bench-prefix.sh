#!/bin/sh
# tests/bench/bench-prefix.sh PREFIX: a prefix for the shared peer benchmark
# (../shared/bench/run.sh, HTTPMSG_PREFIX=PREFIX) holding two builds of the
# library in one libhttpmsg.a: the default Release build (no -march flags),
# and a copy built with -march=native whose symbols start hmnat_ instead of
# httpmsg_.  tests/bench/adapter_httpmsg.c registers that copy as
# "hm-native" when it is linked, so that both builds are measured in the
# same run.  Needs cmake, nm, objcopy, ld and ar.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 PREFIX" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
prefix=$1
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
opts="-DCMAKE_BUILD_TYPE=Release -DHTTPMSG_BUILD_TESTS=OFF -DHTTPMSG_BUILD_EXAMPLES=OFF -DHTTPMSG_BUILD_FUZZERS=OFF"
cmake -S "$root" -B "$prefix/build-default" $opts >/dev/null
cmake --build "$prefix/build-default" --target httpmsg_static -j >/dev/null
cmake -S "$root" -B "$prefix/build-native" $opts -DCMAKE_C_FLAGS=-march=native >/dev/null
cmake --build "$prefix/build-native" --target httpmsg_static -j >/dev/null

work="$prefix/objs"
rm -rf "$work"
mkdir -p "$work/default" "$work/native" "$prefix/lib" "$prefix/include"
(cd "$work/default" && ar x "$prefix/build-default/libhttpmsg.a")
(cd "$work/native" && ar x "$prefix/build-native/libhttpmsg.a")
nm -g "$prefix/build-native/libhttpmsg.a" | awk '$NF ~ /^httpmsg/ { print $NF, "hmnat" substr($NF, 8) }' | sort -u >"$work/renames"
for o in "$work/native"/*.o; do
  objcopy --redefine-syms="$work/renames" "$o" "$work/native/native-$(basename "$o")"
  rm "$o"
done
# one object, so that linking the default build pulls in the copy too (a
# weak reference alone would not take an archive member)
ld -r -o "$work/httpmsg-both.o" "$work/default"/*.o "$work/native"/*.o
rm -f "$prefix/lib/libhttpmsg.a"
ar rcs "$prefix/lib/libhttpmsg.a" "$work/httpmsg-both.o"
cp "$root/include/httpmsg.h" "$prefix/include/"
echo "$prefix: libhttpmsg.a with the default build (httpmsg_*) and a -march=native copy (hmnat_*)"
