// The loader against good, truncated, corrupted and hand-made hostile blobs:
// every bad blob must give an error status, never a crash or an
// out-of-bounds read (the dev preset runs this under ASan + UBSan, and each
// hostile blob is loaded from an exactly-sized heap copy so any overread is
// caught).
#include <doctest/doctest.h>

#include <cstring>
#include <functional>

#include "edgeae/crc32.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "test_models.hpp"

namespace edgeae {
namespace {

using format::BlobHeader;
using format::OpRecord;
using format::SectionEntry;
using format::TensorRecord;

Status load_copy(const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> exact(bytes);  // exactly sized: ASan sees any overread
  Model m;
  return m.load(exact.data(), exact.size());
}

const SectionEntry& section(const std::vector<uint8_t>& blob, format::SectionKind kind) {
  const auto* h = reinterpret_cast<const BlobHeader*>(blob.data());
  const auto* s = reinterpret_cast<const SectionEntry*>(blob.data() + sizeof(BlobHeader));
  for (uint32_t i = 0; i < h->section_count; ++i)
    if (s[i].kind == static_cast<uint32_t>(kind)) return s[i];
  FAIL("section missing");
  return s[0];
}

TensorRecord* tensor_records(std::vector<uint8_t>& blob) {
  return reinterpret_cast<TensorRecord*>(blob.data() +
                                         section(blob, format::SectionKind::kTensors).offset);
}
OpRecord* op_records(std::vector<uint8_t>& blob) {
  return reinterpret_cast<OpRecord*>(blob.data() + section(blob, format::SectionKind::kOps).offset);
}

// Applies an edit to a valid blob, reseals the checksum and loads it.
Status load_edited(const blob::Blob& good, const std::function<void(std::vector<uint8_t>&)>& edit) {
  std::vector<uint8_t> bytes = good.bytes;
  edit(bytes);
  blob::reseal(bytes);
  return load_copy(bytes);
}

TEST_CASE("blob round trip: a built blob loads and describes its graph") {
  const blob::Blob b = testing::dense_autoencoder();
  Model m = testing::load_or_fail(b);
  CHECK(m.arena_bytes() == b.arena_bytes);
  CHECK(m.header().arena_lower_bound == b.arena_lower_bound);
  CHECK(m.op_count() == 2);
  REQUIRE(m.input_count() == 1);
  REQUIRE(m.output_count() == 1);
  CHECK(m.input(0).rank == 2);
  CHECK(m.input(0).dims[1] == 16);
  CHECK(std::string(m.input(0).name) == "x");
  CHECK(std::string(m.output(0).name) == "y");
  CHECK(m.output(0).element_count() == 16);
  CHECK(m.input(5).rank == 0);  // out of range: empty info, no crash
  CHECK(std::string(m.name_at(m.tensor(1).name)) == "enc.w");
  CHECK(m.op(0).type == static_cast<uint16_t>(format::OpType::kDense));
  // Every section starts 64-byte aligned in the file.
  const auto* h = reinterpret_cast<const BlobHeader*>(b.bytes.data());
  const auto* s = reinterpret_cast<const SectionEntry*>(b.bytes.data() + sizeof(BlobHeader));
  for (uint32_t i = 0; i < h->section_count; ++i) CHECK(s[i].offset % 64 == 0);
}

TEST_CASE("blob loader: the checksum covers the header and payload as zlib's CRC-32") {
  // The standard check value of CRC-32/ISO-HDLC.
  CHECK(crc32("123456789", 9) == 0xCBF43926u);
  const blob::Blob b = testing::dense_autoencoder();
  const auto* h = reinterpret_cast<const BlobHeader*>(b.bytes.data());
  CHECK(blob_crc32(b.bytes.data(), b.bytes.size()) == h->crc32);
}

TEST_CASE("blob loader: a blob truncated at every length is an error") {
  const blob::Blob b = testing::unet_1d();
  for (size_t len = 0; len < b.bytes.size(); ++len) {
    std::vector<uint8_t> cut(b.bytes.begin(), b.bytes.begin() + static_cast<ptrdiff_t>(len));
    const Status s = load_copy(cut);
    CHECK_MESSAGE(!s.ok(), "length ", len);
    if (len >= sizeof(BlobHeader)) CHECK(s.code == StatusCode::kTruncated);
  }
  CHECK(load_copy(b.bytes).ok());
}

TEST_CASE("blob loader: every single-byte corruption is an error") {
  const blob::Blob b = testing::dense_autoencoder();
  std::vector<uint8_t> bytes = b.bytes;
  size_t accepted = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      bytes[i] ^= flip;
      if (load_copy(bytes).ok()) ++accepted;
      bytes[i] ^= flip;
    }
  }
  CHECK(accepted == 0);
}

