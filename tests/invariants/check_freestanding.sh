#!/usr/bin/env bash
# Checks a runtime static library for what a freestanding build must not have:
# heap or exception references, thread-safe-static guards, static
# constructors, and mutable globals (objects in .data or .bss sections;
# .rodata and .data.rel.ro -- read-only after relocation -- are fine).
# Usage: check_freestanding.sh LIB.a   (NM and OBJDUMP select cross tools)
set -euo pipefail
lib=$1
nm_tool=${NM:-nm}
objdump_tool=${OBJDUMP:-${nm_tool%nm}objdump}
fail=0

undefined=$("$nm_tool" -C -u "$lib" | awk 'NF >= 2 && $1 == "U" { $1 = ""; sub(/^ /, ""); print }' | sort -u)
forbidden='^(malloc|calloc|realloc|free|operator new.*|operator delete.*|__cxa_throw|__cxa_allocate_exception|__cxa_guard_acquire|__gxx_personality_v0|_Unwind_Resume)$'
bad=$(printf '%s\n' "$undefined" | grep -E "$forbidden" || true)
if [ -n "$bad" ]; then echo "forbidden undefined references:"; echo "$bad"; fail=1; fi

# objdump -t: "VALUE FLAGS SECTION SIZE NAME"; object symbols in writable data.
mutable=$("$objdump_tool" -t -C "$lib" | awk '$0 ~ / O / {
  for (i = 1; i <= NF; ++i) if ($i ~ /^\./) { sec = $i; break }
  if ((sec ~ /^\.(data|bss)(\.|$)/ || sec == "COMMON" || sec ~ /^\*COM\*/) && sec !~ /^\.data\.rel\.ro/) print
}' || true)
if [ -n "$mutable" ]; then echo "mutable globals (.data/.bss):"; echo "$mutable"; fail=1; fi

ctors=$("$nm_tool" -C "$lib" | grep -E '_GLOBAL__sub_I|__static_initialization' || true)
if [ -n "$ctors" ]; then echo "static constructors:"; echo "$ctors"; fail=1; fi

count=$(printf '%s\n' "$undefined" | grep -c . || true)
if [ $fail -ne 0 ]; then echo "FAILED: $lib is not freestanding"; exit 1; fi
echo "OK: $lib: $count undefined symbols, none forbidden; no mutable globals; no static constructors"
