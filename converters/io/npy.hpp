// NumPy .npy files for the `edgeae` tool: float32, C order.
//
// Reading treats the file as hostile: every length is bounds-checked, sizes
// use overflow-checked arithmetic, and the data buffer is allocated only once
// the file is known to hold exactly the bytes the shape asks for, so a lying
// header can neither crash the reader nor make it allocate absurd sizes.
//
// Accepted: versions 1.0, 2.0 and 3.0; a header dict with exactly the keys
// 'descr', 'fortran_order' and 'shape' (any order, any spacing, optional
// trailing comma, as Python's literal syntax allows); descr '<f4' (float32
// little-endian) or '<f8' (float64 little-endian, converted to float32 on
// read: precision is rounded and values beyond float range become +-inf);
// fortran_order False; a shape tuple of at most 64 non-negative integers
// ("()" is a scalar, "(5,)" a vector). Everything else is rejected with an
// NpyError whose one-line message names the file and the problem.
//
// Writing produces exactly what numpy (>= 1.24) writes for a C-contiguous
// float32 array: version 1.0, keys in sorted order, the spare spaces numpy
// leaves to grow the first axis in place, and padding so that the data
// starts at a multiple of 64 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace edgeae::io {

class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NpyArray {
  std::vector<uint64_t> shape;  // empty for a scalar
  std::vector<float> data;      // product(shape) elements, C order
};

// Reads a float32 little-endian C-order .npy; also accepts float64 ('<f8'),
// converting each element to float. Nothing else. Throws NpyError, also for
// a missing or unreadable file.
NpyArray read_npy(const std::string& path);

// Same as read_npy on bytes already in memory; `name_for_errors` prefixes
// every error message.
NpyArray parse_npy(const uint8_t* bytes, size_t size, const std::string& name_for_errors);

// Writes float32 C-order v1.0 (data at a multiple of 64 bytes) via
// write_file_atomic. `data` holds product(shape) floats (one for a scalar).
// Throws NpyError for a shape with more than 64 dimensions or whose byte
// size overflows, std::runtime_error if the file cannot be written.
void write_npy(const std::string& path, const std::vector<uint64_t>& shape, const float* data);

// The bytes write_npy writes.
std::vector<uint8_t> encode_npy(const std::vector<uint64_t>& shape, const float* data);

}  // namespace edgeae::io
