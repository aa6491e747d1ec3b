#!/bin/sh
# check_symbols.sh STATIC_LIB SHARED_LIB
# 1. The library's objects reference no allocator: lib/ never allocates.
# 2. The shared library exports nothing but httpmsg_* symbols.
set -u
static=$1 shared=$2
nm=${NM:-nm}
fail=0
alloc=$($nm -u "$static" | grep -Ew '(malloc|calloc|realloc|free|strdup|strndup|aligned_alloc|posix_memalign|memalign|valloc|reallocarray)' || true)
if [ -n "$alloc" ]; then
  echo "FAIL: the library references allocator symbols:"; echo "$alloc"; fail=1
else
  echo "ok: no allocator symbol referenced by $(basename "$static")"
fi
exported=$($nm -D --defined-only "$shared" | awk '$2 ~ /^[TDRBVW]$/ {print $3}')
bad=$(printf '%s\n' "$exported" | grep -v '^httpmsg_' | grep -v '^$' || true)
if [ -n "$bad" ]; then
  echo "FAIL: exported symbols without the httpmsg_ prefix:"; echo "$bad"; fail=1
else
  echo "ok: $(printf '%s\n' "$exported" | grep -c .) exported symbols, all httpmsg_*"
fi
internal=$(printf '%s\n' "$exported" | grep '^httpmsg__' || true)
if [ -n "$internal" ]; then
  echo "FAIL: internal symbols exported:"; echo "$internal"; fail=1
fi
exit $fail
