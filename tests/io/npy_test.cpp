// Tests for the .npy reader/writer (converters/io/npy): byte-exact numpy
// output, round trips, float64 conversion, and hostile inputs that must each
// give an NpyError with a helpful one-line message (never a crash, never a
// huge allocation).
#include "io/npy.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "io/atomic_file.hpp"
#include "support/temp_dir.hpp"

namespace edgeae::io {
namespace {

namespace fs = std::filesystem;

// The exact bytes of np.save(f, np.arange(6, dtype=np.float32).reshape(2, 3))
// with numpy 1.24. numpy is not installed on the machine these tests were
// written on, so the bytes were built by hand, following the NPY format spec
// and numpy 1.24's lib/format.py _write_array_header/_wrap_header step by
// step: magic \x93NUMPY, version 1.0, little-endian u16 header length 118,
// the dict with sorted keys and repr'd values, 20 spare spaces for growing
// axis 0 (GROWTH_AXIS_MAX_DIGITS 21 minus len('2')), padding spaces and '\n'
// so that the data starts at byte 128 (a multiple of ARRAY_ALIGN 64), then
// six little-endian float32 values 0..5.
const uint8_t kNumpyArange6[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x66, 0x34, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74,
    0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x32, 0x2c, 0x20,
    0x33, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40,
    0x00, 0x00, 0x80, 0x40, 0x00, 0x00, 0xa0, 0x40,
};

using testing::TempDir;

std::vector<uint8_t> bytes_of(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

void append_le(std::vector<uint8_t>* out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// An npy file with the given header text (written verbatim, padded with
// spaces and '\n' to a multiple of 64 unless `pad` is false) and data bytes.
std::vector<uint8_t> make_npy(const std::string& dict, const std::vector<uint8_t>& data,
                              int major = 1, bool pad = true) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  if (pad) {
    while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
  }
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  append_le(&out, header.size(), major == 1 ? 2 : 4);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> f32_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> out;
  for (float f : v) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    append_le(&out, u, 4);
  }
  return out;
}

std::vector<uint8_t> f64_bytes(const std::vector<double>& v) {
  std::vector<uint8_t> out;
  for (double d : v) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    append_le(&out, u, 8);
  }
  return out;
}

std::string dict_for(const std::string& descr, const std::string& shape,
                     const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

// Parses `b`, expecting an NpyError; returns its message ("" if none).
std::string npy_error(const std::vector<uint8_t>& b) {
  try {
    parse_npy(b.data(), b.size(), "in.npy");
  } catch (const NpyError& e) {
    return e.what();
  }
  return "";
}

#define CHECK_NPY_ERROR(bytes, substring)             \
  do {                                                \
    const std::string msg_ = npy_error(bytes);        \
    INFO("message: ", msg_);                          \
    CHECK(msg_.rfind("in.npy: ", 0) == 0);            \
    CHECK(msg_.find('\n') == std::string::npos);      \
    CHECK(msg_.find(substring) != std::string::npos); \
  } while (0)

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), 4 * a.size()) == 0);
}

TEST_CASE("npy: encode_npy writes exactly numpy's bytes; parse reads numpy's file") {
  const std::vector<float> v = {0, 1, 2, 3, 4, 5};
  const std::vector<uint8_t> expected(std::begin(kNumpyArange6), std::end(kNumpyArange6));
  CHECK(encode_npy({2, 3}, v.data()) == expected);

  const NpyArray a = parse_npy(expected.data(), expected.size(), "numpy.npy");
  CHECK(a.shape == std::vector<uint64_t>{2, 3});
  CHECK(a.data == v);
}

TEST_CASE("npy: round trip through encode/parse and write/read for several shapes") {
  TempDir dir;
  const std::vector<std::vector<uint64_t>> shapes = {
      {}, {1}, {5}, {3, 4}, {2, 1, 8, 8}, {0}, {4, 0, 3}, {1, 1, 1, 1, 1}, {100000}, {7, 3, 2}};
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-10.f, 10.f);
  for (const auto& shape : shapes) {
    size_t n = 1;
    for (uint64_t d : shape) n *= static_cast<size_t>(d);
    std::vector<float> v(n);
    for (float& f : v) f = dist(rng);
    if (n >= 6) {  // special values survive bit-exactly
      v[0] = -0.0f;
      v[1] = std::numeric_limits<float>::infinity();
      v[2] = -std::numeric_limits<float>::infinity();
      v[3] = std::numeric_limits<float>::quiet_NaN();
      v[4] = std::numeric_limits<float>::denorm_min();
      v[5] = std::numeric_limits<float>::max();
    }
    INFO("rank ", shape.size(), " elements ", n);
    const std::vector<uint8_t> b = encode_npy(shape, v.data());
    const size_t header_len = static_cast<size_t>(b[8] | b[9] << 8);
    CHECK((10 + header_len) % 64 == 0);
    CHECK(b[10 + header_len - 1] == '\n');
    CHECK(b.size() == 10 + header_len + 4 * n);

    const NpyArray a = parse_npy(b.data(), b.size(), "rt.npy");
    CHECK(a.shape == shape);
    CHECK(same_bits(a.data, v));

    const std::string path = dir.file("rt.npy");
    write_npy(path, shape, v.data());
    CHECK(read_file(path) == b);
    const NpyArray r = read_npy(path);
    CHECK(r.shape == shape);
    CHECK(same_bits(r.data, v));
  }
  CHECK(dir.entries() == std::vector<std::string>{"rt.npy"});
}

