// The quantized blob: rewrites a float32 blob op by op into int8/int16 ops
// with the integer parameters the kernels read (docs/quantization.md).
#include "quant/quantize.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>

#include "edgeae/shape_rules.hpp"
#include "quant/quant_math.hpp"

namespace edgeae::quant {
namespace {

using format::Activation;
using format::DType;
using format::OpType;
using format::Storage;
using format::TensorRecord;

struct QParams {
  float scale = 1.0f;
  int32_t zp = 0;
};

bool is_int16(DType d) {
  return d == DType::kInt16;
}
int32_t type_min(DType d) {
  return is_int16(d) ? -32768 : -128;
}
int32_t type_max(DType d) {
  return is_int16(d) ? 32767 : 127;
}

constexpr double kInt16Headroom = 2.0;
// Column block of packed int8 Dense weights: 8 AVX-512 tiles of 16 (the
// VNNI kernel's step), 8 SDOT tiles of 16, 16 AVX2 tiles of 8; each block
// is then one contiguous stream.
constexpr uint32_t kInt8DenseBlock = 128;

// Row-major int8 weights [rows, cols] (held in int16) quad-packed in column
// blocks of kInt8DenseBlock (format::packed_dense_offset), and their column
// sums: the layout of an int8 Gemm's B and of an int8 Conv's [KH*KW*Cin, Cout].
std::vector<int8_t> quad_pack(const std::vector<int16_t>& w, uint32_t rows, uint32_t cols,
                              std::vector<int32_t>& column_sums) {
  const uint32_t rows_padded = (rows + 3) / 4 * 4;
  std::vector<int8_t> packed(size_t{rows_padded} * cols, 0);
  column_sums.assign(cols, 0);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < cols; ++c) {
      const int16_t v = w[size_t{r} * cols + c];
      packed[format::packed_dense_offset(r, c, rows_padded, cols, kInt8DenseBlock)] =
          static_cast<int8_t>(v);
      column_sums[c] += v;
    }
  return packed;
}

// Per-tensor activation parameters of a [lo, hi] range (widened to hold 0,
// so that zero, and so padding, is exact). int8 asymmetric over 255 steps;
// int16 symmetric over 32767.
QParams activation_params(TensorRange r, DType d) {
  double lo = std::min(0.0, double(r.lo)), hi = std::max(0.0, double(r.hi));
  QParams q;
  if (is_int16(d)) {
    // Twice the calibrated range: inputs beyond what calibration saw are
    // kept rather than clipped, for one bit of the ~15 int16 offers.
    const double m = kInt16Headroom * std::max(-lo, hi);
    q.scale = static_cast<float>(m > 0 ? m / 32767.0 : 1.0 / 32767.0);
    return q;
  }
  if (hi - lo <= 0) hi = lo + 1.0;
  q.scale = static_cast<float>((hi - lo) / 255.0);
  const double zp = std::round(-128.0 - lo / double(q.scale));
  q.zp = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
  return q;
}

// Quantizes `values` as one int8/int16 tensor with its own range (the
// constant operands of Add/Sub/Mul/Concat).
template <typename T>
std::vector<T> quantize_values(const std::vector<float>& values, QParams q, DType d) {
  std::vector<T> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = std::round(double(values[i]) / double(q.scale)) + q.zp;
    out[i] = static_cast<T>(std::clamp(v, double(type_min(d)), double(type_max(d))));
  }
  return out;
}

class Quantizer {
 public:
  Quantizer(const Model& m, const Calibration& c, const std::vector<DType>& precision,
            bool int16_weights)
      : m_(m), cal_(c), precision_(precision), int16_weights_(int16_weights) {}

