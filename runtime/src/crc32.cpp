#include "edgeae/crc32.hpp"

namespace edgeae {
namespace {

// Four bits a step: a 64-byte table (a byte-wide one is 1 KB of a
// microcontroller's flash), and the checksum runs once per load.
struct Crc32Table {
  uint32_t entry[16];
};

constexpr Crc32Table make_table() {
  Crc32Table t{};
  for (uint32_t i = 0; i < 16; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 4; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t.entry[i] = c;
  }
  return t;
}

constexpr Crc32Table kTable = make_table();

}  // namespace

uint32_t crc32(const void* data, size_t bytes, uint32_t crc) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (size_t i = 0; i < bytes; ++i) {
    crc ^= p[i];
    crc = kTable.entry[crc & 0xFu] ^ (crc >> 4);
    crc = kTable.entry[crc & 0xFu] ^ (crc >> 4);
  }
  return ~crc;
}

uint32_t blob_crc32(const uint8_t* blob, size_t file_bytes) {
  constexpr size_t kCrcField = 12;  // offsetof(BlobHeader, crc32)
  const uint8_t zeros[4] = {0, 0, 0, 0};
  uint32_t crc = crc32(blob, kCrcField);
  crc = crc32(zeros, sizeof zeros, crc);
  return crc32(blob + kCrcField + 4, file_bytes - kCrcField - 4, crc);
}

}  // namespace edgeae