TEST_CASE("npy: scalar and 1-D headers are written as numpy writes them") {
  const float x = 2.5f;
  const std::vector<uint8_t> scalar = encode_npy({}, &x);
  const std::string s(scalar.begin(), scalar.end());
  CHECK(s.find("{'descr': '<f4', 'fortran_order': False, 'shape': (), }") == 10);
  CHECK(scalar.size() == 128 + 4);  // no growth padding for a scalar, still 64-aligned

  const std::vector<uint8_t> vec = encode_npy({1}, &x);
  CHECK(std::string(vec.begin(), vec.end()).find("'shape': (1,), }") != std::string::npos);
}

TEST_CASE("npy: headers in any key order and spacing, versions 2.0 and 3.0") {
  const std::vector<uint8_t> d = f32_bytes({1, 2, 3, 4, 5, 6});
  const std::vector<std::string> dicts = {
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
      "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}",
      "{'fortran_order':False,'shape':(2,3),'descr':'<f4',}",
      "  {  \"descr\" : \"<f4\" ,\n 'fortran_order' :  False ,\t'shape' : ( 2 , 3 , ) }  ",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",  // Python 2 numpy
  };
  for (const std::string& dict : dicts) {
    INFO(dict);
    for (int major : {1, 2, 3}) {
      const std::vector<uint8_t> b = make_npy(dict, d, major);
      NpyArray a;
      CHECK_NOTHROW(a = parse_npy(b.data(), b.size(), "v.npy"));
      CHECK(a.shape == std::vector<uint64_t>{2, 3});
      CHECK(a.data == std::vector<float>{1, 2, 3, 4, 5, 6});
    }
  }
  // Unpadded header (data not aligned) is still valid.
  const std::vector<uint8_t> b = make_npy(dicts[0], d, 1, /*pad=*/false);
  CHECK(parse_npy(b.data(), b.size(), "v.npy").data.size() == 6);

  const std::vector<uint8_t> scalar = make_npy(dict_for("<f4", "()"), f32_bytes({7}));
  const NpyArray s = parse_npy(scalar.data(), scalar.size(), "s.npy");
  CHECK(s.shape.empty());
  CHECK(s.data == std::vector<float>{7});

  const std::vector<uint8_t> vec = make_npy(dict_for("<f4", "(5,)"), f32_bytes({1, 2, 3, 4, 5}));
  CHECK(parse_npy(vec.data(), vec.size(), "v.npy").shape == std::vector<uint64_t>{5});

  const std::vector<uint8_t> empty = make_npy(dict_for("<f4", "(0, 3)"), {});
  const NpyArray e = parse_npy(empty.data(), empty.size(), "e.npy");
  CHECK(e.shape == std::vector<uint64_t>{0, 3});
  CHECK(e.data.empty());
}

TEST_CASE("npy: float64 input is converted to float32") {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> v = {0.1, -2.5,   1e300,        -1e300,
                                 inf, 1e-320, 3.4028235e38, 3.4028235677973366e38};
  const std::vector<uint8_t> b = make_npy(dict_for("<f8", "(8,)"), f64_bytes(v));
  const NpyArray a = parse_npy(b.data(), b.size(), "d.npy");
  CHECK(a.shape == std::vector<uint64_t>{8});
  REQUIRE(a.data.size() == 8);
  CHECK(a.data[0] == 0.1f);
  CHECK(a.data[1] == -2.5f);
  CHECK(a.data[2] == std::numeric_limits<float>::infinity());  // beyond float range
  CHECK(a.data[3] == -std::numeric_limits<float>::infinity());
  CHECK(a.data[4] == std::numeric_limits<float>::infinity());
  CHECK(a.data[5] == 0.0f);                                    // underflows
  CHECK(a.data[6] == std::numeric_limits<float>::max());       // rounds down to FLT_MAX
  CHECK(a.data[7] == std::numeric_limits<float>::infinity());  // halfway: ties to even

  const std::vector<uint8_t> nan = make_npy(dict_for("<f8", "()"), f64_bytes({std::nan("")}));
  CHECK(std::isnan(parse_npy(nan.data(), nan.size(), "n.npy").data.at(0)));
}

