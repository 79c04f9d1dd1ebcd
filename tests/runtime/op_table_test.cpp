// Op tables (edgeae.h): a model loads and runs with a table holding only the
// implementations of its own ops — the table `--emit-c` writes, with which a
// firmware image links nothing else — and the loader refuses, naming the op,
// a model with an op its table leaves out.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "edgeae/edgeae.h"
#include "edgeae/edgeae.hpp"
#include "edgeae/shape_rules.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "support/golden_outputs.hpp"

// The objects the tables `--emit-c` writes name (weak: a form no build has,
// a float Requantize, resolves to null).
#define EDGEAE_DECLARE_IMPLS(name, onnx, min_in, max_in)                                        \
  extern "C" __attribute__((weak)) const eae_op_impl eae_op_##name##_f32, eae_op_##name##_int8, \
      eae_op_##name##_int16;
EDGEAE_OP_LIST(EDGEAE_DECLARE_IMPLS)
#undef EDGEAE_DECLARE_IMPLS
// The int8 layers' forms by weight packing (op_impl.hpp).
extern "C" const eae_op_impl eae_op_Dense_int8_any, eae_op_Conv_int8_any,
    eae_op_ConvTranspose_int8_any, eae_op_Dense_int8_pairs, eae_op_Conv_int8_pairs,
    eae_op_ConvTranspose_int8_pairs;

