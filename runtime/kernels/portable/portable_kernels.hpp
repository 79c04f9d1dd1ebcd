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

}  // namespace edgeae::portable
