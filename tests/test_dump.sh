#!/bin/sh
# test_dump.sh DUMP DIR: httpmsg-dump as a command: usage errors, exit codes,
# files and stdin, --split invariance.
set -u
dump=$1 dir=$2
# RUN: an emulator to run the program through (cross builds), may be empty
case "${RUN:-}" in "") ;; *) dump="${RUN} ${dump}" ;; esac
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # name, expected status, command...
  name=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
  if [ "$got" != "$want" ]; then echo "FAIL $name: exit $got, want $want"; cat "$tmp/err"; fail=1; else echo "ok $name"; fi
}
printf 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' > "$tmp/req"
printf 'GET / HTTP/1.1\r\nHost : a\r\n\r\n' > "$tmp/bad"
check "good request" 0 $dump --type request "$tmp/req"
check "parse error exits 1" 1 $dump --type request "$tmp/bad"
check "unknown option exits 2" 2 $dump --bogus "$tmp/req"
check "bad --type exits 2" 2 $dump --type nonsense "$tmp/req"
check "bad --split exits 2" 2 $dump --split 0 "$tmp/req"
check "bad --lenient exits 2" 2 $dump --lenient nope "$tmp/req"
printf 'POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx' > "$tmp/body1"
check "--max-body 1 takes a 1-byte body" 0 $dump --type request --max-body 1 "$tmp/body1"
check "--max-body 0 is a limit, not none" 1 $dump --type request --max-body 0 "$tmp/body1"
check "missing file exits 2" 2 $dump "$tmp/does-not-exist"
check "two files exit 2" 2 $dump "$tmp/req" "$tmp/req"
check "stdin with -" 0 sh -c "$dump - < \"$tmp/req\""
check "stdin by default" 0 sh -c "$dump < \"$tmp/req\""
check "--help exits 0" 0 $dump --help
if grep -q '^usage: httpmsg-dump' "$tmp/out"; then echo "ok --help prints to stdout"; else echo "FAIL --help prints to stdout"; fail=1; fi
# every sample gives its expected output, whole and split into pieces of 1..9 bytes
for f in "$dir"/*.http; do
  base=${f%.http}
  type=$(cat "$base.type" 2>/dev/null || echo both)
  flags=$(cat "$base.flags" 2>/dev/null || echo "")
  set -- --type "$type"
  [ -n "$flags" ] && set -- "$@" --lenient "$flags"
  want=0; [ -f "$base.status" ] && want=$(cat "$base.status")
  ok=1
  for split in 0 1 2 3 5 7 9; do
    if [ $split = 0 ]; then $dump "$@" "$f" > "$tmp/out"; else $dump "$@" --split $split "$f" > "$tmp/out"; fi
    st=$?
    if [ $st != "$want" ] || ! cmp -s "$tmp/out" "$base.expected"; then
      echo "FAIL $(basename "$f") split=$split: exit $st (want $want)"; diff "$base.expected" "$tmp/out" | head -20; fail=1; ok=0
    fi
  done
  [ $ok = 1 ] && echo "ok $(basename "$f")"
done
exit $fail
