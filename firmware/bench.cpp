// The firmware cost bench: runs one embedded model (the demo's blob and
// inputs) on every kernel set this build holds, checks each output against
// the golden bytes, and counts instructions per inference with SysTick.
//
// Under QEMU with `-icount shift=0` the virtual clock advances once per
// executed instruction, so SysTick (CSR = 5: the processor clock) counts
// instructions: one tick is 40 of them on mps2 (25 MHz), about 31 on mps3
// (32 MHz). The bench calibrates the ratio with a loop of a known
// instruction count. The counts are deterministic instruction counts, not
// cycles (QEMU models no pipeline, caches or wait states); without -icount
// they are meaningless, and only the bit-exactness check counts.
//
// Each op runs on its own (Session::run_ops) between two counter reads, so the
// instructions of the MAC ops (Dense, Conv, ConvTranspose: their MACs
// computed as `edgeae inspect` does) are reported apart from the rest.
// Output, one line per kernel set (tools/firmware_icount.sh reads it):
//   ICOUNT model=M set=S instructions=I mac_op_instructions=J macs=K exact=1
// and, per op type the model has, its share of the instructions:
//   OPCOUNT model=M set=S op=T instructions=I
// (exact=1: integer outputs bit-exact, float32 ones within tolerance;
// golden_compare.h.) Returns 0 only when every set's outputs agree.
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "console.h"
#include "edgeae/edgeae.hpp"
#include "edgeae/shape_rules.hpp"
#include "golden_compare.h"
#include "icount.hpp"
extern "C" {
#include "demo_data.h"
#include "demo_model.h"
}

namespace {

using edgeae_fw::Ticks;

alignas(16) uint8_t arena[DEMO_ARENA_BYTES];

}  // namespace

int main() {
  using namespace edgeae;
  board_write("edgeae firmware bench: " DEMO_NAME " on " EDGEAE_BOARD_NAME "\n");
  Ticks::start_counter();
  const uint32_t per_tick_x1000 = edgeae_fw::instructions_per_tick_x1000();
  board_write("instructions per SysTick tick x1000: ");
  console_uint(per_tick_x1000);
  board_write(" (meaningful only under qemu -icount shift=0)\n");
  Model model;
  if (!model.load(DEMO_BLOB, DEMO_BLOB_BYTES).ok()) {
    board_write("FAIL: load\n");
    return 10;
  }
  uint64_t macs = 0;
  for (uint32_t i = 0; i < model.op_count(); ++i) macs += edgeae::op_macs(model, model.op(i));
  const int is_float = model.output(0).dtype == format::DType::kFloat32;
  bool all_exact = true;
  for (size_t k = 0; k < kernel_set_count(); ++k) {
    const KernelSet* set = kernel_set(k);
    Session session;
    if (!session.init(model, arena, sizeof arena, set).ok()) {
      board_write("FAIL: session\n");
      return 11;
    }
    uint64_t ticks = 0, mac_op_ticks = 0;
    uint64_t type_ticks[static_cast<size_t>(format::OpType::kCount)] = {};
    bool exact = true;
    for (unsigned i = 0; i < DEMO_SAMPLES; ++i) {
      const float* in = demo_inputs.values + size_t{i} * DEMO_INPUT_VALUES;
      if (!session.set_input(0, in, DEMO_INPUT_VALUES).ok()) return 12;
      for (uint32_t op = 0; op < model.op_count(); ++op) {
        const Ticks t = Ticks::begin();
        const Status s = session.run_ops(op, op + 1);
        const uint32_t spent = t.end();
        if (!s.ok()) return 13;
        ticks += spent;
        type_ticks[model.op(op).type] += spent;
        if (edgeae::op_macs(model, model.op(op)) != 0) mac_op_ticks += spent;
      }
      float diff;
      exact &=
          golden_agrees(is_float, session.output_data(0),
                        demo_golden + size_t{i} * DEMO_OUTPUT_BYTES, DEMO_OUTPUT_BYTES, &diff) != 0;
    }
    all_exact &= exact;
    // Instructions per inference: the mean over the samples.
    const uint64_t scale = uint64_t{DEMO_SAMPLES} * 1000u;
    board_write("ICOUNT model=" DEMO_NAME " set=");
    board_write(kernel_set_name(set));
    board_write(" instructions=");
    console_uint(ticks * per_tick_x1000 / scale);
    board_write(" mac_op_instructions=");
    console_uint(mac_op_ticks * per_tick_x1000 / scale);
    board_write(" macs=");
    console_uint(macs);
    board_write(exact ? " exact=1\n" : " exact=0\n");
    for (size_t t = 0; t < static_cast<size_t>(format::OpType::kCount); ++t) {
      if (type_ticks[t] == 0) continue;
      board_write("OPCOUNT model=" DEMO_NAME " set=");
      board_write(kernel_set_name(set));
      board_write(" op=");
      board_write(edgeae::op_type_name(static_cast<format::OpType>(t)));
      board_write(" instructions=");
      console_uint(type_ticks[t] * per_tick_x1000 / scale);
      board_write("\n");
    }
  }
  board_write(all_exact ? "PASS\n" : "FAIL\n");
  return all_exact ? 0 : 1;
}
