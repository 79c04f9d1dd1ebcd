// Activations and broadcasting binary ops.
// Part of the float32 SIMD kernels (f32_simd.hpp has the design notes); the
// same internal-linkage rules apply.
#pragma once

#include "kernels/simd/f32_common.hpp"

namespace edgeae::simd {
namespace {

template <class A>
void activation(const ActivationSpec& act, uint32_t count, uint32_t channels, const float* x,
                float* y) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  // Per-channel slopes need whole channel rows; everything else is flat.
  if (act.kind == Activation::kPRelu && act.slope_count > 1) {
    for (uint32_t base = 0; base < count; base += channels) {
      uint32_t c = 0;
      for (; c + L <= channels; c += L)
        activate<A>(act, B::load_unaligned(x + base + c), c).store_unaligned(y + base + c);
      for (; c < channels; ++c) y[base + c] = ref::activate(act, x[base + c], c);
    }
    return;
  }
  uint32_t i = 0;
  for (; i + L <= count; i += L)
    activate<A>(act, B::load_unaligned(x + i), 0).store_unaligned(y + i);
  for (; i < count; ++i) y[i] = ref::activate(act, x[i], channels ? i % channels : 0);
}

template <class A>
inline Batch<A> apply(ref::BinaryOp op, Batch<A> a, Batch<A> b) {
  switch (op) {
    case ref::BinaryOp::kAdd:
      return a + b;
    case ref::BinaryOp::kSub:
      return a - b;
    case ref::BinaryOp::kMul:
      return a * b;
    case ref::BinaryOp::kPRelu:
      return xsimd::select(a < Batch<A>(0.0f), a * b, a);
  }
  return a;
}

inline float apply_scalar(ref::BinaryOp op, float a, float b) {
  switch (op) {
    case ref::BinaryOp::kAdd:
      return a + b;
    case ref::BinaryOp::kSub:
      return a - b;
    case ref::BinaryOp::kMul:
      return a * b;
    case ref::BinaryOp::kPRelu:
      return a < 0.0f ? a * b : a;
  }
  return a;
}

inline uint64_t elements(const ref::Shape& s) {
  uint64_t n = 1;
  for (uint32_t i = 0; i < s.rank; ++i) n *= s.dims[i];
  return n;
}

template <class A>
void binary(ref::BinaryOp op, const ref::Shape& a_shape, const float* a, const ref::Shape& b_shape,
            const float* b, const ref::Shape& out_shape, const ActivationSpec& act, float* y) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  const uint64_t n = elements(out_shape), na = elements(a_shape), nb = elements(b_shape);
  const uint32_t channels = out_shape.rank ? out_shape.dims[out_shape.rank - 1] : 1;
  const bool per_channel_act = act.kind == Activation::kPRelu && act.slope_count > 1;
  // The shapes skip connections and channel scales use: equal sizes, or one
  // operand a scalar or one row of the output's last axis.
  const bool a_full = na == n, b_full = nb == n;
  const bool b_row =
      nb == channels && b_shape.rank >= 1 && b_shape.dims[b_shape.rank - 1] == channels;
  const bool a_row =
      na == channels && a_shape.rank >= 1 && a_shape.dims[a_shape.rank - 1] == channels;
  if (!((a_full || na == 1 || a_row) && (b_full || nb == 1 || b_row)) ||
      (per_channel_act && (channels < L)) || n % channels != 0)
    return ref::binary_f32(op, a_shape, a, b_shape, b, out_shape, act, y);
  auto operand = [&](const float* p, uint64_t count, bool row, uint64_t base, uint32_t c) {
    if (count == 1) return B(p[0]);
    return B::load_unaligned(p + (row ? c : base + c));
  };
  auto scalar = [&](const float* p, uint64_t count, bool row, uint64_t base, uint32_t c) {
    return count == 1 ? p[0] : p[row ? c : base + c];
  };
  // Same-shape or scalar operands and no per-channel slope: one flat loop
  // (no row structure needed, so narrow last axes vectorize too).
  if ((a_full || na == 1) && (b_full || nb == 1) && !per_channel_act) {
    uint64_t i = 0;
    for (; i + L <= n; i += L) {
      const B va = na == 1 ? B(a[0]) : B::load_unaligned(a + i);
      const B vb = nb == 1 ? B(b[0]) : B::load_unaligned(b + i);
      activate<A>(act, apply<A>(op, va, vb), 0).store_unaligned(y + i);
    }
    for (; i < n; ++i) {
      const float va = na == 1 ? a[0] : a[i], vb = nb == 1 ? b[0] : b[i];
      y[i] = ref::activate(act, apply_scalar(op, va, vb), uint32_t(i % channels));
    }
    return;
  }
  for (uint64_t base = 0; base < n; base += channels) {
    uint32_t c = 0;
    for (; c + L <= channels; c += L) {
      const B r = apply<A>(op, operand(a, na, a_row && !a_full, base, c),
                           operand(b, nb, b_row && !b_full, base, c));
      activate<A>(act, r, c).store_unaligned(y + base + c);
    }
    for (; c < channels; ++c) {
      const float va = scalar(a, na, a_row && !a_full, base, c);
      const float vb = scalar(b, nb, b_row && !b_full, base, c);
      y[base + c] = ref::activate(act, apply_scalar(op, va, vb), c);
    }
  }
}

}  // namespace
}  // namespace edgeae::simd
