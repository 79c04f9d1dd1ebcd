// Rewrites a blob's int8 layer weights from quads (packing 1) into DSP column
// pairs (packing 2, format::paired_dense_offset): the layout the Arm DSP
// kernels (Cortex-M4/M7/M33/M55 without MVE use) read at about 0.9
// instructions per multiply-accumulate. Same bytes, same outputs on every
// runtime (the reference and desktop sets read pairs too, more slowly).
#pragma once

#include <cstdint>
#include <vector>

namespace edgeae::blob {

// In place: every int8 Dense/Conv/ConvTranspose with quad-packed weights
// (each weight tensor once, even if shared), the header's minor version
// raised to 3, the CRC resealed. Returns how many layers were repacked.
// Throws std::runtime_error (the blob unchanged) on a blob that does not
// load or on an odd column's -128 next to a negative weight.
uint32_t repack_int8_dsp_pairs(std::vector<uint8_t>& blob);

}  // namespace edgeae::blob
