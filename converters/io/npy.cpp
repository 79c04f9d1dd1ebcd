#include "io/npy.hpp"

#include <cctype>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "io/atomic_file.hpp"

namespace edgeae::io {
namespace {

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kMaxDims = 64;           // numpy's NPY_MAXDIMS
constexpr size_t kArrayAlign = 64;        // numpy's ARRAY_ALIGN
constexpr size_t kGrowthAxisDigits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS

static_assert(sizeof(size_t) >= sizeof(uint32_t), "header lengths must fit size_t");

[[noreturn]] void fail(const std::string& name, const std::string& problem) {
  throw NpyError(name + ": " + problem);
}

// Python-like quoting of untrusted text for a one-line error message:
// non-printable bytes become \xNN and long text is cut.
std::string quote(const char* p, size_t n) {
  constexpr size_t kMaxShown = 40;
  static const char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < n && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  out += n > kMaxShown ? "'..." : "'";
  return out;
}
std::string quote(const std::string& s) {
  return quote(s.data(), s.size());
}

// numpy's repr of a shape tuple: (), (5,), (2, 3).
std::string shape_repr(const std::vector<uint64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

// product(shape) * itemsize, or false on overflow. A zero dimension makes
// the product zero whatever the other dimensions are (as in numpy).
bool byte_size(const std::vector<uint64_t>& shape, uint64_t itemsize, uint64_t* count,
               uint64_t* bytes) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t n = 1;
  bool zero = false;
  for (uint64_t d : shape) zero = zero || d == 0;
  if (zero) {
    n = 0;
  } else {
    for (uint64_t d : shape) {
      if (n > kMax / d) return false;
      n *= d;
    }
  }
  if (n > kMax / itemsize) return false;
  if (n * itemsize > std::numeric_limits<size_t>::max()) return false;
  *count = n;
  *bytes = n * itemsize;
  return true;
}

// Parses the Python dict literal numpy writes as the header, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// accepting exactly the Python literal syntax numpy's ast.literal_eval-based
// reader would accept for these three keys (except string escapes).
class HeaderParser {
 public:
  HeaderParser(const char* p, size_t n, const std::string& name) : p_(p), n_(n), name_(name) {}

  void parse(std::string* descr, bool* fortran_order, std::vector<uint64_t>* shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    skip_ws();
    if (!eat('{')) bad("expected '{'");
    for (;;) {
      skip_ws();
      if (eat('}')) break;  // empty dict, or after a trailing comma
      if (at_end()) bad("unterminated dict");
      if (peek() != '\'' && peek() != '"') bad("expected a quoted key");
      const std::string key = parse_string();
      skip_ws();
      if (!eat(':')) bad("expected ':' after key " + quote(key));
      skip_ws();
      if (key == "descr") {
        if (have_descr) fail(name_, "duplicate key 'descr' in header");
        have_descr = true;
        if (at_end() || (peek() != '\'' && peek() != '"')) {
          fail(name_, "'descr' is not a dtype string (structured dtypes are not supported)");
        }
        *descr = parse_string();
      } else if (key == "fortran_order") {
        if (have_fortran) fail(name_, "duplicate key 'fortran_order' in header");
        have_fortran = true;
        *fortran_order = parse_bool();
      } else if (key == "shape") {
        if (have_shape) fail(name_, "duplicate key 'shape' in header");
        have_shape = true;
        *shape = parse_shape();
      } else {
        fail(name_, "unexpected key " + quote(key) + " in header");
      }
      skip_ws();
      if (eat(',')) continue;
      if (eat('}')) break;
      bad("expected ',' or '}' after the value of " + quote(key));
    }
    skip_ws();
    if (!at_end()) bad("unexpected text after the dict");
    if (!have_descr) fail(name_, "header has no 'descr' key");
    if (!have_fortran) fail(name_, "header has no 'fortran_order' key");
    if (!have_shape) fail(name_, "header has no 'shape' key");
  }

 private:
  bool at_end() const { return i_ >= n_; }
  char peek() const { return p_[i_]; }
  bool eat(char c) {
    if (at_end() || p_[i_] != c) return false;
    ++i_;
    return true;
  }
  void skip_ws() {
    while (!at_end() && (p_[i_] == ' ' || p_[i_] == '\t' || p_[i_] == '\n' || p_[i_] == '\r')) {
      ++i_;
    }
  }
  [[noreturn]] void bad(const std::string& what) const {
    fail(name_, "header is not a valid dict: " + what + " at header byte " + std::to_string(i_));
  }
  // What follows the cursor, for messages.
  std::string upcoming() const {
    size_t end = i_;
    while (end < n_ && end - i_ < 20 && p_[end] != ',' && p_[end] != '}') ++end;
    return quote(p_ + i_, end - i_);
  }

  std::string parse_string() {
    const char q = p_[i_++];
    const size_t start = i_;
    while (!at_end() && p_[i_] != q) {
      if (p_[i_] == '\\') bad("escape sequences in strings are not supported");
      if (p_[i_] == '\n') bad("unterminated string");
      ++i_;
    }
    if (at_end()) bad("unterminated string");
    std::string s(p_ + start, i_ - start);
    ++i_;
    return s;
  }