TEST_CASE("blob loader: bad magic, version and alignment are named errors") {
  const blob::Blob b = testing::dense_autoencoder();
  std::vector<uint8_t> bytes = b.bytes;
  bytes[0] = 'X';
  blob::reseal(bytes);
  CHECK(load_copy(bytes).code == StatusCode::kBadMagic);
  bytes = b.bytes;
  reinterpret_cast<BlobHeader*>(bytes.data())->version_major = 2;
  blob::reseal(bytes);
  CHECK(load_copy(bytes).code == StatusCode::kUnsupportedVersion);
  // A newer minor version may hold records this reader would misread.
  bytes = b.bytes;
  reinterpret_cast<BlobHeader*>(bytes.data())->version_minor = format::kVersionMinor + 1;
  blob::reseal(bytes);
  CHECK(load_copy(bytes).code == StatusCode::kUnsupportedVersion);

  std::vector<uint8_t> shifted(b.bytes.size() + 1);
  std::memcpy(shifted.data() + 1, b.bytes.data(), b.bytes.size());
  Model m;
  CHECK(m.load(shifted.data() + 1, b.bytes.size()).code == StatusCode::kMisaligned);
  CHECK(m.load(nullptr, 100).code == StatusCode::kInvalidArgument);
  CHECK_FALSE(m.loaded());
}