  QuantizedBlob run() {
    if (precision_.size() != m_.op_count())
      throw std::runtime_error("quantize: one precision per op expected");
    same_as_input_.assign(m_.tensor_count(), format::kNoId);
    for (size_t i = 0; i < m_.input_count(); ++i) add_input(i);
    QuantizedBlob out;
    for (uint32_t i = 0; i < m_.op_count(); ++i) {
      current_ = i;
      add_op(m_.op(i), precision_[i]);
      out.op_of_float_op.push_back(op_count_ - 1);
    }
    for (size_t i = 0; i < m_.output_count(); ++i) {
      const uint32_t id = m_.output_tensor(i);
      const DType d = dtype_of_float(base(id));
      g_.output(get(id, d), m_.output(i).name);
    }
    out.blob = g_.build();
    return out;
  }

 private:
  // --- float model access -------------------------------------------------
  const TensorRecord& t(uint32_t id) const { return m_.tensor(id); }
  uint32_t base(uint32_t id) const {
    return t(id).storage == static_cast<uint8_t>(Storage::kAlias) ? t(id).alias_of : id;
  }
  std::vector<uint32_t> dims(uint32_t id) const {
    return std::vector<uint32_t>(t(id).dims, t(id).dims + t(id).rank);
  }
  std::vector<float> floats(uint32_t id) const {
    const TensorRecord& r = t(id);
    std::vector<float> v(static_cast<size_t>(r.bytes / 4));
    std::memcpy(v.data(), m_.constant_data(r), static_cast<size_t>(r.bytes));
    return v;
  }
  std::string name_of(uint32_t id) const { return m_.name_at(t(id).name); }
  std::string op_name(const format::OpRecord& op) const {
    const std::string n = m_.name_at(op.name);
    return "node '" + (n.empty() ? "op " + std::to_string(current_) : n) + "' (" +
           op_type_name(static_cast<OpType>(op.type)) + ")";
  }
  [[noreturn]] void fail(const format::OpRecord& op, const std::string& why) const {
    throw std::runtime_error(op_name(op) + ": " + why);
  }
  // The tensor whose quantization a tensor shares (pools, Resize, Transpose
  // keep their input's scale and zero point).
  uint32_t params_root(uint32_t id) const {
    id = base(id);
    while (same_as_input_[id] != format::kNoId) id = base(same_as_input_[id]);
    return id;
  }
  QParams params(uint32_t id, DType d) const {
    const uint32_t root = params_root(id);
    auto bounded = bounded_range_.find(root);
    return activation_params(
        bounded != bounded_range_.end() ? bounded->second : cal_.ranges.at(root), d);
  }
  DType dtype_of_float(uint32_t base_id) const { return produced_dtype_.at(base_id); }

  // --- quantized graph -----------------------------------------------------
  void add_input(size_t i) {
    const uint32_t id = m_.input_tensor(i);
    // The input computes in the precision of its first reader.
    DType d = DType::kInt8;
    for (uint32_t o = 0; o < m_.op_count(); ++o)
      if (reads(m_.op(o), id)) {
        d = precision_[o];
        break;
      }
    const QParams q = params(id, d);
    const uint32_t qid = g_.input(m_.input(i).name, dims(id), d,
                                  static_cast<format::Layout>(t(id).layout), q.scale, q.zp);
    versions_[{id, d}] = qid;
    produced_dtype_[id] = d;
  }
  bool reads(const format::OpRecord& op, uint32_t id) const {
    for (uint32_t k = 0; k < op.input_count; ++k)
      if (op.inputs[k] != format::kNoId && base(op.inputs[k]) == id) return true;
    return false;
  }

  // The quantized tensor standing for float tensor `id` in dtype d: the
  // tensor itself, a view of its base's version, or a Requantize op.
  uint32_t get(uint32_t id, DType d) {
    auto it = versions_.find({id, d});
    if (it != versions_.end()) return it->second;
    uint32_t q;
    if (t(id).storage == static_cast<uint8_t>(Storage::kAlias)) {
      q = g_.view(get(t(id).alias_of, d), dims(id), name_of(id));
    } else {
      const DType have = dtype_of_float(id);
      const uint32_t src = get(id, have);
      const QParams from = params(id, have), to = params(id, d);
      const QuantizedMultiplier qm = quantize_multiplier(double(from.scale) / double(to.scale));
      const format::QuantRequantize w{from.zp, to.zp, qm.multiplier, qm.shift};
      blob::OpDesc desc;
      desc.type = OpType::kRequantize;
      desc.inputs = {src};
      desc.with(format::RequantizeParams{static_cast<int32_t>(d)});
      desc.name = name_of(id) + ":requantize";
      desc.quant = words(desc.name, &w, sizeof w / 4);
      desc.out_scale = to.scale;
      desc.out_zero_point = to.zp;
      desc.output_layout = static_cast<format::Layout>(t(id).layout);
      q = g_.op(desc);
      ++op_count_;
    }
    versions_[{id, d}] = q;
    return q;
  }

