// Requantize: int8 <-> int16 (and same-type rescaling) where mixed-precision
// regions meet.
#include "kernels/reference/int_reference.hpp"

namespace edgeae::ref {

namespace {

template <typename In, typename Out>
void requantize_elements(const RequantizeQuant& q, uint32_t count, const In* x, Out* y) {
  constexpr int32_t kMin = sizeof(Out) == 1 ? INT8_MIN : INT16_MIN;
  constexpr int32_t kMax = sizeof(Out) == 1 ? INT8_MAX : INT16_MAX;
  for (uint32_t i = 0; i < count; ++i)
    y[i] = static_cast<Out>(
        quant::requantize(int32_t{x[i]} - q.in_zp, q.multiplier, q.shift, q.out_zp, kMin, kMax));
}

}  // namespace

void requantize_s8_s16(const RequantizeQuant& q, uint32_t count, const int8_t* x, int16_t* y) {
  requantize_elements(q, count, x, y);
}
void requantize_s16_s8(const RequantizeQuant& q, uint32_t count, const int16_t* x, int8_t* y) {
  requantize_elements(q, count, x, y);
}
void requantize_s8_s8(const RequantizeQuant& q, uint32_t count, const int8_t* x, int8_t* y) {
  requantize_elements(q, count, x, y);
}
void requantize_s16_s16(const RequantizeQuant& q, uint32_t count, const int16_t* x, int16_t* y) {
  requantize_elements(q, count, x, y);
}

}  // namespace edgeae::ref