TEST_CASE("npy: empty file, bad magic and unsupported versions") {
  CHECK_NPY_ERROR(std::vector<uint8_t>{}, "empty file");
  CHECK_NPY_ERROR(bytes_of("hello world, this is not numpy"), "not an npy file");
  CHECK_NPY_ERROR(bytes_of("PK\x03\x04"), "not an npy file");  // an .npz
  std::vector<uint8_t> b(std::begin(kNumpyArange6), std::end(kNumpyArange6));
  b[1] = 'n';
  CHECK_NPY_ERROR(b, "bad magic");
  for (auto version : {std::pair<int, int>{4, 0}, {1, 1}, {0, 0}, {255, 255}}) {
    std::vector<uint8_t> v(std::begin(kNumpyArange6), std::end(kNumpyArange6));
    v[6] = static_cast<uint8_t>(version.first);
    v[7] = static_cast<uint8_t>(version.second);
    CHECK_NPY_ERROR(v, "unsupported npy version");
  }
  // NpyError is a std::runtime_error.
  CHECK_THROWS_AS(parse_npy(nullptr, 0, "x"), std::runtime_error);
}

TEST_CASE("npy: every truncation of a valid file is an error, never a crash") {
  const std::vector<uint8_t> full(std::begin(kNumpyArange6), std::end(kNumpyArange6));
  for (size_t len = 0; len < full.size(); ++len) {
    INFO("length ", len);
    // Copy so that ASan catches any read past `len`.
    const std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
    const std::string msg = npy_error(cut);
    CHECK(msg.rfind("in.npy: ", 0) == 0);
    if (len >= 128) CHECK(msg.find("data truncated") != std::string::npos);
    if (len > 0 && len < 128) CHECK(msg.find("truncated") != std::string::npos);
  }
  // Also with a version 2.0 header.
  const std::vector<uint8_t> v2 =
      make_npy(dict_for("<f4", "(2, 3)"), f32_bytes({0, 1, 2, 3, 4, 5}), 2);
  for (size_t len = 0; len < v2.size(); ++len) {
    const std::vector<uint8_t> cut(v2.begin(), v2.begin() + static_cast<std::ptrdiff_t>(len));
    INFO("length ", len);
    CHECK(npy_error(cut).rfind("in.npy: ", 0) == 0);
  }
}

TEST_CASE("npy: header length pointing past the end") {
  std::vector<uint8_t> b(std::begin(kNumpyArange6), std::end(kNumpyArange6));
  b[8] = 0xff;
  b[9] = 0xff;
  CHECK_NPY_ERROR(b, "header length 65535 points past the end");
  std::vector<uint8_t> v2 = make_npy(dict_for("<f4", "(2, 3)"), f32_bytes({0, 1, 2, 3, 4, 5}), 2);
  for (int i = 8; i < 12; ++i) v2[static_cast<size_t>(i)] = 0xff;
  CHECK_NPY_ERROR(v2, "header length 4294967295 points past the end");
}

TEST_CASE("npy: dtypes other than float32/float64 little-endian are rejected by name") {
  CHECK_NPY_ERROR(make_npy(dict_for("<i8", "(2,)"), std::vector<uint8_t>(16)),
                  "dtype '<i8' is not float32");
  CHECK_NPY_ERROR(make_npy(dict_for(">f4", "(2,)"), std::vector<uint8_t>(8)),
                  "dtype '>f4' is not float32 ('<f4'), big-endian is not supported");
  CHECK_NPY_ERROR(make_npy(dict_for("|u1", "(2,)"), std::vector<uint8_t>(2)),
                  "dtype '|u1' is not float32");
  CHECK_NPY_ERROR(make_npy(dict_for("<f2", "(2,)"), std::vector<uint8_t>(4)),
                  "dtype '<f2' is not float32");
  CHECK_NPY_ERROR(make_npy(dict_for("float32", "(2,)"), std::vector<uint8_t>(8)),
                  "dtype 'float32' is not float32");
  CHECK_NPY_ERROR(make_npy(dict_for("\x01\xff'", "(2,)"), std::vector<uint8_t>(8)),
                  "header is not a valid dict");  // the quote ends the string early
  CHECK_NPY_ERROR(make_npy(dict_for("\x01\xff", "(2,)"), std::vector<uint8_t>(8)),
                  "dtype '\\x01\\xff' is not float32");  // shown escaped, on one line
  CHECK_NPY_ERROR(make_npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
                           std::vector<uint8_t>(8)),
                  "structured dtypes are not supported");
}