  uint32_t words(const std::string& name, const void* data, size_t count) {
    return g_.constant_raw(name + ":quant", {static_cast<uint32_t>(count)}, DType::kInt32, data,
                           count * 4);
  }
  uint32_t words(const std::string& name, const std::vector<int32_t>& w) {
    return words(name, w.data(), w.size());
  }

  // A constant operand (Add/Sub/Mul/Concat) as its own int8/int16 tensor.
  uint32_t constant_operand(uint32_t id, DType d) {
    auto it = versions_.find({id, d});
    if (it != versions_.end()) return it->second;
    const std::vector<float> v = floats(id);
    TensorRange r;
    if (!v.empty()) {
      r.lo = *std::min_element(v.begin(), v.end());
      r.hi = *std::max_element(v.begin(), v.end());
    }
    const QParams q = activation_params(r, d);
    constant_params_[id] = q;
    uint32_t qid;
    if (is_int16(d)) {
      const auto data = quantize_values<int16_t>(v, q, d);
      qid = g_.constant_raw(name_of(id), dims(id), d, data.data(), data.size() * 2, q.scale, q.zp);
    } else {
      const auto data = quantize_values<int8_t>(v, q, d);
      qid = g_.constant_raw(name_of(id), dims(id), d, data.data(), data.size(), q.scale, q.zp);
    }
    versions_[{id, d}] = qid;
    return qid;
  }
  bool is_constant(uint32_t id) const {
    return t(base(id)).storage == static_cast<uint8_t>(Storage::kConstant);
  }
  // Operand k of an elementwise op in dtype d, and its parameters.
  std::pair<uint32_t, QParams> operand(uint32_t id, DType d) {
    if (is_constant(id)) {
      const uint32_t q = constant_operand(base(id), d);
      return {t(id).storage == static_cast<uint8_t>(Storage::kAlias)
                  ? g_.view(q, dims(id), name_of(id))
                  : q,
              constant_params_.at(base(id))};
    }
    return {get(id, d), params(id, d)};
  }