  bool parse_bool() {
    const size_t start = i_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(p_[i_])) || p_[i_] == '_')) ++i_;
    const std::string word(p_ + start, i_ - start);
    if (word == "True") return true;
    if (word == "False") return false;
    i_ = start;
    fail(name_, "'fortran_order' must be True or False, found " + upcoming());
  }

  std::vector<uint64_t> parse_shape() {
    if (!eat('(')) fail(name_, "shape is not a tuple: found " + upcoming());
    std::vector<uint64_t> dims;
    bool comma = false;
    for (;;) {
      skip_ws();
      if (at_end()) bad("unterminated shape tuple");
      if (eat(')')) break;  // () or after a trailing comma
      const size_t start = i_;
      while (!at_end() && p_[i_] != ',' && p_[i_] != ')' && p_[i_] != ' ' && p_[i_] != '\t' &&
             p_[i_] != '\n' && p_[i_] != '\r') {
        ++i_;
      }
      if (i_ == start) fail(name_, "shape is malformed: empty entry in " + shape_text(start));
      if (dims.size() == kMaxDims) fail(name_, "shape has more than 64 dimensions");
      dims.push_back(parse_dim(p_ + start, i_ - start));
      skip_ws();
      comma = eat(',');
      if (comma) continue;
      if (eat(')')) break;
      if (at_end()) bad("unterminated shape tuple");
      fail(name_, "shape is malformed: expected ',' or ')' in " + shape_text(start));
    }
    // Python reads "(5)" as the integer 5, not a tuple; numpy writes "(5,)".
    if (dims.size() == 1 && !comma)
      fail(name_, "shape (" + std::to_string(dims[0]) + ") is not a tuple");
    return dims;
  }

  // The shape tuple around `pos`, for messages.
  std::string shape_text(size_t pos) const {
    size_t begin = pos;
    while (begin > 0 && p_[begin - 1] != '(') --begin;
    size_t end = pos;
    while (end < n_ && p_[end] != ')' && p_[end] != '}') ++end;
    if (begin > 0) --begin;
    if (end < n_ && p_[end] == ')') ++end;
    return quote(p_ + begin, end - begin);
  }

  uint64_t parse_dim(const char* s, size_t len) const {
    const std::string text(s, len);
    size_t digits_end = len;
    if (len >= 2 && (s[len - 1] == 'L' || s[len - 1] == 'l')) --digits_end;  // Python 2 long
    const bool negative = s[0] == '-';
    const size_t first = negative || s[0] == '+' ? 1 : 0;
    bool all_digits = digits_end > first;
    for (size_t k = first; k < digits_end; ++k)
      all_digits = all_digits && s[k] >= '0' && s[k] <= '9';
    if (!all_digits) fail(name_, "shape entry " + quote(text) + " is not an integer");
    uint64_t v = 0;
    for (size_t k = first; k < digits_end; ++k) {
      const auto digit = static_cast<uint64_t>(s[k] - '0');
      if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
        if (negative) fail(name_, "shape has a negative dimension " + text);
        fail(name_, "shape dimension " + quote(text) + " is too large");
      }
      v = v * 10 + digit;
    }
    if (negative && v != 0) fail(name_, "shape has a negative dimension " + text);
    return v;
  }

  const char* p_;
  size_t n_;
  const std::string& name_;
  size_t i_ = 0;
};

uint32_t load_u32le(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}
uint64_t load_u64le(const uint8_t* p) {
  return static_cast<uint64_t>(load_u32le(p)) | static_cast<uint64_t>(load_u32le(p + 4)) << 32;
}

// IEEE round-to-nearest double -> float, spelled out so that finite values
// beyond float range give +-inf (or +-FLT_MAX when they round down to it)
// instead of C++'s undefined behaviour.
float narrow(double d) {
  if (std::isnan(d) || std::fabs(d) <= static_cast<double>(FLT_MAX)) return static_cast<float>(d);
  // Halfway between FLT_MAX and 2^128; a tie rounds to even, i.e. to infinity.
  const double halfway = std::ldexp(2.0 - std::ldexp(1.0, -24), 127);
  const float mag = std::fabs(d) < halfway ? FLT_MAX : std::numeric_limits<float>::infinity();
  return d < 0 ? -mag : mag;
}