TEST_CASE("npy: fortran_order True is rejected") {
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, 3)", "True"), std::vector<uint8_t>(24)),
                  "fortran_order True is not supported");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, 3)", "1"), std::vector<uint8_t>(24)),
                  "'fortran_order' must be True or False, found '1'");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, 3)", "'False'"), std::vector<uint8_t>(24)),
                  "'fortran_order' must be True or False");
}

TEST_CASE("npy: malformed shapes") {
  const std::vector<uint8_t> d(24);
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(-1, 6)"), d), "negative dimension -1");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, -3)"), d), "negative dimension -3");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, a)"), d), "shape entry 'a' is not an integer");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, 3.0)"), d), "shape entry '3.0' is not an integer");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, None)"), d), "'None' is not an integer");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, '3')"), d), "is not an integer");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, (3,))"), d), "is not an integer");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2,,3)"), d), "shape is malformed");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(,)"), d), "shape is malformed");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2 3)"), d), "shape is malformed");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(6)"), d), "shape (6) is not a tuple");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "[2, 3]"), d), "shape is not a tuple");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "6"), d), "shape is not a tuple");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(99999999999999999999, 1)"), d), "is too large");
  CHECK_NPY_ERROR(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3", d),
                  "unterminated shape tuple");
  std::string many = "(";
  for (int i = 0; i < 65; ++i) many += "1, ";
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", many + ")"), std::vector<uint8_t>(4)),
                  "more than 64 dimensions");
}

TEST_CASE("npy: header dict must have exactly descr, fortran_order and shape") {
  const std::vector<uint8_t> d(24);
  CHECK_NPY_ERROR(make_npy("{'descr': '<f4', 'shape': (2, 3), }", d),
                  "header has no 'fortran_order' key");
  CHECK_NPY_ERROR(make_npy("{'fortran_order': False, 'shape': (2, 3), }", d),
                  "header has no 'descr' key");
  CHECK_NPY_ERROR(make_npy("{'descr': '<f4', 'fortran_order': False}", d), "header has no 'shape'");
  CHECK_NPY_ERROR(
      make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'shape': (6,)}", d),
      "duplicate key 'shape'");
  CHECK_NPY_ERROR(make_npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
                           "'shape': (2, 3)}",
                           d),
                  "duplicate key 'descr'");
  CHECK_NPY_ERROR(
      make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", d),
      "unexpected key 'extra'");
  CHECK_NPY_ERROR(make_npy("", d), "header is not a valid dict: expected '{'");
  CHECK_NPY_ERROR(make_npy("{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}", d),
                  "expected ',' or '}'");
  CHECK_NPY_ERROR(make_npy("{'descr' '<f4'}", d), "expected ':' after key 'descr'");
  CHECK_NPY_ERROR(make_npy("{descr: '<f4'}", d), "expected a quoted key");
  CHECK_NPY_ERROR(make_npy("{'descr: '<f4'}", d), "header is not a valid dict");
  CHECK_NPY_ERROR(make_npy("{'descr': '<f4", d), "unterminated string");
  CHECK_NPY_ERROR(make_npy("{'de\\x73cr': '<f4'}", d), "escape sequences");
  CHECK(npy_error(make_npy(dict_for("<f4", "(2, 3)"), d, 1, false)).empty());
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, 3)") + " x", d), "unexpected text after the dict");
  CHECK_NPY_ERROR(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", d),
                  "unterminated dict");
  CHECK_NPY_ERROR(make_npy(std::string("{'descr': '<f4',\0 'fortran_order': False}", 39), d),
                  "header is not a valid dict");
}

TEST_CASE("npy: huge shapes fail on the size check without allocating") {
  // 2^32 * 2^32 overflows uint64: element count overflow.
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(4294967296, 4294967296)"), {}),
                  "element count overflow");
  // 2^31 * 2^31 elements fit, their 4-byte size does not.
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2147483648, 2147483648)"), {}),
                  "element count overflow");
  CHECK_NPY_ERROR(make_npy(dict_for("<f8", "(18446744073709551615,)"), {}),
                  "element count overflow");
  // 16 GiB claimed, 8 bytes present: truncated where a 64-bit size_t can
  // express the size, an overflow where size_t has 32 bits.
  if (sizeof(size_t) >= 8)
    CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(65536, 65536)"), std::vector<uint8_t>(8)),
                    "data truncated: shape (65536, 65536) of <f4 needs 17179869184 data bytes, "
                    "file has 8");
  else
    CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(65536, 65536)"), std::vector<uint8_t>(8)),
                    "element count overflow");
  // A zero dimension makes any other dimension harmless.
  const std::vector<uint8_t> z = make_npy(dict_for("<f4", "(0, 18446744073709551615)"), {});
  CHECK(parse_npy(z.data(), z.size(), "z.npy").data.empty());
}

