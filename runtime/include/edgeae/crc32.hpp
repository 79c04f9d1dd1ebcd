// CRC-32 (IEEE 802.3 polynomial, reflected, as zlib's crc32()) of the blob
// payload. Table-driven; the table is a compile-time constant in flash.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace edgeae {

// crc32(data, n) continues from `crc` (0 to start), so it can run in pieces.
uint32_t crc32(const void* data, size_t bytes, uint32_t crc = 0);

// The blob checksum: CRC-32 of the whole blob [0, file_bytes) with the
// header's crc32 field (bytes 12..15) read as zeros, so every byte, header
// included, is covered.
uint32_t blob_crc32(const uint8_t* blob, size_t file_bytes);

}  // namespace edgeae