  void add_op(const format::OpRecord& op, DType d) {
    const auto type = static_cast<OpType>(op.type);
    blob::OpDesc desc;
    desc.type = type;
    std::memcpy(desc.params, op.params, sizeof desc.params);
    desc.name = m_.name_at(op.name);
    desc.output_layout = static_cast<format::Layout>(t(op.output).layout);
    const auto act = static_cast<Activation>(op.activation);
    const bool clamp =
        act == Activation::kNone || act == Activation::kRelu || act == Activation::kClip;
    const bool own = act == own_activation(type);
    if (!clamp && !own)
      fail(op, "a fused activation other than Relu/Clip cannot be quantized here");
    if (own_activation(type) != Activation::kNone) {  // an activation op names its own kind
      desc.activation.kind = own_activation(type);
      desc.activation.alpha = op.act_alpha;
      desc.activation.beta = op.act_beta;
    }
    const uint32_t out = op.output;
    // A bounded function's output range is the function's: held-out inputs
    // cannot push it further than that.
    if (type == OpType::kSigmoid || type == OpType::kHardSigmoid)
      bounded_range_[out] = TensorRange{0.0f, 1.0f};
    else if (type == OpType::kTanh)
      bounded_range_[out] = TensorRange{-1.0f, 1.0f};
    const bool keeps_scale = type == OpType::kMaxPool || type == OpType::kAveragePool ||
                             type == OpType::kGlobalAveragePool || type == OpType::kResize ||
                             type == OpType::kTranspose;
    if (keeps_scale) same_as_input_[out] = op.inputs[0];
    const QParams oq = params(out, d);
    desc.out_scale = oq.scale;
    desc.out_zero_point = oq.zp;
    const ActivationRange ar = (type == OpType::kRelu || type == OpType::kClip || !own)
                                   ? activation_range(act, op.act_alpha, op.act_beta, oq.scale,
                                                      oq.zp, type_min(d), type_max(d))
                                   : ActivationRange{type_min(d), type_max(d)};
    switch (type) {
      case OpType::kDense:
      case OpType::kConv:
      case OpType::kConvTranspose:
        if (op.input_count > 3)
          fail(op, "has a fused residual Add (float32 only): quantize from the ONNX model");
        layer(op, d, oq, ar, desc);
        break;
      case OpType::kRelu:
      case OpType::kLeakyRelu:
      case OpType::kClip:
      case OpType::kPRelu:
        prelu(op, d, oq, ar, desc);
        break;
      case OpType::kSigmoid:
      case OpType::kTanh:
      case OpType::kHardSigmoid:
        table(op, d, oq, desc);
        break;
      case OpType::kAdd:
      case OpType::kSub:
      case OpType::kMul:
        binary(op, d, oq, ar, desc);
        break;
      case OpType::kMaxPool:
      case OpType::kAveragePool:
      case OpType::kGlobalAveragePool: {
        desc.inputs = {get(op.inputs[0], d)};
        const std::vector<int32_t> w = {oq.zp, ar.lo, ar.hi};
        desc.quant = words(desc.name, w);
        break;
      }
      case OpType::kConcat:
        concat(op, d, oq, desc);
        break;
      case OpType::kResize:
      case OpType::kTranspose:
        desc.inputs = {get(op.inputs[0], d)};
        break;
      case OpType::kRequantize:
      case OpType::kCount:
        fail(op, "not a float op");
    }
    const uint32_t q = g_.op(desc);
    ++op_count_;
    versions_[{out, d}] = q;
    produced_dtype_[out] = d;
  }

