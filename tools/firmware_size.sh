#!/usr/bin/env bash
# Flash and RAM of each firmware demo of a bare-metal preset, from the linked
# image (after --gc-sections), split by where the bytes come from:
#   runtime   runtime/src (loader, session, executor, C API)
#   kernels   runtime/kernels (every reference kernel the executor can call)
#   weights   the model blob (the --emit-c array, used in place from flash)
#   test data the embedded sample inputs and golden outputs (demo only)
#   other     demo, start-up, semihosting, libc/libm/libgcc, alignment
#             padding (flash total minus the rest)
# Flash is text + rodata + the .data load image; RAM is .data + .bss; the
# stack is reserved by the linker script (16 KiB) and reported apart: its
# high-water mark measured by running the image under QEMU. Totals are arm-none-eabi-size's.
# Usage: bash tools/firmware_size.sh [PRESET...]   (default: all three boards)
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(cortex-m4 cortex-m7 cortex-m55)
kernel_objs=$(find runtime/kernels -name '*.cpp' -printf '%f.obj\n' | sort | tr '\n' ' ')

printf '| board | model | runtime | kernels | weights | test data | other | flash total | arena | RAM total (data+bss) | stack used |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for preset in "${presets[@]}"; do
  dir=build/$preset/firmware
  if ! compgen -G "$dir/fw_*.elf" >/dev/null; then
    echo "no firmware in $dir: cmake --preset $preset && cmake --build --preset $preset" >&2
    exit 1
  fi
  machine=$(sed -n 's/^set(EDGEAE_BOARD_QEMU_MACHINE \(.*\))$/\1/p' "boards/$preset/board.cmake")
  for elf in "$dir"/fw_*.elf; do
    name=$(basename "$elf" .elf)
    # The demos only: the bench and kernel-test images link every kernel set.
    case $name in fw_bench_* | fw_kernel_tests) continue ;; esac
    model=${name#fw_}
    map=$dir/$name.map
    split=$(awk -v model="$model" -v kernels="$kernel_objs" '
      function hex(s,   v, i) {
        v = 0; s = tolower(substr(s, 3))
        for (i = 1; i <= length(s); ++i) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v
      }
      BEGIN { n = split(kernels, k, " "); for (i = 1; i <= n; ++i) is_kernel[k[i]] = 1 }
      function flush(   i, size) {
        # The map lists merged string sections with their size before
        # merging: an entry spans at most up to the next entry.
        for (i = 1; i <= n_in; ++i) {
          size = i < n_in ? addr[i + 1] - addr[i] : out_end - addr[i]
          if (size > sz[i]) size = sz[i]
          if (size > 0) flash[cat[i]] += size
        }
        n_in = 0
      }
      /^Linker script and memory map/ { on = 1; next }
      !on { next }
      /^[.A-Za-z_]/ {                                  # an output section
        flush(); out = $1
        counted = out == ".text" || out == ".ARM.exidx" || out == ".data"
        out_end = NF >= 3 ? hex($2) + hex($3) : 0
        next
      }
      # A 3-field line within the output section header (long name).
      out_end == 0 && NF == 2 && $1 ~ /^0x/ && $2 ~ /^0x/ { out_end = hex($1) + hex($2); next }
      {
        # An input section: [name] ADDRESS SIZE FILE (the name may be on
        # the line before).
        if (!counted || NF < 3 || $(NF-2) !~ /^0x[0-9a-f]+$/ || $(NF-1) !~ /^0x[0-9a-f]+$/) next
        file = $NF
        if (file ~ /libedgeae_runtime\.a\(/) {
          obj = file; sub(/.*\(/, "", obj); sub(/\)$/, "", obj)
          c = (obj in is_kernel) ? "kernels" : "runtime"
        } else if (file ~ ("/" model "\\.c\\.obj$")) c = "weights"
        else if (file ~ /demo_data\.c\.obj$/) c = "testdata"
        else c = "other"
        ++n_in; addr[n_in] = hex($(NF-2)); sz[n_in] = hex($(NF-1)); cat[n_in] = c
      }
      END { flush(); printf "%d %d %d %d\n", flash["runtime"], flash["kernels"], flash["weights"], flash["testdata"] }
    ' "$map")
    read -r rt kn wt td <<<"$split"
    read -r text data bss <<<"$(arm-none-eabi-size -A "$elf" | awk '
      $1 == ".text" || $1 == ".ARM.exidx" { t += $2 } $1 == ".data" { d += $2 } $1 == ".bss" { b += $2 }
      END { print t + 0, d + 0, b + 0 }')"
    arena=$(arm-none-eabi-nm -S "$elf" | awk '$4 == "arena" { print $2 }')
    arena=$((16#${arena:-0}))
    stack=""
    if [ -n "$machine" ]; then
      stack=$(timeout 60 qemu-system-arm -M "$machine" -display none -monitor none -serial none \
        -semihosting-config enable=on,target=native -kernel "$elf" </dev/null 2>&1 |
        grep -o 'stack used [0-9]*' | awk '{print $3}' || true)
    fi
    printf '| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %s |\n' "$preset" "$model" \
      "$rt" "$kn" "$wt" "$td" $((text + data - rt - kn - wt - td)) $((text + data)) "$arena" $((data + bss)) "${stack:-?}"
  done
done