TEST_CASE("npy: data shorter or longer than the shape says") {
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, 3)"), std::vector<uint8_t>(20)),
                  "data truncated: shape (2, 3) of <f4 needs 24 data bytes, file has 20");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(2, 3)"), std::vector<uint8_t>(25)),
                  "1 trailing bytes after the data");
  CHECK_NPY_ERROR(make_npy(dict_for("<f8", "(2, 3)"), std::vector<uint8_t>(24)),
                  "needs 48 data bytes, file has 24");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "()"), std::vector<uint8_t>(0)), "data truncated");
  CHECK_NPY_ERROR(make_npy(dict_for("<f4", "(0,)"), std::vector<uint8_t>(4)), "4 trailing bytes");
}

TEST_CASE("npy: random corruptions of valid files give NpyError or a valid array") {
  std::mt19937 rng(1234);
  const std::vector<uint8_t> base(std::begin(kNumpyArange6), std::end(kNumpyArange6));
  const std::vector<uint8_t> base_f8 =
      make_npy(dict_for("<f8", "(3,)"), f64_bytes({1.0, 2.0, 3.0}), 3);
  const char alphabet[] = "{}()'\":, -0123456789TrueFalsLdescr<f4>\n\x00\xff";
  int errors = 0, ok = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<uint8_t> b = iter % 2 ? base : base_f8;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % b.size();
      switch (rng() % 4) {
        case 0:
          b[pos] = static_cast<uint8_t>(rng());
          break;
        case 1:
          b[pos] = static_cast<uint8_t>(alphabet[rng() % (sizeof alphabet - 1)]);
          break;
        case 2:
          b.erase(b.begin() + static_cast<std::ptrdiff_t>(pos));
          break;
        default:
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos),
                   static_cast<uint8_t>(alphabet[rng() % (sizeof alphabet - 1)]));
      }
      if (b.empty()) break;
    }
    try {
      const NpyArray a = parse_npy(b.data(), b.size(), "fuzz.npy");
      uint64_t n = 1;
      for (uint64_t d : a.shape) n *= d;
      REQUIRE(a.data.size() == n);
      ++ok;
    } catch (const NpyError& e) {
      REQUIRE(std::string(e.what()).rfind("fuzz.npy: ", 0) == 0);
      REQUIRE(std::string(e.what()).find('\n') == std::string::npos);
      ++errors;
    }
  }
  CHECK(errors > 0);
  CHECK(ok > 0);  // e.g. edits in the padding or the data
}

TEST_CASE("npy: read_npy and write_npy errors") {
  TempDir dir;
  const std::string missing = dir.file("missing.npy");
  try {
    read_npy(missing);
    FAIL("no error");
  } catch (const NpyError& e) {
    CHECK(std::string(e.what()) == "cannot open " + missing + ": No such file or directory");
  }
  const std::string bad = dir.file("bad.npy");
  write_file_atomic(bad, std::string("not numpy"));
  CHECK_THROWS_WITH_AS(read_npy(bad),
                       (bad + ": not an npy file (bad magic, expected \\x93NUMPY)").c_str(),
                       NpyError);
  CHECK_THROWS_AS(read_npy(dir.file("")), NpyError);  // a directory

  const float x = 1;
  CHECK_THROWS_AS(write_npy(dir.file("no/such/dir/x.npy"), {1}, &x), std::runtime_error);
  CHECK_THROWS_WITH_AS(encode_npy(std::vector<uint64_t>(65, 1), &x),
                       "encode_npy: shape has more than 64 dimensions", NpyError);
  CHECK_THROWS_WITH_AS(encode_npy({4294967296, 4294967296}, &x),
                       "encode_npy: element count overflow for shape (4294967296, 4294967296)",
                       NpyError);
  CHECK_THROWS_AS(encode_npy({2}, nullptr), NpyError);
  CHECK(encode_npy({0}, nullptr).size() == 128);
  std::vector<std::string> names = dir.entries();
  CHECK(names == std::vector<std::string>{"bad.npy"});
}

}  // namespace
}  // namespace edgeae::io
