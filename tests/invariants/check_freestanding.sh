#!/usr/bin/env bash
# Checks a runtime static library for what a freestanding build must not have:
# heap or exception references, thread-safe-static guards, static constructors,
# and mutable globals (.data/.bss symbols). Usage: check_freestanding.sh LIB.a
set -euo pipefail
lib=$1
nm_tool=${NM:-nm}
symbols=$("$nm_tool" -C "$lib")
fail=0
forbidden_undefined='^(malloc|calloc|realloc|free|operator new.*|operator delete.*|__cxa_throw|__cxa_allocate_exception|__cxa_guard_acquire|__gxx_personality_v0|_Unwind_Resume)$'
undefined=$(printf '%s\n' "$symbols" | awk '$1 == "U" { $1 = ""; sub(/^ /, ""); print }' | sort -u)
bad=$(printf '%s\n' "$undefined" | grep -E "$forbidden_undefined" || true)
if [ -n "$bad" ]; then echo "forbidden undefined references:"; echo "$bad"; fail=1; fi
mutable=$(printf '%s\n' "$symbols" | awk 'NF >= 3 && $2 ~ /^[bBdDcCgGsS]$/ { print }' || true)
if [ -n "$mutable" ]; then echo "mutable globals (.data/.bss):"; echo "$mutable"; fail=1; fi
ctors=$(printf '%s\n' "$symbols" | grep -E '_GLOBAL__sub_I|__static_initialization' || true)
if [ -n "$ctors" ]; then echo "static constructors:"; echo "$ctors"; fail=1; fi
count=$(printf '%s\n' "$undefined" | grep -c . || true)
echo "checked $lib: $count undefined symbols, none forbidden; no mutable globals; no static constructors"
[ $fail -eq 0 ] && echo "OK" || { echo "FAILED"; exit 1; }