  // Dense, Conv, ConvTranspose: int8 weights per output channel, bias in
  // units of in_scale * w_scale[c], one multiplier and shift per channel.
  void layer(const format::OpRecord& op, DType d, QParams oq, ActivationRange ar,
             blob::OpDesc& desc) {
    const auto type = static_cast<OpType>(op.type);
    const uint32_t x = op.inputs[0], w = op.inputs[1];
    if (!is_constant(w)) fail(op, "weights must be constant to be quantized");
    std::vector<float> wv = floats(base(w));
    std::vector<uint32_t> wd = dims(w);
    if (type == OpType::kDense) {
      const auto p = format::params_as<format::DenseParams>(op);
      if (p.trans_a) fail(op, "a transposed A cannot be quantized");
      wv = plain_dense_weights(wv, wd, p);
      desc.with(format::DenseParams{0, 0, 0, 0});
    }
    const uint32_t channels = wd.back();
    std::vector<double> w_scale(channels, 0.0);
    for (size_t i = 0; i < wv.size(); ++i)
      w_scale[i % channels] = std::max(w_scale[i % channels], std::fabs(double(wv[i])));
    // Symmetric per channel: [-127, 127] (int8) or [-32767, 32767] (int16).
    const bool wide_w = is_int16(d) && int16_weights_;
    const double w_max = wide_w ? 32767.0 : 127.0;
    for (double& s : w_scale) s = s > 0 ? s / w_max : 1.0;
    std::vector<int16_t> wq(wv.size());
    for (size_t i = 0; i < wv.size(); ++i)
      wq[i] = static_cast<int16_t>(
          std::clamp(std::round(double(wv[i]) / w_scale[i % channels]), -w_max, w_max));
    const auto max_scale = static_cast<float>(*std::max_element(w_scale.begin(), w_scale.end()));
    const QParams xq = params(x, d);
    uint32_t wid;
    std::vector<int32_t> column_sums;
    if (wide_w) {
      wid = g_.constant_raw(name_of(w), wd, DType::kInt16, wq.data(), wq.size() * 2, max_scale, 0);
    } else if (type == OpType::kDense && !is_int16(d)) {
      // int8 Gemm: quads of K in column blocks, and the column sums.
      const uint32_t k = wd[0], n = wd[1], kp = (k + 3) / 4 * 4;
      const std::vector<int8_t> packed = quad_pack(wq, k, n, column_sums);
      desc.with(format::DenseParams{0, 0, static_cast<int32_t>(kInt8DenseBlock), 1});
      wid = g_.constant_raw(name_of(w), {kp, n}, DType::kInt8, packed.data(), packed.size(),
                            max_scale, 0);
    } else if (!is_int16(d) && format::params_as<format::ConvParams>(op).groups == 1) {
      // int8 Conv/ConvTranspose: [KH, KW, Cin, Cout] is already the row-major
      // [R = KH*KW*Cin, Cout] matrix; quad-pack it like a Gemm's B, and plan
      // scratch for the gathered rows of a tile of output pixels (about 4 KiB).
      const auto rows = static_cast<uint32_t>(wv.size() / channels);
      const uint32_t rp = (rows + 3) / 4 * 4;
      const std::vector<int8_t> packed = quad_pack(wq, rows, channels, column_sums);
      auto p = format::params_as<format::ConvParams>(op);
      p.w_packing = 1;
      p.w_block = static_cast<int32_t>(kInt8DenseBlock);
      desc.with(p);
      const TensorRecord& o = t(op.output);
      uint64_t pixels = 1;
      for (uint32_t a = 0; a + 1 < o.rank; ++a) pixels *= o.dims[a];
      desc.scratch_bytes = std::min<uint64_t>(pixels, std::max<uint64_t>(1, 4096 / rows)) * rows;
      wid = g_.constant_raw(name_of(w), {rp, channels}, DType::kInt8, packed.data(), packed.size(),
                            max_scale, 0);
    } else {
      const std::vector<int8_t> w8(wq.begin(), wq.end());
      wid = g_.constant_raw(name_of(w), wd, DType::kInt8, w8.data(), w8.size(), max_scale, 0);
    }
    desc.inputs = {get(x, d), wid};
    if (op.input_count > 2 && op.inputs[2] != format::kNoId) {
      const uint32_t b = op.inputs[2];
      if (!is_constant(b)) fail(op, "the bias must be constant to be quantized");
      const std::vector<float> bv = floats(base(b));
      const uint32_t bn = t(b).rank ? t(b).dims[t(b).rank - 1] : 1;
      auto channel_of = [&](size_t i) { return bn == 1 ? size_t{0} : i % channels; };
      if (bn != 1 && bn != channels) fail(op, "bias does not follow the output channels");
      if (is_int16(d)) {
        std::vector<int64_t> bq(bv.size());
        for (size_t i = 0; i < bv.size(); ++i)
          bq[i] = quantize_bias_s64(bv[i], xq.scale, w_scale[channel_of(i)]);
        desc.inputs.push_back(
            g_.constant_raw(name_of(b), dims(b), DType::kInt64, bq.data(), bq.size() * 8));
      } else {
        std::vector<int32_t> bq(bv.size());
        for (size_t i = 0; i < bv.size(); ++i)
          bq[i] = quantize_bias_s32(bv[i], xq.scale, w_scale[channel_of(i)]);
        desc.inputs.push_back(
            g_.constant_raw(name_of(b), dims(b), DType::kInt32, bq.data(), bq.size() * 4));
      }
    }
    std::vector<int32_t> words_out = {xq.zp, oq.zp, ar.lo, ar.hi, static_cast<int32_t>(channels)};
    std::vector<int32_t> shifts;
    for (uint32_t c = 0; c < channels; ++c) {
      const QuantizedMultiplier qm =
          quantize_multiplier(channel_real_multiplier(xq.scale, w_scale[c], oq.scale));
      if (is_int16(d) && qm.shift > 7)
        fail(op,
             "its int16 rescale factor exceeds 2^7 (the output range is tiny next to the "
             "input's); use int8 or a wider calibration range");
      words_out.push_back(qm.multiplier);
      shifts.push_back(qm.shift);
    }
    words_out.insert(words_out.end(), shifts.begin(), shifts.end());
    words_out.insert(words_out.end(), column_sums.begin(), column_sums.end());
    desc.quant = words(desc.name.empty() ? name_of(op.output) : desc.name, words_out);
  }