std::vector<uint8_t> encode(const std::vector<uint64_t>& shape, const float* data,
                            const std::string& name) {
  if (shape.size() > kMaxDims) fail(name, "shape has more than 64 dimensions");
  uint64_t count = 0, bytes = 0;
  if (!byte_size(shape, 4, &count, &bytes)) {
    fail(name, "element count overflow for shape " + shape_repr(shape));
  }
  if (data == nullptr && count > 0) fail(name, "no data for shape " + shape_repr(shape));

  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_repr(shape) + ", }";
  if (!shape.empty()) header.append(kGrowthAxisDigits - std::to_string(shape[0]).size(), ' ');
  const size_t hlen = header.size() + 1;  // + '\n'
  const size_t padlen = kArrayAlign - (sizeof kMagic + 2 + 2 + hlen) % kArrayAlign;
  header.append(padlen, ' ');
  header += '\n';
  if (header.size() > 0xffff) fail(name, "header too long for npy version 1.0");

  const size_t data_offset = sizeof kMagic + 4 + header.size();
  std::vector<uint8_t> out(data_offset + static_cast<size_t>(bytes));
  uint8_t* p = out.data();
  std::memcpy(p, kMagic, sizeof kMagic);
  p[6] = 1;  // version 1.0
  p[7] = 0;
  p[8] = static_cast<uint8_t>(header.size() & 0xff);
  p[9] = static_cast<uint8_t>(header.size() >> 8);
  std::memcpy(p + 10, header.data(), header.size());
  p += data_offset;
  for (size_t i = 0; i < static_cast<size_t>(count); ++i) {
    uint32_t u;
    std::memcpy(&u, &data[i], 4);
    for (size_t b = 0; b < 4; ++b) p[4 * i + b] = static_cast<uint8_t>(u >> (8 * b));
  }
  return out;
}

}  // namespace

NpyArray parse_npy(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size == 0) fail(name, "empty file (not an npy file)");
  if (bytes == nullptr) fail(name, "no data");
  const size_t magic_seen = size < sizeof kMagic ? size : sizeof kMagic;
  if (std::memcmp(bytes, kMagic, magic_seen) != 0) {
    fail(name, "not an npy file (bad magic, expected \\x93NUMPY)");
  }
  if (size < sizeof kMagic + 2) {
    fail(name, "header truncated: file is only " + std::to_string(size) + " bytes");
  }
  const unsigned major = bytes[6], minor = bytes[7];
  if (!((major == 1 || major == 2 || major == 3) && minor == 0)) {
    fail(name, "unsupported npy version " + std::to_string(major) + "." + std::to_string(minor) +
                   " (supported: 1.0, 2.0, 3.0)");
  }
  const size_t prefix = major == 1 ? 10 : 12;
  if (size < prefix)
    fail(name, "header truncated: file is only " + std::to_string(size) + " bytes");
  const size_t hlen = major == 1 ? static_cast<size_t>(bytes[8] | bytes[9] << 8)
                                 : static_cast<size_t>(load_u32le(bytes + 8));
  if (hlen > size - prefix) {
    fail(name, "header truncated: header length " + std::to_string(hlen) +
                   " points past the end of the file (" + std::to_string(size) + " bytes)");
  }

  std::string descr;
  bool fortran_order = false;
  NpyArray array;
  HeaderParser(reinterpret_cast<const char*>(bytes + prefix), hlen, name)
      .parse(&descr, &fortran_order, &array.shape);

  uint64_t itemsize;
  if (descr == "<f4") {
    itemsize = 4;
  } else if (descr == "<f8") {
    itemsize = 8;
  } else {
    const bool big = descr == ">f4" || descr == ">f8";
    fail(name, "dtype " + quote(descr) + " is not float32 ('<f4')" +
                   (big ? ", big-endian is not supported" : "") + "; save a.astype(np.float32)");
  }
  if (fortran_order) {
    fail(name,
         "fortran_order True is not supported (only C-order arrays); save a C-contiguous array");
  }

  uint64_t count = 0, nbytes = 0;
  if (!byte_size(array.shape, itemsize, &count, &nbytes)) {
    fail(name, "element count overflow for shape " + shape_repr(array.shape));
  }
  const size_t data_offset = prefix + hlen;
  const size_t available = size - data_offset;
  const std::string needs = "shape " + shape_repr(array.shape) + " of " + descr + " needs " +
                            std::to_string(nbytes) + " data bytes";
  if (available < nbytes) {
    fail(name, "data truncated: " + needs + ", file has " + std::to_string(available));
  }
  if (available > nbytes) {
    fail(name, std::to_string(available - nbytes) + " trailing bytes after the data (" + needs +
                   ", file has " + std::to_string(available) + ")");
  }

  // Only now, with count * itemsize bytes known to be present, allocate.
  const uint8_t* p = bytes + data_offset;
  array.data.resize(static_cast<size_t>(count));
  if (itemsize == 4) {
    for (size_t i = 0; i < array.data.size(); ++i) {
      const uint32_t u = load_u32le(p + 4 * i);
      std::memcpy(&array.data[i], &u, 4);
    }
  } else {
    for (size_t i = 0; i < array.data.size(); ++i) {
      const uint64_t u = load_u64le(p + 8 * i);
      double d;
      std::memcpy(&d, &u, 8);
      array.data[i] = narrow(d);
    }
  }
  return array;
}

NpyArray read_npy(const std::string& path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file(path);
  } catch (const std::runtime_error& e) {
    throw NpyError(e.what());  // "cannot open PATH: No such file or directory"
  }
  return parse_npy(bytes.data(), bytes.size(), path);
}

std::vector<uint8_t> encode_npy(const std::vector<uint64_t>& shape, const float* data) {
  return encode(shape, data, "encode_npy");
}

void write_npy(const std::string& path, const std::vector<uint64_t>& shape, const float* data) {
  const std::vector<uint8_t> bytes = encode(shape, data, path);
  write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace edgeae::io
