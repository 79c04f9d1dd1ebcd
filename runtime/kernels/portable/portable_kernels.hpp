// Kernels in plain C++ that are faster than the reference by construction
// (tables, fewer index computations) and serve every set that has no vector
// version; bit-exact with the reference, tested with every set.
#pragma once

#include "kernels/reference/int_reference.hpp"

namespace edgeae::portable {

void add_s8_tables(ref::BinaryOp op, const ref::BinaryShapes& s, const ref::AddQuant& q,
                   const int8_t* a, const int8_t* b, int8_t* y);

// int8 PRelu/LeakyRelu (ref::prelu_s8) through per-call lookup tables,
// prelu_s8_tables.cpp.
void prelu_s8_tables(const ref::PReluQuant& q, uint32_t count, uint32_t channels, const int8_t* x,
                     int8_t* y);

// int8 Concat (ref::concat_s8) with a lookup table per requantized input,
// concat_s8_tables.cpp.
void concat_s8_tables(uint32_t input_count, const ref::Shape* shapes, const int8_t* const* inputs,
                      const ref::ConcatQuant& q, uint32_t axis, int8_t* y);

}  // namespace edgeae::portable