  // Dense B as a plain row-major [K, N] (undoing trans_b or column blocks).
  static std::vector<float> plain_dense_weights(const std::vector<float>& b,
                                                std::vector<uint32_t>& bd,
                                                const format::DenseParams& p) {
    if (p.trans_b) {
      const uint32_t n = bd[0], k = bd[1];
      std::vector<float> out(b.size());
      for (uint32_t r = 0; r < n; ++r)
        for (uint32_t c = 0; c < k; ++c) out[size_t{c} * n + r] = b[size_t{r} * k + c];
      bd = {k, n};
      return out;
    }
    if (p.b_block > 0) {
      const uint32_t k = bd[0], n = bd[1], bw = static_cast<uint32_t>(p.b_block);
      std::vector<float> out(b.size());
      size_t src = 0;
      for (uint32_t j0 = 0; j0 < n; j0 += bw) {
        const uint32_t width = std::min(bw, n - j0);
        for (uint32_t r = 0; r < k; ++r)
          for (uint32_t c = 0; c < width; ++c) out[size_t{r} * n + j0 + c] = b[src++];
      }
      return out;
    }
    return b;
  }

  // Relu, LeakyRelu, Clip, PRelu: one multiplier for x >= 0, one per slope
  // for x < 0, then the clamp.
  void prelu(const format::OpRecord& op, DType d, QParams oq, ActivationRange ar,
             blob::OpDesc& desc) {
    const auto type = static_cast<OpType>(op.type);
    const QParams xq = params(op.inputs[0], d);
    desc.inputs = {get(op.inputs[0], d)};
    std::vector<double> slopes;
    if (type == OpType::kRelu)
      slopes = {0.0};
    else if (type == OpType::kClip)
      slopes = {1.0};
    else if (type == OpType::kLeakyRelu)
      slopes = {double(op.act_alpha)};
    else {
      const uint32_t s = op.inputs[1];
      if (!is_constant(s)) fail(op, "the PRelu slope must be constant to be quantized");
      for (float v : floats(base(s))) slopes.push_back(v);
      const uint32_t c = t(op.output).rank ? t(op.output).dims[t(op.output).rank - 1] : 1;
      if (slopes.size() != 1 && slopes.size() != c)
        fail(op, "only one slope or one per channel can be quantized");
      desc.inputs.push_back(float_constant(op.inputs[1]));  // float32: only its shape is read
    }
    const double pos_real = double(xq.scale) / double(oq.scale);
    const QuantizedMultiplier pos = quantize_multiplier(pos_real);
    std::vector<int32_t> w = {
        xq.zp, oq.zp, ar.lo, ar.hi, pos.multiplier, pos.shift, static_cast<int32_t>(slopes.size())};
    std::vector<int32_t> shifts;
    for (double s : slopes) {
      const QuantizedMultiplier nm = quantize_multiplier(pos_real * s);
      w.push_back(nm.multiplier);
      shifts.push_back(nm.shift);
    }
    w.insert(w.end(), shifts.begin(), shifts.end());
    desc.quant = words(desc.name.empty() ? name_of(op.output) : desc.name, w);
  }
  uint32_t float_constant(uint32_t id) {
    auto it = float_constants_.find(id);
    if (it != float_constants_.end()) return it->second;
    const uint32_t q = g_.constant(name_of(id), dims(id), floats(base(id)));
    float_constants_[id] = q;
    return q;
  }