TEST_CASE("blob loader: hostile headers and records are rejected") {
  const blob::Blob b = testing::unet_1d();
  REQUIRE(load_copy(b.bytes).ok());
  auto expect_code = [&](StatusCode code, const std::string& what,
                         const std::function<void(std::vector<uint8_t>&)>& edit) {
    const Status s = load_edited(b, edit);
    CHECK_MESSAGE(s.code == code, what, ": got ", std::string(s.message));
  };
  auto expect_malformed = [&](const std::string& what,
                              const std::function<void(std::vector<uint8_t>&)>& edit) {
    expect_code(StatusCode::kMalformed, what, edit);
  };
  expect_malformed("huge dimension", [](auto& v) { tensor_records(v)[0].dims[1] = 0xFFFFFFFFu; });
  expect_malformed("zero dimension", [](auto& v) { tensor_records(v)[0].dims[0] = 0; });
  expect_malformed("rank above 6", [](auto& v) { tensor_records(v)[0].rank = 7; });
  expect_malformed("bytes overflowing 64 bits", [](auto& v) {
    TensorRecord& t = tensor_records(v)[0];
    t.rank = 6;
    for (auto& d : t.dims) d = 0xFFFFFFFFu;
  });
  expect_malformed("arena offset that overflows",
                   [](auto& v) { tensor_records(v)[0].offset = 0xFFFFFFFFFFFFFFC0ull; });
  expect_malformed("constant offset past the section",
                   [](auto& v) { tensor_records(v)[1].offset += 1u << 20; });
  expect_malformed("section offset that overflows", [](auto& v) {
    auto* s = reinterpret_cast<SectionEntry*>(v.data() + sizeof(BlobHeader));
    s[0].offset = 0xFFFFFFFFFFFFFFC0ull;
  });
  expect_malformed("section count lies", [](auto& v) {
    auto* s = reinterpret_cast<SectionEntry*>(v.data() + sizeof(BlobHeader));
    s[0].count += 1;
  });
  expect_malformed("huge section count", [](auto& v) {
    reinterpret_cast<BlobHeader*>(v.data())->section_count = 0xFFFFFFFFu;
  });
  expect_malformed("dangling op input", [](auto& v) { op_records(v)[1].inputs[0] = 9999; });
  expect_malformed("dangling op output", [](auto& v) { op_records(v)[0].output = 9999; });
  expect_malformed("cycle: op reads a later op's output", [](auto& v) {
    OpRecord* ops = op_records(v);
    ops[1].inputs[0] = ops[3].output;
  });
  expect_malformed("op reads its own output", [](auto& v) {
    OpRecord* ops = op_records(v);
    ops[1].inputs[0] = ops[1].output;
  });
  expect_code(StatusCode::kUnsupported, "unknown op type",
              [](auto& v) { op_records(v)[0].type = 999; });
  expect_malformed("wrong input count", [](auto& v) { op_records(v)[0].input_count = 5; });
  expect_malformed("a Conv residual whose dims differ from the output's", [](auto& v) {
    OpRecord& conv = op_records(v)[0];
    conv.input_count = 4;
    conv.inputs[3] = conv.inputs[0];
  });
  expect_malformed("zero stride", [](auto& v) {
    format::ConvParams p;
    std::memcpy(&p, op_records(v)[0].params, sizeof p);
    p.stride[1] = 0;
    std::memcpy(op_records(v)[0].params, &p, sizeof p);
  });
  expect_malformed("output shape disagrees with the op", [](auto& v) {
    OpRecord& op = op_records(v)[0];
    tensor_records(v)[op.output].dims[1] += 1;
    tensor_records(v)[op.output].bytes += 4 * tensor_records(v)[op.output].dims[2];
  });
  expect_malformed("two live tensors overlap", [](auto& v) {
    OpRecord* ops = op_records(v);
    TensorRecord* t = tensor_records(v);
    t[ops[1].output].offset = t[ops[0].output].offset;  // e1 and e2 are live together
  });
  expect_malformed("live range does not cover a read", [](auto& v) {
    OpRecord* ops = op_records(v);
    tensor_records(v)[ops[0].output].last_op = 1;  // e1 is read again by the skip Add
  });
  expect_malformed("alias of itself", [](auto& v) {
    TensorRecord& t = tensor_records(v)[1];
    t.storage = static_cast<uint8_t>(format::Storage::kAlias);
    t.alias_of = 1;
    t.offset = 0;
  });
  expect_malformed("arena lower bound above arena", [](auto& v) {
    auto* h = reinterpret_cast<BlobHeader*>(v.data());
    h->arena_lower_bound = h->arena_bytes + 1;
  });
  expect_malformed("arena shrunk below the plan", [](auto& v) {
    auto* h = reinterpret_cast<BlobHeader*>(v.data());
    h->arena_lower_bound = 0;
    h->arena_bytes = 64;
  });
}

TEST_CASE("blob loader: file_bytes larger than the buffer is truncation, smaller is fine") {
  const blob::Blob b = testing::dense_autoencoder();
  std::vector<uint8_t> padded = b.bytes;
  padded.resize(padded.size() + 100, 0xAB);  // e.g. the rest of a flash page
  CHECK(load_copy(padded).ok());
  std::vector<uint8_t> bytes = b.bytes;
  reinterpret_cast<BlobHeader*>(bytes.data())->file_bytes += 64;
  CHECK(load_copy(bytes).code == StatusCode::kTruncated);
}

TEST_CASE("blob loader: a quantized Conv with a residual input is refused") {
  blob::Blob b;
  b.bytes = io::read_file(testing::golden_path("unet1d_int8.eab"));
  REQUIRE(load_copy(b.bytes).ok());
  const Status s = load_edited(b, [](auto& v) {
    const uint32_t op_count = section(v, format::SectionKind::kOps).count;
    for (uint32_t i = 0; i < op_count; ++i) {
      OpRecord& op = op_records(v)[i];
      if (op.type != static_cast<uint16_t>(format::OpType::kConv)) continue;
      // Its own input has no output's dims, but the dtype rule comes first.
      op.input_count = 4;
      op.inputs[3] = op.inputs[0];
      return;
    }
    FAIL("no Conv in the golden U-Net");
  });
  CHECK(s.code == StatusCode::kMalformed);
  CHECK(std::string(s.message).find("float32") != std::string::npos);
}

}  // namespace
}  // namespace edgeae
