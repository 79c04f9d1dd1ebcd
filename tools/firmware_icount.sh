#!/usr/bin/env bash
# Instructions per inference and per MAC on the bare-metal boards, counted in
# the guest: QEMU runs with `-icount shift=0` (one virtual-clock tick per
# instruction) and the firmware reads SysTick around each op
# (firmware/icount.hpp). Instruction counts, not cycles: QEMU models no
# pipeline, caches or wait states.
#   models   firmware/bench.cpp: each demo model on every kernel set of the
#            build (the mean over its embedded samples, outputs checked
#            against the golden bytes); "MAC ops" are its Dense, Conv and
#            ConvTranspose ops (with gather and requantization)
#   kernels  firmware/kernel_tests.cpp: each set's int8 and int16 Dense alone
# Usage: bash tools/firmware_icount.sh [PRESET...]  (default: cortex-m4 cortex-m55;
# build them first: cmake --preset P && cmake --build --preset P)
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(cortex-m4 cortex-m55)

run() {  # machine elf
  timeout 300 qemu-system-arm -M "$1" -icount shift=0 -display none -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$2" </dev/null 2>&1
}

models=""
kernels=""
for preset in "${presets[@]}"; do
  dir=build/$preset/firmware
  machine=$(sed -n 's/^set(EDGEAE_BOARD_QEMU_MACHINE \(.*\))$/\1/p' "boards/$preset/board.cmake")
  if [ -z "$machine" ] || ! compgen -G "$dir/fw_bench_*.elf" >/dev/null; then
    echo "no runnable firmware benches in $dir: cmake --preset $preset && cmake --build --preset $preset" >&2
    exit 1
  fi
  for elf in "$dir"/fw_bench_*.elf; do
    models+=$(run "$machine" "$elf" | sed -n "s/^ICOUNT /$preset /p")$'\n'
  done
  kernels+=$(run "$machine" "$dir/fw_kernel_tests.elf" | sed -n "s/^KCOUNT /$preset /p")$'\n'
done

printf '| board | model | kernel set | instructions per inference | MACs | instr/MAC (all) | instructions in MAC ops | instr/MAC (MAC ops) | bit-exact |\n'
printf '|---|---|---|---:|---:|---:|---:|---:|---|\n'
printf '%s' "$models" | awk 'NF {
  for (i = 2; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
  printf "| %s | %s | %s | %d | %d | %.2f | %d | %.2f | %s |\n", $1, v["model"], v["set"],
    v["instructions"], v["macs"], v["instructions"] / v["macs"], v["mac_op_instructions"],
    v["mac_op_instructions"] / v["macs"], v["exact"] == 1 ? "yes" : "NO"
}'
printf '\n| board | Dense | kernel set | M x K x N | instructions | instr/MAC |\n'
printf '|---|---|---|---|---:|---:|\n'
printf '%s' "$kernels" | awk 'NF {
  for (i = 2; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
  printf "| %s | %s | %s | %d x %d x %d | %d | %.2f |\n", $1, v["op"], v["set"], v["m"], v["k"], v["n"],
    v["instructions"], v["instructions"] / v["macs"]
}'
