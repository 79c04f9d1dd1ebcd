// edgeae blob format v1: the on-disk records, shared by the runtime's reader
// and the host-side writer. docs/blob-format.md is the prose specification;
// this header is its machine-readable twin.
//
// File layout (all little-endian, every section 64-byte aligned):
//
//   [BlobHeader 64 B][SectionEntry x section_count][pad][section]...[section]
//
// Sections (each at most once):
//   kTensors   TensorRecord[count]  shape, dtype, quantization, placement,
//                                   live range (the memory plan)
//   kOps       OpRecord[count]      in execution order, with parameters
//   kIo        IoRecord[count]      graph inputs then outputs
//   kConstants raw bytes            weights, packed in the layout kernels read
//   kStrings   NUL-terminated names (optional; offsets from TensorRecord.name
//                                   and OpRecord.name)
//
// Records are read in place (zero copy), so the blob must be 16-byte aligned
// in memory; the loader checks it.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "edgeae reads blobs in place and supports little-endian targets only"
#endif

namespace edgeae::format {

inline constexpr char kMagic[4] = {'E', 'D', 'A', 'E'};
inline constexpr uint16_t kVersionMajor = 1;
// 1: quantized ops (OpRecord.quant); 2: a float Conv/ConvTranspose's residual input;
// 3: int8 weights in DSP column pairs (packing 2)
inline constexpr uint16_t kVersionMinor = 3;
inline constexpr uint32_t kSectionAlign = 64;
// Arena offsets and constant offsets are multiples of this.
inline constexpr uint32_t kTensorAlign = 16;
// Required alignment of the blob and of the arena in memory.
inline constexpr uint32_t kMemoryAlign = 16;
inline constexpr uint32_t kMaxRank = 6;
inline constexpr uint32_t kMaxOpInputs = 4;
inline constexpr uint32_t kNoId = 0xFFFFFFFFu;  // "no tensor" / "no name"
// Loader limits: keep validation time bounded on a microcontroller.
inline constexpr uint32_t kMaxTensors = 65535;
inline constexpr uint32_t kMaxOps = 65535;

struct BlobHeader {
  char magic[4];               // "EDAE"
  uint16_t version_major;      // 1: a reader rejects any other major version
  uint16_t version_minor;      // <= kVersionMinor; the writer stamps the oldest that fits
  uint32_t header_bytes;       // sizeof(BlobHeader) == 64
  uint32_t crc32;              // CRC-32 (as zlib) of [0, file_bytes), this field read as 0
  uint64_t file_bytes;         // total blob size
  uint64_t arena_bytes;        // exact arena size the session needs
  uint64_t arena_lower_bound;  // informational: max bytes simultaneously live
  uint32_t section_count;      // SectionEntry records right after the header
  uint32_t flags;              // 0 in v1
  uint32_t reserved[4];        // 0
};
static_assert(sizeof(BlobHeader) == 64, "header is 64 bytes");
static_assert(offsetof(BlobHeader, crc32) == 12, "blob_crc32() skips bytes 12..15");

enum class SectionKind : uint32_t {
  kTensors = 1,
  kOps = 2,
  kIo = 3,
  kConstants = 4,
  kStrings = 5,
};

struct SectionEntry {
  uint32_t kind;    // SectionKind
  uint32_t count;   // records in the section (bytes for kConstants/kStrings)
  uint64_t offset;  // from the start of the blob, multiple of kSectionAlign
  uint64_t bytes;
};
static_assert(sizeof(SectionEntry) == 24, "section entry is 24 bytes");

enum class DType : uint8_t { kFloat32 = 1, kInt8 = 2, kInt16 = 3, kInt32 = 4, kInt64 = 5 };

inline constexpr uint32_t dtype_bytes(DType t) {
  switch (t) {
    case DType::kFloat32:
      return 4;
    case DType::kInt8:
      return 1;
    case DType::kInt16:
      return 2;
    case DType::kInt32:
      return 4;
    case DType::kInt64:
      return 8;
  }
  return 0;
}

// log2 of dtype_bytes: element counts by shifting a 64-bit byte count (a
// 64-bit division is a library call on 32-bit cores).
inline constexpr uint32_t dtype_bytes_log2(DType t) {
  switch (t) {
    case DType::kInt8:
      return 0;
    case DType::kInt16:
      return 1;
    case DType::kFloat32:
    case DType::kInt32:
      return 2;
    case DType::kInt64:
      return 3;
  }
  return 0;
}

enum class Storage : uint8_t {
  kArena = 0,     // lives in the arena at `offset` during [first_op, last_op]
  kConstant = 1,  // lives in the constants section at `offset`
  kAlias = 2,     // a view (Reshape/Flatten/Identity) of tensor `alias_of`: no bytes
};

// Informational: how the dims are to be read. Kernels of spatial ops use
// channels-last tensors: rank 3 is [N, W, C] (1-D), rank 4 is [N, H, W, C].
enum class Layout : uint8_t { kPlain = 0, kChannelsLast = 1, kChannelsFirst = 2 };

struct TensorRecord {
  uint8_t dtype;            // DType
  uint8_t storage;          // Storage
  uint8_t rank;             // 0..kMaxRank
  uint8_t layout;           // Layout
  uint32_t name;            // offset into kStrings or kNoId
  uint32_t dims[kMaxRank];  // dims[rank..] are 0
  uint64_t offset;          // arena offset (kArena) or constants-section offset (kConstant)
  uint64_t bytes;           // element count * dtype bytes
  float scale;              // quantization: real = scale * (q - zero_point); 0 for float
  int32_t zero_point;
  uint32_t alias_of;  // base tensor (kAlias), else kNoId
  // Memory plan: the op indices between which an arena tensor holds data.
  // Graph inputs start at 0; graph outputs end at op_count - 1.
  uint32_t first_op;
  uint32_t last_op;
  uint32_t reserved[3];
};
static_assert(sizeof(TensorRecord) == 80, "tensor record is 80 bytes");

// The op set. One line per op: X(enum name, ONNX name, input count min, max).
// This list drives the loader's dispatch, shape rules, inspect and tests.
#define EDGEAE_OP_LIST(X)                         \
  X(Dense, "Gemm", 2, 3)                          \
  X(Conv, "Conv", 2, 4)                           \
  X(ConvTranspose, "ConvTranspose", 2, 4)         \
  X(Relu, "Relu", 1, 1)                           \
  X(LeakyRelu, "LeakyRelu", 1, 1)                 \
  X(PRelu, "PRelu", 2, 2)                         \
  X(Sigmoid, "Sigmoid", 1, 1)                     \
  X(Tanh, "Tanh", 1, 1)                           \
  X(Clip, "Clip", 1, 1)                           \
  X(HardSigmoid, "HardSigmoid", 1, 1)             \
  X(Add, "Add", 2, 2)                             \
  X(Sub, "Sub", 2, 2)                             \
  X(Mul, "Mul", 2, 2)                             \
  X(Concat, "Concat", 1, 4)                       \
  X(MaxPool, "MaxPool", 1, 1)                     \
  X(AveragePool, "AveragePool", 1, 1)             \
  X(GlobalAveragePool, "GlobalAveragePool", 1, 1) \
  X(Resize, "Resize", 1, 1)                       \
  X(Transpose, "Transpose", 1, 1)                 \
  X(Requantize, "Requantize", 1, 1)

enum class OpType : uint16_t {
#define EDGEAE_OP_ENUM(name, onnx, min_in, max_in) k##name,
  EDGEAE_OP_LIST(EDGEAE_OP_ENUM)
#undef EDGEAE_OP_ENUM
      kCount
};

// Activation applied to an op's output before it is stored ("fused"), and the
// function computed by the standalone activation ops.
enum class Activation : uint8_t {
  kNone = 0,
  kRelu = 1,
  kLeakyRelu = 2,  // x < 0 ? alpha * x : x
  kSigmoid = 3,
  kTanh = 4,
  kClip = 5,         // min(max(x, alpha), beta)
  kHardSigmoid = 6,  // max(0, min(1, alpha * x + beta))
  kPRelu = 7,        // x < 0 ? slope[c] * x : x, slope from OpRecord.act_slope
};

struct OpRecord {
  uint16_t type;        // OpType
  uint8_t activation;   // Activation fused into the output
  uint8_t input_count;  // used entries of inputs[]
  uint32_t name;        // offset into kStrings or kNoId
  float act_alpha;      // activation parameters (see Activation)
  float act_beta;
  uint32_t act_slope;             // PRelu slope tensor (constant, [C] or [1]) or kNoId
  uint32_t inputs[kMaxOpInputs];  // tensor ids; optional inputs are kNoId
  uint32_t output;                // tensor id (an arena tensor)
  // Integer parameters of a quantized op (a constant tensor laid out as
  // below, "Quantized ops"), or kNoId for a float op and for the ops that
  // need none (Resize, Transpose).
  uint32_t quant;
  uint32_t reserved;
  uint64_t scratch_offset;  // arena scratch for this op only (0 bytes: none)
  uint64_t scratch_bytes;
  int32_t params[16];  // op parameters, laid out by the structs below
};
static_assert(sizeof(OpRecord) == 128, "op record is 128 bytes");

// Parameter layouts (overlaid on OpRecord.params with memcpy). Spatial fields
// are [H, W]; a 1-D op uses H = 1 with kernel 1, stride 1, no padding.
struct DenseParams {  // Gemm: Y = A' * B' + C, A' = trans_a ? A^T : A (same for B)
  int32_t trans_a;
  int32_t trans_b;
  // 0: B is row-major as its dims say. > 0 (trans_b = 0 only): B [K, N] is
  // stored as column blocks of this width, one after the other, each a
  // row-major [K, width] matrix (the last block holds the N % width rest):
  // a kernel tile then reads one contiguous stream instead of a slice of
  // every row.
  int32_t b_block;
  // 1 for a quantized int8 Gemm (0 otherwise): B holds quads of
  // the reduction axis (k = 4q + j), zero past K, with dims
  // [round_up(K, 4), N]: the four int8 weights a 32-bit dot-product
  // instruction (x86 VNNI, Arm SDOT) takes together; in column blocks of
  // b_block (0: one block), each block [ceil(K/4)][width][4]
  // (packed_dense_offset). Its quant words then end with N column sums of B
  // (kernels that offset the activations by a constant correct with them).
  // 2 (format 1.3): the same quads and blocks with the columns in DSP pairs
  // (paired_dense_offset), for cores whose fastest int8 product is a 16-bit
  // dual multiply-accumulate (Arm SMLAD); column sums as for 1.
  int32_t b_packing;
};

// Byte offset of weight (k, n) in a quad-packed B of n_total columns,
// k_padded = round_up(K, 4) rows and column blocks of `block` (0: one).
inline constexpr size_t packed_dense_offset(uint32_t k, uint32_t n, uint32_t k_padded,
                                            uint32_t n_total, uint32_t block) {
  const uint32_t bw = block != 0 ? block : n_total;
  const uint32_t nb = n / bw * bw;
  const uint32_t width = n_total - nb < bw ? n_total - nb : bw;
  return size_t{nb} * k_padded + ((size_t{k} / 4) * width + (n - nb)) * 4 + k % 4;
}

// Packing 2, DSP column pairs: the blocks and quad rows of packing 1 (a quad
// row of a block of width w is 4w bytes), but columns 2p and 2p + 1 of a
// block share 8 bytes per quad: for the quad's k-pair h (k0 = 4q + 2h,
// k1 = k0 + 1) the 32-bit word
//   [w(2p, k0), v(2p + 1, k0), w(2p, k1), v(2p + 1, k1)],
// v(2p + 1, k) = w(2p + 1, k) - (w(2p, k) < 0 ? 1 : 0). Read as a signed
// halfword, (w(2p, k), v(2p + 1, k)) is then exactly w(2p, k) + 256 *
// w(2p + 1, k): one 16-bit multiplier carrying both columns' weights (one
// SMLAD yields A + 256 B, the pair's two dot products; the kernel recovers
// B after one more SMLAD on the sign-extended even bytes gives A). The last
// column of a block of odd width is a plain quad. v must decode to an int8:
// the converter keeps such odd columns' weights in [-127, 127].
inline constexpr size_t paired_dense_offset(uint32_t k, uint32_t n, uint32_t k_padded,
                                            uint32_t n_total, uint32_t block) {
  const uint32_t bw = block != 0 ? block : n_total;
  const uint32_t nb = n / bw * bw;
  const uint32_t width = n_total - nb < bw ? n_total - nb : bw;
  const uint32_t j = n - nb;
  const size_t row = size_t{nb} * k_padded + size_t{k / 4} * width * 4;
  if (width % 2 == 1 && j == width - 1) return row + size_t{j} * 4 + k % 4;
  return row + size_t{j / 2} * 8 + (k % 4 / 2) * 4 + (k % 2) * 2 + j % 2;
}

// Weight (k, n) of an int8 B packed as `packing` (1 quads, 2 DSP pairs).
inline int32_t packed_dense_weight(const int8_t* b, int32_t packing, uint32_t k, uint32_t n,
                                   uint32_t k_padded, uint32_t n_total, uint32_t block) {
  if (packing != 2) return b[packed_dense_offset(k, n, k_padded, n_total, block)];
  const size_t at = paired_dense_offset(k, n, k_padded, n_total, block);
  const uint32_t bw = block != 0 ? block : n_total;
  // An odd column of a pair (never a block's unpaired last column, whose
  // index in its block is even) undoes its partner's borrow.
  return int32_t{b[at]} + ((n % bw) % 2 == 1 && b[at - 1] < 0 ? 1 : 0);
}

// Conv and ConvTranspose. Inputs: x, weights [KH, KW, Cin/groups, Cout],
// optional bias [Cout], and (float32 only, format 1.2) an optional residual
// with the output's dims, added after the fused activation:
// y = act(conv(x) + bias) + residual (a skip connection's Add, fused).
struct ConvParams {
  int32_t kernel[2];
  int32_t stride[2];
  int32_t pad_begin[2];  // top, left
  int32_t pad_end[2];    // bottom, right
  int32_t dilation[2];
  int32_t groups;
  int32_t output_padding[2];  // ConvTranspose only
  // Quantized int8, groups 1 only. 0: weights [KH, KW, Cin, Cout]. 1 (2):
  // the same weights as a matrix of R = KH*KW*Cin rows (r = (kh*KW + kw)*Cin
  // + ic) and Cout columns, packed like a Gemm's B (DenseParams::b_packing 1
  // quads, 2 DSP pairs; column blocks of w_block), dims [round_up(R, 4), Cout]; the
  // quant words end with Cout column sums, and the op's scratch holds the
  // gathered input rows (R bytes each) of a tile of output pixels, at least
  // one row.
  int32_t w_packing;
  int32_t w_block;
};

struct PoolParams {  // MaxPool, AveragePool
  int32_t kernel[2];
  int32_t stride[2];
  int32_t pad_begin[2];
  int32_t pad_end[2];
  int32_t dilation[2];
  int32_t ceil_mode;          // output size rounds up
  int32_t count_include_pad;  // AveragePool divides by the full window
};

struct ConcatParams {
  int32_t axis;  // 0..rank-1
};

struct ResizeParams {  // nearest, integer scale per axis: out[i] = in[i / scale]
  int32_t scale[kMaxRank];
};

struct TransposeParams {  // out.dims[i] = in.dims[perm[i]]
  int32_t perm[kMaxRank];
};

struct RequantizeParams {  // Requantize: converts between int8 and int16 (mixed precision)
  int32_t out_dtype;       // DType of the output: kInt8 or kInt16
};

// Quantized ops: an op whose output is kInt8 or kInt16. Activations are
// quantized per tensor (TensorRecord.scale and zero_point; int16 has zero
// point 0), weights are kInt8 symmetric per output channel, biases kInt32
// (int8 ops) or kInt64 (int16 ops). A quantized op's fused activation is
// kNone: a ReLU or Clip becomes its act_min/act_max clamp, anything else is
// an op of its own. OpRecord.quant names a constant rank-1 tensor with the
// op's integer parameters, kInt32 words laid out as the structs below (each
// followed by its arrays), except for the table ops. docs/quantization.md
// gives the arithmetic.
//
//   Dense, Conv, ConvTranspose  QuantLayer, multiplier[count], shift[count]
//                               (count 1 or Cout: per tensor or per channel)
//   Relu, LeakyRelu, PRelu, Clip QuantPRelu, neg_multiplier[count],
//                               neg_shift[count] (count 1 or channels)
//   Add, Sub                    QuantAdd
//   Mul                         QuantMul
//   MaxPool, AveragePool,       QuantPool (the output keeps the input's
//   GlobalAveragePool           scale and zero point)
//   Concat                      QuantConcat, then one QuantConcatInput per input
//   Requantize                  QuantRequantize
//   Sigmoid, Tanh, HardSigmoid  a lookup table of the output's dtype:
//                               kInt8[256] or kInt16[513]
//   Resize, Transpose           none (quant = kNoId; scale and zero point kept)
struct QuantLayer {
  int32_t in_zp, out_zp, act_min, act_max, count;
};
struct QuantPRelu {
  int32_t in_zp, out_zp, act_min, act_max, pos_multiplier, pos_shift, count;
};
struct QuantAdd {
  int32_t left_shift;  // 20 for int8, 15 for int16
  int32_t a_zp, a_multiplier, a_shift;
  int32_t b_zp, b_multiplier, b_shift;
  int32_t out_multiplier, out_shift, out_zp, act_min, act_max;
};
struct QuantMul {
  int32_t a_zp, b_zp, multiplier, shift, out_zp, act_min, act_max;
};
struct QuantPool {
  int32_t zp, act_min, act_max;
};
struct QuantConcat {
  int32_t out_zp, count;  // count == input_count
};
struct QuantConcatInput {
  int32_t zp, multiplier, shift, same_as_output;
};
struct QuantRequantize {
  int32_t in_zp, out_zp, multiplier, shift;
};
inline constexpr uint32_t kLutEntriesS8 = 256;
inline constexpr uint32_t kLutEntriesS16 = 513;

static_assert(sizeof(ConvParams) <= sizeof(OpRecord::params), "fits");

// An op's parameters as their struct (OpRecord.params is int32[16]; memcpy
// reads them without aliasing questions). The one reader every part uses.
template <typename T>
inline T params_as(const OpRecord& op) {
  static_assert(sizeof(T) <= sizeof(op.params), "parameter struct fits the record");
  T p;
  memcpy(&p, op.params, sizeof p);
  return p;
}
static_assert(sizeof(PoolParams) <= sizeof(OpRecord::params), "fits");

// A layer's weight layout: DenseParams::b_packing and b_block, or
// ConvParams::w_packing and w_block; packing -1 for ops without weights.
struct WeightLayout {
  int32_t packing, block;
};
inline WeightLayout weight_layout(const OpRecord& op) {
  switch (static_cast<OpType>(op.type)) {
    case OpType::kDense: {
      const auto p = params_as<DenseParams>(op);
      return {p.b_packing, p.b_block};
    }
    case OpType::kConv:
    case OpType::kConvTranspose: {
      const auto p = params_as<ConvParams>(op);
      return {p.w_packing, p.w_block};
    }
    default:
      return {-1, 0};
  }
}

enum class IoKind : uint32_t { kInput = 0, kOutput = 1 };

struct IoRecord {
  uint32_t kind;    // IoKind; all inputs come before all outputs
  uint32_t tensor;  // tensor id
  uint32_t name;    // offset into kStrings or kNoId
  uint32_t reserved;
};
static_assert(sizeof(IoRecord) == 16, "io record is 16 bytes");

}  // namespace edgeae::format
