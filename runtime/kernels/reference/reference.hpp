// Scalar float32 reference kernels: the oracle every optimized kernel is
// tested against. Each is written to be read as the specification of its op,
// not for speed. They know nothing of the blob: the executor resolves shapes
// and pointers and calls them with plain descriptions.
//
// Layout: spatial tensors are channels-last. A 2-D tensor is [N, H, W, C]; a
// 1-D tensor [N, W, C] is handled as H = 1. Conv and ConvTranspose weights are
// [KH, KW, Cin / groups, Cout]: for each tap and input channel, the output
// channels are contiguous (the vector an optimized kernel loads); output
// channel oc belongs to group oc / (Cout / groups) and reads that group's
// input channels. Every kernel writes its whole output and reads
// nothing else; the output never overlaps an input.
#pragma once

#include <stdint.h>

#include "edgeae/blob_format.hpp"

namespace edgeae::ref {

// The activation applied to each output value. For kPRelu, `slope` holds
// `slope_count` values: 1 (shared) or one per channel, where the channel of
// an output element is its index along the output's last axis. A kPRelu spec
// must carry at least one slope (the loader guarantees it).
//
// `residual` (Conv and ConvTranspose only; the executor sets it for no other
// op): a tensor of the output's shape and layout added to each output after
// the activation, y = act(conv + bias) + residual (a U-Net's skip Add fused
// into the layer before it; it may not overlap the output).
struct ActivationSpec {
  format::Activation kind = format::Activation::kNone;
  float alpha = 0.0f;
  float beta = 0.0f;
  const float* slope = nullptr;
  uint32_t slope_count = 0;
  const float* residual = nullptr;
};

// Applies `act` to one value whose last-axis index is `channel`.
float activate(const ActivationSpec& act, float x, uint32_t channel);

// y[i] = activate(x[i]) for `count` values with `channels` as the last axis.
void activation_f32(const ActivationSpec& act, uint32_t count, uint32_t channels, const float* x,
                    float* y);

// Gemm: Y[m][n] = act(sum_k A'[m][k] * B'[k][n] + bias[m * bias_stride_m + n * bias_stride_n]).
// A is [M, K] (or [K, M] when trans_a), B is [K, N] (or [N, K] when trans_b).
// The bias strides express ONNX's broadcast of C: [] or [1] -> (0, 0),
// [N] -> (0, 1), [M, 1] -> (1, 0), [M, N] -> (N, 1). bias may be null.
// b_block > 0: B [K, N] is stored as column blocks of b_block columns, each a
// row-major [K, width] matrix, one after the other (format::DenseParams).
struct DenseShape {
  uint32_t m = 1, n = 1, k = 1;
  bool trans_a = false, trans_b = false;
  uint32_t bias_stride_m = 0, bias_stride_n = 0;
  uint32_t b_block = 0;
  int32_t b_packing = 1;  // int8 B: 1 quads, 2 DSP pairs (format::DenseParams)
};
void dense_f32(const DenseShape& s, const float* a, const float* b, const float* bias,
               const ActivationSpec& act, float* y);

// Conv and ConvTranspose over [N, H, W, C]. `p` carries kernel, stride,
// padding (begin/end), dilation, groups and, for ConvTranspose,
// output_padding. bias is [Cout] or null.
struct ConvShape {
  uint32_t batch = 1;
  uint32_t in_h = 1, in_w = 1, in_c = 1;
  uint32_t out_h = 1, out_w = 1, out_c = 1;
  format::ConvParams p{};
};
void conv_f32(const ConvShape& s, const float* x, const float* w, const float* bias,
              const ActivationSpec& act, float* y);
// ConvTranspose as the adjoint of conv: out[oh] gathers x[ih] * w[kh] for every
// ih * stride - pad_begin + kh * dilation == oh. Weights are [KH, KW,
// Cin/groups, Cout] with the taps not flipped; from ONNX's [Cin, Cout/g, KH, KW]:
// w[kh][kw][ic][g*cout_g + j] = W_onnx[g*cin_g + ic][j][kh][kw].
void conv_transpose_f32(const ConvShape& s, const float* x, const float* w, const float* bias,
                        const ActivationSpec& act, float* y);

// MaxPool / AveragePool over [N, H, W, C]; padded positions never win a max
// and count in an average only when count_include_pad is set (positions past
// pad_end that ceil_mode adds never count). A window with no input element
// (possible with dilation) yields 0 before the activation.
struct PoolShape {
  uint32_t batch = 1;
  uint32_t in_h = 1, in_w = 1, channels = 1;
  uint32_t out_h = 1, out_w = 1;
  format::PoolParams p{};
};
void max_pool_f32(const PoolShape& s, const float* x, const ActivationSpec& act, float* y);
void average_pool_f32(const PoolShape& s, const float* x, const ActivationSpec& act, float* y);

// [N, spatial..., C] -> [N, 1..., C]: mean over `spatial` positions.
void global_average_pool_f32(uint32_t batch, uint32_t spatial, uint32_t channels, const float* x,
                             const ActivationSpec& act, float* y);

struct Shape {
  uint32_t rank = 0;
  uint32_t dims[format::kMaxRank] = {};
};

// Elementwise with numpy broadcasting: a and b are right-aligned against the
// output shape; an axis of size 1 repeats. PRelu is x < 0 ? slope * x : x
// with a = x and b = slope.
enum class BinaryOp : uint8_t { kAdd, kSub, kMul, kPRelu };
void binary_f32(BinaryOp op, const Shape& a_shape, const float* a, const Shape& b_shape,
                const float* b, const Shape& out_shape, const ActivationSpec& act, float* y);

// Data movement, for any element size (these serve every dtype).
// Concat along `axis`; all inputs share every other dim.
void concat(uint32_t elem_bytes, uint32_t input_count, const Shape* shapes,
            const void* const* inputs, uint32_t axis, void* y);
// Nearest resize by integer factors: out[i0..] = in[i0 / scale[0], ...].
void resize_nearest(uint32_t elem_bytes, const Shape& in_shape, const int32_t* scale, const void* x,
                    void* y);
// out.dims[i] = in.dims[perm[i]].
void transpose(uint32_t elem_bytes, const Shape& in_shape, const int32_t* perm, const void* x,
               void* y);

}  // namespace edgeae::ref