namespace edgeae {
namespace {

using Table = std::vector<const eae_op_impl*>;

// The slot of the implementation op i runs with.
uint32_t slot_of(const Model& m, uint32_t i) {
  const format::OpRecord& op = m.op(i);
  return op_table_slot(op.type, static_cast<format::DType>(m.tensor(op.output).dtype));
}

// The table of `m`'s own ops (all_ops()'s form for each op's slot).
Table own_ops(const Model& m) {
  Table t(EAE_OP_TABLE_SIZE, nullptr);
  for (uint32_t i = 0; i < m.op_count(); ++i) {
    const uint32_t slot = slot_of(m, i);
    REQUIRE(slot < EAE_OP_TABLE_SIZE);
    REQUIRE(all_ops()[slot] != nullptr);
    t[slot] = all_ops()[slot];
  }
  return t;
}

TEST_CASE("op tables: a model runs with only its own ops, and is refused without one of them") {
  for (const testing::GoldenModel& g : testing::kGoldenModels) {
    CAPTURE(g.name);
    const std::vector<uint8_t> blob =
        io::read_file(testing::golden_path(std::string(g.name) + ".eab"));
    Model full;
    REQUIRE(full.load(blob.data(), blob.size()).ok());
    const Table own = own_ops(full);
    testing::check_committed_outputs(blob, g, own.data());

    Model m;
    REQUIRE(m.load(blob.data(), blob.size(), own.data()).ok());
    // Each of its ops left out: refused at the first op that needs it (and
    // the loaded model unloaded).
    for (uint32_t slot = 0; slot < EAE_OP_TABLE_SIZE; ++slot) {
      if (!own[slot]) continue;
      Table without = own;
      without[slot] = nullptr;
      uint32_t first = 0;
      while (slot_of(full, first) != slot) ++first;
      const Status st = m.load(blob.data(), blob.size(), without.data());
      CAPTURE(slot);
      CHECK(st.code == StatusCode::kUnsupported);
      CHECK(st.index == first);
      CHECK_FALSE(m.loaded());
    }
  }
}

TEST_CASE("op tables: every slot holds the object named eae_op_<OpType>_<form>") {
  // --emit-c writes slot type * 3 + form as &eae_op_<OpType>_<f32|int8|int16>.
  const eae_op_impl* const named[][EAE_OP_FORMS] = {
#define EDGEAE_NAMED_ROW(name, onnx, min_in, max_in) \
  {&eae_op_##name##_f32, &eae_op_##name##_int8, &eae_op_##name##_int16},
      EDGEAE_OP_LIST(EDGEAE_NAMED_ROW)
#undef EDGEAE_NAMED_ROW
  };
  static_assert(sizeof named / sizeof named[0] == EAE_OP_TYPES, "one row per op type");
  // The int8 layers' slots hold the form that runs every weight packing.
  const auto expected = [&](uint32_t type, uint32_t form) {
    if (form != 1) return named[type][form];
    switch (static_cast<format::OpType>(type)) {
      case format::OpType::kDense:
        return &eae_op_Dense_int8_any;
      case format::OpType::kConv:
        return &eae_op_Conv_int8_any;
      case format::OpType::kConvTranspose:
        return &eae_op_ConvTranspose_int8_any;
      default:
        return named[type][form];
    }
  };
  size_t filled = 0;
  for (uint32_t type = 0; type < EAE_OP_TYPES; ++type)
    for (uint32_t form = 0; form < EAE_OP_FORMS; ++form) {
      CAPTURE(type);
      CAPTURE(form);
      CHECK(all_ops()[type * EAE_OP_FORMS + form] == expected(type, form));
      filled += named[type][form] != nullptr;
    }
  CHECK(filled == EAE_OP_TABLE_SIZE - 1);  // all but a float Requantize
}

// The table of `blob`'s own ops, its int8 layers' slots holding the quads
// (eae_op_<Op>_int8) or DSP-pair (_int8_pairs) forms.
Table own_table(const Model& m, bool pairs) {
  Table t = own_ops(m);
  const auto int8 = [](format::OpType type) {
    return op_table_slot(uint16_t(type), format::DType::kInt8);
  };
  const std::pair<uint32_t, const eae_op_impl*> layers[] = {
      {int8(format::OpType::kDense), pairs ? &eae_op_Dense_int8_pairs : &eae_op_Dense_int8},
      {int8(format::OpType::kConv), pairs ? &eae_op_Conv_int8_pairs : &eae_op_Conv_int8},
      {int8(format::OpType::kConvTranspose),
       pairs ? &eae_op_ConvTranspose_int8_pairs : &eae_op_ConvTranspose_int8}};
  for (const auto& [slot, impl] : layers)
    if (t[slot] != nullptr) t[slot] = impl;
  return t;
}

TEST_CASE("op tables: DSP-pair blobs run with the _int8_pairs forms, which refuse quads") {
  for (const testing::GoldenPairsBlob& p : testing::kGoldenPairsBlobs) {
    CAPTURE(p.name);
    const testing::GoldenModel* g = testing::golden_model(p.quads);
    REQUIRE(g != nullptr);
    const std::vector<uint8_t> pairs =
        io::read_file(testing::golden_path(std::string(p.name) + ".eab"));
    const std::vector<uint8_t> quads =
        io::read_file(testing::golden_path(std::string(p.quads) + ".eab"));
    Model full;
    REQUIRE(full.load(pairs.data(), pairs.size()).ok());
    const Table pairs_table = own_table(full, true), quads_table = own_table(full, false);

    testing::check_committed_outputs(pairs, *g, pairs_table.data());
    // The quad blob runs with the quads forms.
    Model m;
    CHECK(m.load(quads.data(), quads.size(), quads_table.data()).ok());

    // Each layout refused by the other's forms, at its first int8 layer.
    uint32_t first = 0;
    while (full.tensor(full.op(first).output).dtype != uint8_t(format::DType::kInt8) ||
           (full.op(first).type != uint16_t(format::OpType::kDense) &&
            full.op(first).type != uint16_t(format::OpType::kConv) &&
            full.op(first).type != uint16_t(format::OpType::kConvTranspose)))
      ++first;
    Status st = m.load(pairs.data(), pairs.size(), quads_table.data());
    CHECK(st.code == StatusCode::kUnsupported);
    CHECK(st.index == first);
    CHECK(std::string(st.message).find("DSP pairs") != std::string::npos);
    CHECK(std::string(st.message).find("_int8_pairs") != std::string::npos);
    CHECK_FALSE(m.loaded());
    st = m.load(quads.data(), quads.size(), pairs_table.data());
    CHECK(st.code == StatusCode::kUnsupported);
    CHECK(st.index == first);
    CHECK(std::string(st.message).find("quads") != std::string::npos);
    CHECK_FALSE(m.loaded());
  }
}

TEST_CASE("op tables: the C API loads with a table, and refuses a null one") {
  const std::vector<uint8_t> blob = io::read_file(testing::golden_path("digits_dae_int8.eab"));
  eae_model model;
  CHECK(eae_model_load_with(&model, blob.data(), blob.size(), nullptr) == EAE_INVALID_ARGUMENT);
  CHECK(eae_model_load_with(&model, blob.data(), blob.size(), all_ops()) == EAE_OK);
  const Table none(EAE_OP_TABLE_SIZE, nullptr);
  CHECK(eae_model_load_with(&model, blob.data(), blob.size(), none.data()) == EAE_UNSUPPORTED);
  CHECK(std::strstr(eae_model_message(&model), "op table") != nullptr);
}

}  // namespace
}  // namespace edgeae
