// The single layers timed per kernel (edgeae kernel sets and XNNPACK), taken
// from the benchmark models: their shapes, nominal MACs and benchmark names.
#pragma once

#include <cstdint>

namespace edgeae::bench {

enum class KernelKind { kDense, kConv, kConvTranspose };

// Channels-last [1, H, W, C]; a 1-D layer has H = 1 and kernel height 1.
// Padding is symmetric (begin = end) on both axes, as in the models.
struct KernelCase {
  const char* name;  // benchmark names: kernel/<name>/<implementation>
  KernelKind kind;
  uint32_t in_h, in_w, in_c;
  uint32_t out_h, out_w, out_c;
  uint32_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  // Dense uses in_c (K) and out_c (N) only. Every case fuses a ReLU.

  // Nominal MACs: every tap, padded or not (the models' convention).
  uint64_t macs() const {
    if (kind == KernelKind::kDense) return uint64_t{in_c} * out_c;
    const uint64_t taps = uint64_t{kernel_h} * kernel_w * in_c * out_c;
    // Conv: each output position gathers every tap; ConvTranspose: each
    // input position scatters every tap.
    return kind == KernelKind::kConv ? uint64_t{out_h} * out_w * taps
                                     : uint64_t{in_h} * in_w * taps;
  }
};

inline constexpr KernelCase kKernelCases[] = {
    // dense_ae's first layer: [1, 784] x [784, 256].
    {"dense_784x256", KernelKind::kDense, 1, 1, 784, 1, 1, 256, 1, 1, 1, 1, 0, 0},
    // conv2d_ae's second layer: Conv2d 16->32 k3 s2 p1 on 14x14.
    {"conv2d_16to32_k3s2_14x14", KernelKind::kConv, 14, 14, 16, 7, 7, 32, 3, 3, 2, 2, 1, 1},
    // conv1d_unet's third encoder layer: Conv1d 32->64 k9 s2 p4 on 256.
    {"conv1d_32to64_k9s2_w256", KernelKind::kConv, 1, 256, 32, 1, 128, 64, 1, 9, 1, 2, 0, 4},
    // conv1d_unet's first decoder layer: ConvTranspose1d 64->32 k8 s2 p3 on 128.
    {"convT1d_64to32_k8s2_w128", KernelKind::kConvTranspose, 1, 128, 64, 1, 256, 32, 1, 8, 1, 2, 0,
     3},
};

}  // namespace edgeae::bench