  // Sigmoid, Tanh, HardSigmoid: a table of f over the input's codes.
  void table(const format::OpRecord& op, DType d, QParams oq, blob::OpDesc& desc) {
    const auto type = static_cast<OpType>(op.type);
    const QParams xq = params(op.inputs[0], d);
    desc.inputs = {get(op.inputs[0], d)};
    const double a = op.act_alpha, b = op.act_beta;
    std::function<double(double)> f;
    if (type == OpType::kSigmoid)
      f = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
    else if (type == OpType::kTanh)
      f = [](double v) { return std::tanh(v); };
    else
      f = [a, b](double v) { return std::max(0.0, std::min(1.0, a * v + b)); };
    const std::string n = (desc.name.empty() ? name_of(op.output) : desc.name) + ":table";
    if (is_int16(d)) {
      const auto lut = make_lut_s16(f, xq.scale, oq.scale);
      desc.quant = g_.constant_raw(n, {static_cast<uint32_t>(lut.size())}, DType::kInt16,
                                   lut.data(), lut.size() * 2, oq.scale, 0);
    } else {
      const auto lut = make_lut_s8(f, xq.scale, xq.zp, oq.scale, oq.zp);
      desc.quant = g_.constant_raw(n, {static_cast<uint32_t>(lut.size())}, DType::kInt8, lut.data(),
                                   lut.size(), oq.scale, oq.zp);
    }
  }

  void binary(const format::OpRecord& op, DType d, QParams oq, ActivationRange ar,
              blob::OpDesc& desc) {
    const auto [a, aq] = operand(op.inputs[0], d);
    const auto [b, bq] = operand(op.inputs[1], d);
    desc.inputs = {a, b};
    std::vector<int32_t> w;
    if (static_cast<OpType>(op.type) == OpType::kMul) {
      const QuantizedMultiplier m =
          quantize_multiplier(double(aq.scale) * double(bq.scale) / double(oq.scale));
      w = {aq.zp, bq.zp, m.multiplier, m.shift, oq.zp, ar.lo, ar.hi};
    } else {
      const int left = is_int16(d) ? 15 : 20;
      const AddMultipliers m = add_multipliers(aq.scale, bq.scale, oq.scale, left);
      w = {left,        aq.zp,          m.a.multiplier, m.a.shift,
           bq.zp,       m.b.multiplier, m.b.shift,      m.out.multiplier,
           m.out.shift, oq.zp,          ar.lo,          ar.hi};
    }
    desc.quant = words(desc.name.empty() ? name_of(op.output) : desc.name, w);
  }

  void concat(const format::OpRecord& op, DType d, QParams oq, blob::OpDesc& desc) {
    std::vector<int32_t> w = {oq.zp, op.input_count};
    for (uint32_t k = 0; k < op.input_count; ++k) {
      const auto [x, xq] = operand(op.inputs[k], d);
      desc.inputs.push_back(x);
      const bool same = xq.scale == oq.scale && xq.zp == oq.zp;
      const QuantizedMultiplier m = quantize_multiplier(double(xq.scale) / double(oq.scale));
      w.insert(w.end(), {xq.zp, m.multiplier, m.shift, same ? 1 : 0});
    }
    desc.quant = words(desc.name.empty() ? name_of(op.output) : desc.name, w);
  }

  const Model& m_;
  const Calibration& cal_;
  const std::vector<DType>& precision_;
  const bool int16_weights_;
  blob::GraphBuilder g_;
  std::map<std::pair<uint32_t, DType>, uint32_t> versions_;
  std::map<uint32_t, DType> produced_dtype_;
  std::map<uint32_t, QParams> constant_params_;
  std::map<uint32_t, TensorRange> bounded_range_;
  std::map<uint32_t, uint32_t> float_constants_;
  std::vector<uint32_t> same_as_input_;
  uint32_t op_count_ = 0;
  uint32_t current_ = 0;
};

}  // namespace

QuantizedBlob quantize(const Model& float_model, const Calibration& calibration,
                       const std::vector<DType>& op_precision, bool int16_weights) {
  return Quantizer(float_model, calibration, op_precision, int16_weights).run();
}

}  // namespace edgeae::quant
