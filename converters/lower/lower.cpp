#include "lower/lower.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace edgeae::lower {
namespace {

using format::Activation;
using format::Layout;
using format::OpType;
using ir::Graph;
using ir::Node;

std::vector<uint32_t> to_dims(const std::vector<int64_t>& shape) {
  std::vector<uint32_t> dims;
  for (int64_t d : shape) {
    if (d <= 0 || d > 0xFFFFFFFFll) throw ir::ConvertError("dimension out of range");
    dims.push_back(static_cast<uint32_t>(d));
  }
  return dims;
}

// Channels-last order of a model (NCHW / NCW) shape, and the permutations
// between the two.
std::vector<int64_t> cl_shape(const std::vector<int64_t>& s) {
  if (s.size() == 4) return {s[0], s[2], s[3], s[1]};
  return {s[0], s[2], s[1]};
}
std::vector<int32_t> to_cl_perm(size_t rank) {
  return rank == 4 ? std::vector<int32_t>{0, 2, 3, 1} : std::vector<int32_t>{0, 2, 1};
}
std::vector<int32_t> from_cl_perm(size_t rank) {
  return rank == 4 ? std::vector<int32_t>{0, 3, 1, 2} : std::vector<int32_t>{0, 2, 1};
}
// The two orders hold the same bytes when only one of C and H*W exceeds 1.
bool same_bytes(const std::vector<int64_t>& s) {
  int64_t spatial = 1;
  for (size_t a = 2; a < s.size(); ++a) spatial *= s[a];
  return s[1] == 1 || spatial == 1;
}
bool is_spatial(const std::vector<int64_t>& s) {
  return s.size() == 3 || s.size() == 4;
}

// Transposes constant data by `perm` (out.dims[i] = in.dims[perm[i]]).
std::vector<float> permute(const std::vector<float>& in, const std::vector<int64_t>& shape,
                           const std::vector<int32_t>& perm) {
  const size_t rank = shape.size();
  std::vector<int64_t> in_strides(rank, 1), out_shape(rank);
  for (size_t a = rank; a-- > 1;) in_strides[a - 1] = in_strides[a] * shape[a];
  for (size_t a = 0; a < rank; ++a) out_shape[a] = shape[static_cast<size_t>(perm[a])];
  std::vector<float> out(in.size());
  std::vector<int64_t> idx(rank, 0);
  for (size_t k = 0; k < out.size(); ++k) {
    int64_t src = 0;
    for (size_t a = 0; a < rank; ++a) src += idx[a] * in_strides[static_cast<size_t>(perm[a])];
    out[k] = in[static_cast<size_t>(src)];
    for (size_t a = rank; a-- > 0;) {
      if (++idx[a] < out_shape[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

// The window attributes of a conv or pool (explicit after infer_shapes) as
// the blob's [H, W] pairs; a 1-D op gets H kernel 1, stride 1, dilation 1
// and no H padding. ConvParams and PoolParams share these fields.
template <class Params>
void fill_window(const Node& n, bool one_d, Params& out) {
  const auto k = n.attr_ints("kernel_shape"), s = n.attr_ints("strides"),
             d = n.attr_ints("dilations"), p = n.attr_ints("pads");
  const size_t spatial = k.size();
  auto put = [&](int32_t* dst, const std::vector<int64_t>& src, size_t offset, int32_t unit) {
    dst[0] = one_d ? unit : static_cast<int32_t>(src[offset]);
    dst[1] = static_cast<int32_t>(src[offset + (one_d ? 0 : 1)]);
  };
  put(out.kernel, k, 0, 1);
  put(out.stride, s, 0, 1);
  put(out.dilation, d, 0, 1);
  put(out.pad_begin, p, 0, 0);
  put(out.pad_end, p, spatial, 0);
}

// Column block width of packed Dense weights: one AVX-512 tile (16 vectors
// of 16), four AVX2 tiles, eight NEON tiles.
constexpr size_t kDenseBlock = 256;

class Lowering {
 public:
  explicit Lowering(const Graph& g) : g_(g) {}

  blob::Blob run() {
    for (const std::string& in : g_.inputs) {
      const auto& v = g_.value(in);
      logical_[in] = b_.input(in, to_dims(v.shape), format::DType::kFloat32,
                              is_spatial(v.shape) ? Layout::kChannelsFirst : Layout::kPlain);
    }
    for (const Node& n : g_.nodes) lower(n);
    for (const std::string& out : g_.outputs) {
      if (g_.is_constant(out))
        throw ir::ConvertError("graph output '" + out + "' is a constant; nothing to compute");
      uint32_t id = logical(out);
      // An output must be an arena tensor or a view of one, and distinct
      // outputs need distinct records; a view gives both for free.
      if (std::find(emitted_outputs_.begin(), emitted_outputs_.end(), id) != emitted_outputs_.end())
        id = b_.view(id, b_.dims(id), out);
      emitted_outputs_.push_back(id);
      b_.output(id, out);
    }
    return b_.build();
  }

 private:
  const ir::Value& value(const std::string& name) const { return g_.value(name); }

  uint32_t constant(const std::string& name, const std::vector<int64_t>& shape,
                    const std::vector<float>& data) {
    return b_.constant(name, to_dims(shape.empty() ? std::vector<int64_t>{1} : shape), data);
  }

  // The value in the model's layout.
  uint32_t logical(const std::string& name) {
    if (auto it = logical_.find(name); it != logical_.end()) return it->second;
    const auto& v = value(name);
    if (v.is_constant) {
      if (v.type != ir::ElemType::kFloat)
        throw ir::ConvertError("value '" + name + "' is an integer constant used as data");
      return logical_[name] = constant(name, v.shape, v.f);
    }
    auto cl = channels_last_.find(name);
    if (cl == channels_last_.end())
      throw ir::ConvertError("value '" + name + "' was never lowered");
    uint32_t id;
    if (same_bytes(v.shape)) {
      id = b_.view(cl->second, to_dims(v.shape), name);
    } else {
      blob::OpDesc t;
      t.type = OpType::kTranspose;
      t.name = name + "/to_model_layout";
      t.inputs = {cl->second};
      format::TransposeParams p{};
      const auto perm = from_cl_perm(v.shape.size());
      std::copy(perm.begin(), perm.end(), p.perm);
      t.with(p);
      id = b_.op(t);
    }
    return logical_[name] = id;
  }

  // The value as channels-last [N, H, W, C] / [N, W, C].
  uint32_t channels_last(const std::string& name) {
    if (auto it = channels_last_.find(name); it != channels_last_.end()) return it->second;
    const auto& v = value(name);
    if (!is_spatial(v.shape))
      throw ir::ConvertError("value '" + name + "' is not 1-D or 2-D spatial");
    if (v.is_constant)
      return channels_last_[name] = constant(name, cl_shape(v.shape),
                                             permute(v.f, v.shape, to_cl_perm(v.shape.size())));
    const uint32_t src = logical(name);
    uint32_t id;
    if (same_bytes(v.shape)) {
      id = b_.view(src, to_dims(cl_shape(v.shape)), name + "/channels_last");
    } else {
      blob::OpDesc t;
      t.type = OpType::kTranspose;
      t.name = name + "/to_channels_last";
      t.inputs = {src};
      t.output_layout = Layout::kChannelsLast;
      format::TransposeParams p{};
      const auto perm = to_cl_perm(v.shape.size());
      std::copy(perm.begin(), perm.end(), p.perm);
      t.with(p);
      id = b_.op(t);
    }
    return channels_last_[name] = id;
  }

  bool prefers_channels_last(const std::string& name) const {
    return channels_last_.count(name) && !logical_.count(name);
  }

  blob::ActivationDesc activation_of(const Node& n) {
    blob::ActivationDesc a;
    a.kind = n.act;
    a.alpha = n.act_alpha;
    a.beta = n.act_beta;
    if (n.act == Activation::kPRelu) {
      const auto& slope = value(n.act_slope);
      a.slope = b_.constant(n.act_slope, {static_cast<uint32_t>(slope.f.size())}, slope.f);
    }
    return a;
  }

  // Records the op's output under the IR name, in the layout it was made in.
  void define(const std::string& name, uint32_t id, bool is_channels_last) {
    (is_channels_last ? channels_last_ : logical_)[name] = id;
  }

  void lower(const Node& n) {
    const std::string& op = n.op;
    if (op == "Conv" || op == "ConvTranspose") return lower_conv(n);
    if (op == "MaxPool" || op == "AveragePool") return lower_pool(n);
    if (op == "GlobalAveragePool") {
      blob::OpDesc d = desc(n, OpType::kGlobalAveragePool);
      d.inputs = {channels_last(n.inputs[0])};
      d.output_layout = Layout::kChannelsLast;
      return define(n.outputs[0], b_.op(d), true);
    }
    if (op == "Gemm") return lower_gemm(n);
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "PRelu") return lower_elementwise(n);
    if (op == "Relu" || op == "LeakyRelu" || op == "Sigmoid" || op == "Tanh" || op == "Clip" ||
        op == "HardSigmoid")
      return lower_activation(n);
    if (op == "Concat") return lower_concat(n);
    if (op == "Resize") return lower_resize(n);
    if (op == "Reshape") {
      return define(n.outputs[0],
                    b_.view(logical(n.inputs[0]), to_dims(value(n.outputs[0]).shape), n.outputs[0]),
                    false);
    }
    if (op == "Transpose") {
      blob::OpDesc d = desc(n, OpType::kTranspose);
      d.inputs = {logical(n.inputs[0])};
      format::TransposeParams p{};
      const auto perm = n.attr_ints("perm");
      for (size_t a = 0; a < perm.size(); ++a) p.perm[a] = static_cast<int32_t>(perm[a]);
      d.with(p);
      return define(n.outputs[0], b_.op(d), false);
    }
    fail(n, "cannot be lowered (internal: an earlier pass should have removed or rejected it)");
  }

  blob::OpDesc desc(const Node& n, OpType type) {
    blob::OpDesc d;
    d.type = type;
    d.name = n.name.empty() ? n.outputs[0] : n.name;
    d.activation = activation_of(n);
    return d;
  }

  void lower_conv(const Node& n) {
    const bool transposed = n.op == "ConvTranspose";
    const auto& x = value(n.inputs[0]);
    const auto& w = value(n.inputs[1]);
    const bool one_d = x.shape.size() == 3;
    const int64_t group = n.attr_int("group", 1);
    // Reorder weights to [KH, KW, Cin/groups, Cout]: each tap's output
    // channels contiguous, the vector the kernels load.
    const int64_t kh = one_d ? 1 : w.shape[2], kw = one_d ? w.shape[2] : w.shape[3];
    const int64_t taps = kh * kw;
    int64_t cout, cin_g;
    std::vector<float> packed(w.f.size());
    if (!transposed) {
      cout = w.shape[0];
      cin_g = w.shape[1];
      for (int64_t o = 0; o < cout; ++o)
        for (int64_t i = 0; i < cin_g; ++i)
          for (int64_t t = 0; t < taps; ++t)
            packed[static_cast<size_t>((t * cin_g + i) * cout + o)] =
                w.f[static_cast<size_t>((o * cin_g + i) * taps + t)];
    } else {
      const int64_t cin = w.shape[0], cout_g = w.shape[1];
      cout = cout_g * group;
      cin_g = cin / group;
      for (int64_t ic = 0; ic < cin; ++ic)
        for (int64_t j = 0; j < cout_g; ++j)
          for (int64_t t = 0; t < taps; ++t) {
            const int64_t grp = ic / cin_g, o = grp * cout_g + j, i = ic % cin_g;
            packed[static_cast<size_t>((t * cin_g + i) * cout + o)] =
                w.f[static_cast<size_t>((ic * cout_g + j) * taps + t)];
          }
    }
    const uint32_t weights = b_.constant(n.inputs[1] + "/packed", to_dims({kh, kw, cin_g, cout}),
                                         packed, Layout::kChannelsLast);
    const uint32_t bias = n.input(2).empty() ? format::kNoId : logical(n.inputs[2]);
    format::ConvParams cp{};
    fill_window(n, one_d, cp);
    cp.groups = static_cast<int32_t>(group);
    if (transposed) {
      const auto out_pad = n.attr_ints("output_padding");
      cp.output_padding[0] = one_d ? 0 : static_cast<int32_t>(out_pad[0]);
      cp.output_padding[1] = static_cast<int32_t>(out_pad[one_d ? 0 : 1]);
    }
    blob::OpDesc desc_ = desc(n, transposed ? OpType::kConvTranspose : OpType::kConv);
    desc_.inputs = {channels_last(n.inputs[0]), weights};
    if (bias != format::kNoId || !n.input(3).empty()) desc_.inputs.push_back(bias);
    if (!n.input(3).empty()) desc_.inputs.push_back(channels_last(n.inputs[3]));
    desc_.output_layout = Layout::kChannelsLast;
    desc_.with(cp);
    define(n.outputs[0], b_.op(desc_), true);
  }

  void lower_pool(const Node& n) {
    const bool one_d = value(n.inputs[0]).shape.size() == 3;
    format::PoolParams pp{};
    fill_window(n, one_d, pp);
    pp.ceil_mode = static_cast<int32_t>(n.attr_int("ceil_mode", 0));
    pp.count_include_pad = static_cast<int32_t>(n.attr_int("count_include_pad", 0));
    blob::OpDesc d_ = desc(n, n.op == "MaxPool" ? OpType::kMaxPool : OpType::kAveragePool);
    d_.inputs = {channels_last(n.inputs[0])};
    d_.output_layout = Layout::kChannelsLast;
    d_.with(pp);
    define(n.outputs[0], b_.op(d_), true);
  }

  void lower_gemm(const Node& n) {
    const float alpha = n.attr_float("alpha", 1.0f), beta = n.attr_float("beta", 1.0f);
    // Constant weights are stored [K, N] (trans_b = 0): each k's outputs
    // contiguous, the vector the kernels load. alpha folds into them.
    const auto& bv = value(n.inputs[1]);
    int64_t trans_b = n.attr_int("transB", 0);
    int32_t b_block = 0;
    uint32_t b_id;
    if (bv.is_constant) {
      std::vector<float> rows = trans_b ? permute(bv.f, bv.shape, {1, 0}) : bv.f;
      for (float& x : rows) x *= alpha;
      const std::vector<int64_t> shape =
          trans_b ? std::vector<int64_t>{bv.shape[1], bv.shape[0]} : bv.shape;
      // Wider than one kernel tile: store column blocks, each read as one
      // contiguous stream (format::DenseParams::b_block).
      const auto k_count = static_cast<size_t>(shape[0]), n_count = static_cast<size_t>(shape[1]);
      if (n_count > kDenseBlock) {
        std::vector<float> blocked(rows.size());
        size_t out = 0;
        for (size_t first = 0; first < n_count; first += kDenseBlock) {
          const size_t width = std::min(kDenseBlock, n_count - first);
          for (size_t k = 0; k < k_count; ++k)
            for (size_t j = 0; j < width; ++j) blocked[out++] = rows[k * n_count + first + j];
        }
        rows.swap(blocked);
        b_block = static_cast<int32_t>(kDenseBlock);
      }
      b_id = constant(n.inputs[1] + "/packed", shape, rows);
      trans_b = 0;
    } else {
      if (alpha != 1.0f) fail(n, "alpha != 1 needs a constant B");
      b_id = logical(n.inputs[1]);
    }
    uint32_t c_id = format::kNoId;
    if (!n.input(2).empty() && beta != 0.0f) {
      const auto& cv = value(n.inputs[2]);
      if (beta != 1.0f) {
        if (!cv.is_constant) fail(n, "beta != 1 needs a constant C");
        std::vector<float> scaled(cv.f);
        for (float& x : scaled) x *= beta;
        c_id = constant(n.inputs[2] + "/beta", cv.shape, scaled);
      } else {
        c_id = cv.shape.empty() ? constant(n.inputs[2], {1}, cv.f) : logical(n.inputs[2]);
      }
    }
    blob::OpDesc d = desc(n, OpType::kDense);
    d.inputs = {logical(n.inputs[0]), b_id};
    if (c_id != format::kNoId) d.inputs.push_back(c_id);
    d.with(format::DenseParams{static_cast<int32_t>(n.attr_int("transA", 0)),
                               static_cast<int32_t>(trans_b), b_block, 0});
    define(n.outputs[0], b_.op(d), false);
  }

  // Elementwise ops run channels-last when a spatial operand already is, so a
  // skip connection between conv layers never leaves that layout.
  void lower_elementwise(const Node& n) {
    const auto& out_shape = value(n.outputs[0]).shape;
    bool cl = is_spatial(out_shape);
    bool any_cl = false;
    for (const std::string& in : n.inputs) {
      const auto& v = value(in);
      if (v.is_constant) continue;
      if (v.shape.size() != out_shape.size()) cl = false;
      any_cl = any_cl || prefers_channels_last(in);
    }
    cl = cl && any_cl;
    blob::OpDesc d = desc(n, n.op == "Add"   ? OpType::kAdd
                             : n.op == "Sub" ? OpType::kSub
                             : n.op == "Mul" ? OpType::kMul
                                             : OpType::kPRelu);
    // A fused PRelu's slope runs along the last axis: only channels there.
    const bool prelu_needs_split = n.act == Activation::kPRelu && !cl && out_shape.size() > 2 &&
                                   value(n.act_slope).element_count() > 1;
    if (prelu_needs_split) d.activation = {};
    for (const std::string& in : n.inputs) {
      const auto& v = value(in);
      if (cl && v.is_constant) {
        std::vector<int64_t> full(out_shape.size() - v.shape.size(), 1);
        full.insert(full.end(), v.shape.begin(), v.shape.end());
        const auto perm = to_cl_perm(full.size());
        std::vector<int64_t> permuted;
        for (int32_t a : perm) permuted.push_back(full[static_cast<size_t>(a)]);
        d.inputs.push_back(constant(in + "/channels_last", permuted, permute(v.f, full, perm)));
      } else {
        d.inputs.push_back(cl ? channels_last(in) : logical(in));
      }
    }
    d.output_layout = cl ? Layout::kChannelsLast : Layout::kPlain;
    uint32_t id = b_.op(d);
    if (prelu_needs_split) {
      blob::OpDesc pr;
      pr.type = OpType::kPRelu;
      pr.name = d.name + "/prelu";
      const auto& slope = value(n.act_slope);
      std::vector<int64_t> shape(out_shape.size() - 1, 1);
      shape[0] = slope.element_count();
      pr.inputs = {id, constant(n.act_slope, shape, slope.f)};
      id = b_.op(pr);
    }
    define(n.outputs[0], id, cl);
  }

  void lower_activation(const Node& n) {
    static const std::map<std::string, std::pair<OpType, Activation>> kOps = {
        {"Relu", {OpType::kRelu, Activation::kRelu}},
        {"LeakyRelu", {OpType::kLeakyRelu, Activation::kLeakyRelu}},
        {"Sigmoid", {OpType::kSigmoid, Activation::kSigmoid}},
        {"Tanh", {OpType::kTanh, Activation::kTanh}},
        {"Clip", {OpType::kClip, Activation::kClip}},
        {"HardSigmoid", {OpType::kHardSigmoid, Activation::kHardSigmoid}}};
    const auto& [type, act] = kOps.at(n.op);
    const bool cl = prefers_channels_last(n.inputs[0]);
    blob::OpDesc d;
    d.type = type;
    d.name = n.name.empty() ? n.outputs[0] : n.name;
    d.inputs = {cl ? channels_last(n.inputs[0]) : logical(n.inputs[0])};
    d.activation.kind = act;
    if (n.op == "LeakyRelu") d.activation.alpha = n.attr_float("alpha", 0.01f);
    if (n.op == "Clip") {
      d.activation.alpha = n.attr_float("min", 0);
      d.activation.beta = n.attr_float("max", 0);
    }
    if (n.op == "HardSigmoid") {
      d.activation.alpha = n.attr_float("alpha", 0.2f);
      d.activation.beta = n.attr_float("beta", 0.5f);
    }
    d.output_layout = cl ? Layout::kChannelsLast : Layout::kPlain;
    define(n.outputs[0], b_.op(d), cl);
  }

  void lower_concat(const Node& n) {
    const auto& out_shape = value(n.outputs[0]).shape;
    bool any_cl = false;
    for (const std::string& in : n.inputs) any_cl = any_cl || prefers_channels_last(in);
    const bool cl = is_spatial(out_shape) && any_cl;
    int64_t axis = n.attr_int("axis", 0);
    if (cl) {
      const auto perm = to_cl_perm(out_shape.size());
      axis = std::find(perm.begin(), perm.end(), static_cast<int32_t>(axis)) - perm.begin();
    }
    blob::OpDesc d = desc(n, OpType::kConcat);
    for (const std::string& in : n.inputs) d.inputs.push_back(cl ? channels_last(in) : logical(in));
    d.with(format::ConcatParams{static_cast<int32_t>(axis)});
    d.output_layout = cl ? Layout::kChannelsLast : Layout::kPlain;
    define(n.outputs[0], b_.op(d), cl);
  }

  void lower_resize(const Node& n) {
    const auto& x = value(n.inputs[0]);
    const bool cl = is_spatial(x.shape) && prefers_channels_last(n.inputs[0]);
    auto scales = n.attr_ints("scales");
    if (cl) {
      std::vector<int64_t> permuted;
      for (int32_t a : to_cl_perm(scales.size()))
        permuted.push_back(scales[static_cast<size_t>(a)]);
      scales = permuted;
    }
    format::ResizeParams p{};
    for (size_t a = 0; a < scales.size(); ++a) p.scale[a] = static_cast<int32_t>(scales[a]);
    blob::OpDesc d = desc(n, OpType::kResize);
    d.inputs = {cl ? channels_last(n.inputs[0]) : logical(n.inputs[0])};
    d.with(p);
    d.output_layout = cl ? Layout::kChannelsLast : Layout::kPlain;
    define(n.outputs[0], b_.op(d), cl);
  }

  const Graph& g_;
  blob::GraphBuilder b_;
  std::map<std::string, uint32_t> logical_, channels_last_;
  std::vector<uint32_t> emitted_outputs_;
};

}  // namespace

blob::Blob lower_to_blob(const ir::Graph& g) {
  try {
    return Lowering(g).run();
  } catch (const std::invalid_argument& e) {
    // The blob writer's shape rules refused something the passes accepted.
    throw ir::ConvertError(e.what());
  }
}

}  // namespace edgeae::lower
