// Static shape inference, constant folding and attribute normalization, in
// one walk over the nodes in topological order. After it, every value has a
// static shape, and the ops left are only those lowering knows, with their
// attributes in one canonical form:
//   Conv/ConvTranspose/MaxPool/AveragePool: explicit kernel_shape, strides,
//     pads (begin..., end...), dilations (and output_padding for
//     ConvTranspose); auto_pad and output_shape are resolved.
//   Clip: "min"/"max" attributes. Resize/Upsample: op "Resize" with integer
//     "scales" per axis and one input. Flatten/Squeeze/Unsqueeze/Reshape of a
//     non-constant: op "Reshape" with one input (the output shape says it all).
#include <algorithm>
#include <cmath>
#include <limits>

#include "passes/folding.hpp"
#include "passes/passes.hpp"

namespace edgeae::passes {

const char* const kSupportedOps =
    "Gemm, MatMul, Conv, ConvTranspose (1-D/2-D), BatchNormalization, Relu, LeakyRelu, PRelu, "
    "Sigmoid, Tanh, Clip, HardSigmoid, Add, Sub, Mul, Div (by a constant), Concat, MaxPool, "
    "AveragePool, GlobalAveragePool, Resize/Upsample (nearest, integer scales), Flatten, "
    "Reshape, Squeeze, Unsqueeze, Transpose, Identity, Dropout, and constant-only subgraphs "
    "(Shape, Gather, Slice, Cast, Constant, ConstantOfShape)";

namespace {

using ir::Graph;
using ir::Node;
using ir::Value;

ir::Attribute ints_attr(std::vector<int64_t> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}

ir::Attribute float_attr(float f) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kFloat;
  a.f = f;
  return a;
}

const Value& known(const Graph& g, const Node& n, size_t k) {
  if (n.input(k).empty()) fail(n, "input " + std::to_string(k) + " is missing");
  const Value& v = g.value(n.input(k));
  if (!v.shape_known) fail(n, "input '" + v.name + "' has no static shape");
  return v;
}

void set_output(Graph& g, const Node& n, std::vector<int64_t> shape, size_t k = 0) {
  for (int64_t d : shape)
    if (d <= 0) fail(n, "output would have a zero or negative dimension");
  Value& out = g.value(n.outputs.at(k));
  out.shape = std::move(shape);
  out.shape_known = true;
}

std::vector<int64_t> broadcast(const Node& n, const std::vector<int64_t>& a,
                               const std::vector<int64_t>& b) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
    const int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
    if (da != db && da != 1 && db != 1) fail(n, "operand shapes do not broadcast");
    out[k] = std::max(da, db);
  }
  return out;
}

// Resolves the window attributes of Conv, ConvTranspose and the pools to
// explicit lists over `spatial` axes.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begin..., end...
};

Window window_of(const Node& n, size_t spatial, std::vector<int64_t> kernel) {
  Window w;
  w.kernel = std::move(kernel);
  w.strides = n.attr_ints("strides", std::vector<int64_t>(spatial, 1));
  w.dilations = n.attr_ints("dilations", std::vector<int64_t>(spatial, 1));
  w.pads = n.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  if (w.kernel.size() != spatial || w.strides.size() != spatial || w.dilations.size() != spatial ||
      w.pads.size() != 2 * spatial)
    fail(n, "kernel_shape, strides, dilations or pads do not match the input's spatial rank");
  for (size_t a = 0; a < spatial; ++a) {
    if (w.kernel[a] < 1 || w.strides[a] < 1 || w.dilations[a] < 1)
      fail(n, "kernel, strides and dilations must be positive");
    if (w.pads[a] < 0 || w.pads[a + spatial] < 0) fail(n, "pads must not be negative");
  }
  return w;
}

// auto_pad SAME_UPPER / SAME_LOWER / VALID -> explicit pads (forward windows).
void resolve_auto_pad(const Node& n, const std::vector<int64_t>& in, Window& w) {
  const std::string mode = n.attr_string("auto_pad", "NOTSET");
  if (mode == "NOTSET") return;
  const size_t spatial = w.kernel.size();
  if (mode == "VALID") {
    std::fill(w.pads.begin(), w.pads.end(), 0);
    return;
  }
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER")
    fail(n, "attribute auto_pad='" + mode +
                "' is not supported (NOTSET, VALID, SAME_UPPER, SAME_LOWER are)");
  for (size_t a = 0; a < spatial; ++a) {
    const int64_t out = (in[a] + w.strides[a] - 1) / w.strides[a];
    const int64_t span = w.dilations[a] * (w.kernel[a] - 1) + 1;
    const int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[a] + span - in[a]);
    const int64_t small = total / 2, large = total - total / 2;
    w.pads[a] = mode == "SAME_UPPER" ? small : large;
    w.pads[a + spatial] = mode == "SAME_UPPER" ? large : small;
  }
}

void store_window(Node& n, const Window& w) {
  n.attrs["kernel_shape"] = ints_attr(w.kernel);
  n.attrs["strides"] = ints_attr(w.strides);
  n.attrs["dilations"] = ints_attr(w.dilations);
  n.attrs["pads"] = ints_attr(w.pads);
  n.attrs.erase("auto_pad");
}

int64_t window_out(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, int64_t d,
                   bool ceil_mode) {
  const int64_t span = d * (k - 1) + 1, padded = in + pb + pe;
  if (padded < span) return 0;
  int64_t steps = (padded - span) / s;
  if (ceil_mode && (padded - span) % s != 0 && (steps + 1) * s < in + pb) ++steps;
  return steps + 1;
}

void infer_conv(Graph& g, Node& n) {
  const Value& x = known(g, n, 0);
  const Value& w = known(g, n, 1);
  if (x.shape.size() != 3 && x.shape.size() != 4)
    fail(n, "only 1-D and 2-D convolutions are supported (input rank " +
                std::to_string(x.shape.size()) + ")");
  if (!w.is_constant) fail(n, "weights must be constant");
  if (n.inputs.size() > 3) fail(n, "takes at most 3 inputs (X, W, B)");
  if (w.shape.size() != x.shape.size()) fail(n, "weight rank differs from input rank");
  const size_t spatial = x.shape.size() - 2;
  const int64_t group = n.attr_int("group", 1);
  const bool transposed = n.op == "ConvTranspose";
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  if (n.has("kernel_shape") && n.attr_ints("kernel_shape") != kernel)
    fail(n, "kernel_shape differs from the weight shape");
  Window win = window_of(n, spatial, kernel);
  const int64_t cin = x.shape[1];
  if (group < 1 || cin % group != 0) fail(n, "group must divide the input channels");
  int64_t cout;
  if (transposed) {
    if (w.shape[0] != cin) fail(n, "weight dim 0 must equal the input channels");
    cout = w.shape[1] * group;
  } else {
    if (w.shape[1] * group != cin)
      fail(n, "weight dim 1 times group must equal the input channels");
    cout = w.shape[0];
    if (cout % group != 0) fail(n, "group must divide the output channels");
  }
  if (!n.input(2).empty()) {
    const Value& b = known(g, n, 2);
    if (!b.is_constant || b.shape != std::vector<int64_t>{cout})
      fail(n, "bias must be a constant [Cout]");
  }
  std::vector<int64_t> in_spatial(x.shape.begin() + 2, x.shape.end());
  std::vector<int64_t> out = {x.shape[0], cout};
  if (!transposed) {
    resolve_auto_pad(n, in_spatial, win);
    for (size_t a = 0; a < spatial; ++a)
      out.push_back(window_out(in_spatial[a], win.kernel[a], win.strides[a], win.pads[a],
                               win.pads[a + spatial], win.dilations[a], false));
  } else {
    std::vector<int64_t> out_pad = n.attr_ints("output_padding", std::vector<int64_t>(spatial, 0));
    if (out_pad.size() != spatial) fail(n, "output_padding does not match the spatial rank");
    const std::string mode = n.attr_string("auto_pad", "NOTSET");
    std::vector<int64_t> output_shape = n.attr_ints("output_shape");
    if (output_shape.size() == spatial + 2)
      output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
    if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
      if (output_shape.empty())
        for (size_t a = 0; a < spatial; ++a) output_shape.push_back(in_spatial[a] * win.strides[a]);
    } else if (mode == "VALID") {
      std::fill(win.pads.begin(), win.pads.end(), 0);
    } else if (mode != "NOTSET") {
      fail(n, "attribute auto_pad='" + mode + "' is not supported");
    }
    if (!output_shape.empty()) {
      if (output_shape.size() != spatial) fail(n, "output_shape does not match the spatial rank");
      for (size_t a = 0; a < spatial; ++a) {
        // ONNX: total padding from the wanted size; a negative end pad becomes output_padding.
        const int64_t full = win.strides[a] * (in_spatial[a] - 1) + out_pad[a] +
                             win.dilations[a] * (win.kernel[a] - 1) + 1;
        const int64_t total = full - output_shape[a];
        const int64_t half_floor = total >= 0 ? total / 2 : -((-total + 1) / 2);
        int64_t begin = mode == "SAME_UPPER" ? half_floor : total - half_floor;
        int64_t end = total - begin;
        if (begin < 0) fail(n, "output_shape larger than the transposed conv can produce");
        if (end < 0) {
          out_pad[a] += -end;
          end = 0;
        }
        win.pads[a] = begin;
        win.pads[a + spatial] = end;
      }
    }
    for (size_t a = 0; a < spatial; ++a) {
      if (out_pad[a] < 0 || out_pad[a] >= std::max(win.strides[a], win.dilations[a]))
        fail(n, "output_padding must be below the stride or dilation");
      out.push_back((in_spatial[a] - 1) * win.strides[a] + win.dilations[a] * (win.kernel[a] - 1) +
                    1 - win.pads[a] - win.pads[a + spatial] + out_pad[a]);
    }
    n.attrs["output_padding"] = ints_attr(out_pad);
    n.attrs.erase("output_shape");
  }
  store_window(n, win);
  set_output(g, n, out);
}

void infer_pool(Graph& g, Node& n) {
  const Value& x = known(g, n, 0);
  if (x.shape.size() != 3 && x.shape.size() != 4)
    fail(n, "only 1-D and 2-D pooling is supported (input rank " + std::to_string(x.shape.size()) +
                ")");
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) fail(n, "the Indices output is not supported");
  const size_t spatial = x.shape.size() - 2;
  if (!n.has("kernel_shape")) fail(n, "kernel_shape is required");
  Window win = window_of(n, spatial, n.attr_ints("kernel_shape"));
  std::vector<int64_t> in_spatial(x.shape.begin() + 2, x.shape.end());
  resolve_auto_pad(n, in_spatial, win);
  const bool ceil_mode = n.attr_int("ceil_mode", 0) != 0;
  std::vector<int64_t> out = {x.shape[0], x.shape[1]};
  for (size_t a = 0; a < spatial; ++a) {
    if (win.pads[a] >= win.kernel[a] || win.pads[a + spatial] >= win.kernel[a])
      fail(n, "pads must be smaller than the kernel");
    out.push_back(window_out(in_spatial[a], win.kernel[a], win.strides[a], win.pads[a],
                             win.pads[a + spatial], win.dilations[a], ceil_mode));
  }
  store_window(n, win);
  set_output(g, n, out);
}

// Resize / Upsample with mode nearest and integer scales: checks that the
// index each output position reads is exactly in = out / scale for the
// node's coordinate transform and rounding, then records the scales.
void infer_resize(Graph& g, Node& n) {
  const Value& x = known(g, n, 0);
  const std::string mode = n.attr_string("mode", "nearest");
  if (mode != "nearest") fail(n, "attribute mode='" + mode + "' is not supported (nearest is)");
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  auto const_input = [&](size_t k) -> const Value* {
    if (n.input(k).empty()) return nullptr;
    const Value& v = g.value(n.input(k));
    if (!v.is_constant) fail(n, "scales and sizes must be constants (input '" + v.name + "')");
    return v.element_count() == 0 ? nullptr : &v;
  };
  if (n.op == "Upsample") {
    if (n.has("scales")) {
      for (float f : n.attrs.at("scales").floats) scales.push_back(f);
    } else if (const Value* s = const_input(1)) {
      for (float f : s->f) scales.push_back(f);
    }
  } else {
    const size_t scales_at = g.opset >= 11 ? 2 : 1;
    if (const Value* s = const_input(scales_at))
      for (float f : s->f) scales.push_back(f);
    if (g.opset >= 11)
      if (const Value* s = const_input(3)) sizes = s->i;
  }
  if (!sizes.empty()) {
    if (sizes.size() != x.shape.size()) fail(n, "sizes length differs from the input rank");
    for (size_t a = 0; a < sizes.size(); ++a) {
      if (sizes[a] % x.shape[a] != 0) fail(n, "only integer upsampling factors are supported");
      scales.push_back(static_cast<double>(sizes[a] / x.shape[a]));
    }
  }
  if (scales.size() != x.shape.size()) fail(n, "scales or sizes must be given for every axis");
  const std::string transform = n.attr_string("coordinate_transformation_mode", "half_pixel");
  const std::string rounding = n.attr_string("nearest_mode", "round_prefer_floor");
  std::vector<int64_t> factors, out;
  for (size_t a = 0; a < scales.size(); ++a) {
    const double s = scales[a];
    const auto factor = static_cast<int64_t>(std::llround(s));
    if (factor < 1 || std::fabs(s - static_cast<double>(factor)) > 1e-6)
      fail(n, "scale " + std::to_string(s) +
                  " is not a positive integer (only integer upsampling is supported)");
    const int64_t in_len = x.shape[a], out_len = in_len * factor;
    for (int64_t o = 0; o < out_len && factor > 1 && g.opset >= 11; ++o) {
      double pos = 0;
      if (transform == "half_pixel" || transform == "pytorch_half_pixel")
        pos = (static_cast<double>(o) + 0.5) / s - 0.5;
      else if (transform == "asymmetric")
        pos = static_cast<double>(o) / s;
      else if (transform == "align_corners")
        pos = out_len == 1 ? 0
                           : static_cast<double>(o) * static_cast<double>(in_len - 1) /
                                 static_cast<double>(out_len - 1);
      else
        fail(n, "coordinate_transformation_mode='" + transform + "' is not supported");
      double idx = 0;
      if (rounding == "floor")
        idx = std::floor(pos);
      else if (rounding == "ceil")
        idx = std::ceil(pos);
      else if (rounding == "round_prefer_floor")
        idx = pos - std::floor(pos) == 0.5 ? std::floor(pos) : std::round(pos);
      else if (rounding == "round_prefer_ceil")
        idx = std::round(pos);
      else
        fail(n, "nearest_mode='" + rounding + "' is not supported");
      idx = std::clamp<double>(idx, 0, static_cast<double>(in_len - 1));
      if (static_cast<int64_t>(idx) != o / factor)
        fail(n, "coordinate_transformation_mode='" + transform + "' with nearest_mode='" +
                    rounding + "' at scale " + std::to_string(factor) +
                    " does not map output i to input i / scale; only that nearest upsampling is "
                    "supported");
    }
    factors.push_back(factor);
    out.push_back(out_len);
  }
  Node normalized;
  normalized.op = "Resize";
  normalized.name = n.name;
  normalized.inputs = {n.inputs[0]};
  normalized.outputs = n.outputs;
  normalized.attrs["scales"] = ints_attr(factors);
  n = normalized;
  set_output(g, n, out);
}

void infer_gemm(Graph& g, Node& n) {
  const Value& a = known(g, n, 0);
  const Value& b = known(g, n, 1);
  if (a.shape.size() != 2 || b.shape.size() != 2) fail(n, "A and B must be 2-D");
  const bool ta = n.attr_int("transA", 0) != 0, tb = n.attr_int("transB", 0) != 0;
  const int64_t m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1];
  const int64_t kb = tb ? b.shape[1] : b.shape[0], nn = tb ? b.shape[0] : b.shape[1];
  if (k != kb) fail(n, "inner dimensions of A and B differ");
  if (!n.input(2).empty()) broadcast(n, {m, nn}, known(g, n, 2).shape);
  set_output(g, n, {m, nn});
}

void infer_matmul(Graph& g, Node& n) {
  const Value& a = known(g, n, 0);
  const Value& b = known(g, n, 1);
  if (a.shape.size() != 2 || b.shape.size() != 2)
    fail(n, "only 2-D MatMul is supported (ranks " + std::to_string(a.shape.size()) + " and " +
                std::to_string(b.shape.size()) + ")");
  if (a.shape[1] != b.shape[0]) fail(n, "inner dimensions differ");
  set_output(g, n, {a.shape[0], b.shape[1]});
}

// Clip's min/max as attributes (opset 11 moved them to optional inputs).
void normalize_clip(Graph& g, Node& n) {
  float lo = n.attr_float("min", -std::numeric_limits<float>::max());
  float hi = n.attr_float("max", std::numeric_limits<float>::max());
  for (size_t k = 1; k <= 2; ++k) {
    if (n.input(k).empty()) continue;
    const Value& v = g.value(n.input(k));
    if (!v.is_constant || v.element_count() != 1 || v.type != ir::ElemType::kFloat)
      fail(n, "min and max must be constant float scalars");
    (k == 1 ? lo : hi) = v.f[0];
  }
  n.inputs.resize(1);
  n.attrs["min"] = float_attr(lo);
  n.attrs["max"] = float_attr(hi);
}

// A view op on a non-constant input: its output shape is all it needs.
void to_reshape(Graph& g, Node& n, std::vector<int64_t> shape) {
  n.op = "Reshape";
  n.inputs.resize(1);
  n.attrs.clear();
  set_output(g, n, std::move(shape));
}

// Flatten's axis lies in [-r, r]; a negative one counts from the back.
int64_t flatten_axis(const Node& n, size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  const int64_t axis = n.attr_int("axis", 1);
  if (axis < -r || axis > r) fail(n, "axis " + std::to_string(axis) + " out of range");
  return axis < 0 ? axis + r : axis;
}

int64_t normalize_axis(const Node& n, int64_t axis, size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) fail(n, "axis " + std::to_string(axis) + " out of range");
  return axis < 0 ? axis + r : axis;
}

void infer_node(Graph& g, Node& n) {
  const std::string& op = n.op;
  if (op == "Conv" || op == "ConvTranspose") return infer_conv(g, n);
  if (op == "MaxPool" || op == "AveragePool") return infer_pool(g, n);
  if (op == "Resize" || op == "Upsample") return infer_resize(g, n);
  if (op == "Gemm") return infer_gemm(g, n);
  if (op == "MatMul") return infer_matmul(g, n);
  if (op == "Relu" || op == "LeakyRelu" || op == "Sigmoid" || op == "Tanh" || op == "HardSigmoid" ||
      op == "Identity") {
    return set_output(g, n, known(g, n, 0).shape);
  }
  if (op == "Clip") {
    normalize_clip(g, n);
    return set_output(g, n, known(g, n, 0).shape);
  }
  if (op == "Dropout") {
    if (n.outputs.size() > 1 && !n.outputs[1].empty() && g.use_count(n.outputs[1]) > 0)
      fail(n, "the mask output of Dropout is not supported");
    n.outputs.resize(1);
    n.inputs.resize(1);
    return set_output(g, n, known(g, n, 0).shape);
  }
  if (op == "Cast") {
    const int64_t to = n.attr_int("to", 1);
    if (to != 1) fail(n, "only a Cast to float of a float tensor is supported");
    n.op = "Identity";
    return set_output(g, n, known(g, n, 0).shape);
  }
  if (op == "BatchNormalization") {
    if (n.attr_int("training_mode", 0) != 0) fail(n, "attribute training_mode=1 is not supported");
    for (size_t k = 1; k < n.outputs.size(); ++k)
      if (!n.outputs[k].empty() && g.use_count(n.outputs[k]) > 0)
        fail(n, "the running statistics outputs are not supported");
    n.outputs.resize(1);
    const Value& x = known(g, n, 0);
    if (x.shape.size() < 2) fail(n, "input must have a channel axis");
    for (size_t k = 1; k <= 4; ++k) {
      const Value& p = known(g, n, k);
      if (!p.is_constant || p.shape != std::vector<int64_t>{x.shape[1]})
        fail(n, "scale, bias, mean and var must be constants of shape [C]");
    }
    return set_output(g, n, x.shape);
  }
  if (op == "PRelu") {
    const Value& x = known(g, n, 0);
    const Value& slope = known(g, n, 1);
    if (broadcast(n, x.shape, slope.shape) != x.shape) fail(n, "slope must broadcast to X");
    return set_output(g, n, x.shape);
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    if (op == "Div") {
      // x / c == x * (1 / c): a division by a constant is a multiplication.
      const Value& d = known(g, n, 1);
      if (!d.is_constant || d.type != ir::ElemType::kFloat)
        fail(n, "only division by a constant is supported");
      std::vector<float> inv(d.f.size());
      for (size_t k = 0; k < inv.size(); ++k) inv[k] = 1.0f / d.f[k];
      n.inputs[1] = g.add_constant(d.name + "_reciprocal", d.shape, inv);
      n.op = "Mul";
    }
    return set_output(g, n, broadcast(n, known(g, n, 0).shape, known(g, n, 1).shape));
  }
  if (op == "Sum") {
    if (n.inputs.size() == 1) {
      n.op = "Identity";
      return set_output(g, n, known(g, n, 0).shape);
    }
    n.op = "Add";
    return set_output(g, n, broadcast(n, known(g, n, 0).shape, known(g, n, 1).shape));
  }
  if (op == "Concat") {
    const Value& first = known(g, n, 0);
    const int64_t axis = normalize_axis(n, n.attr_int("axis", 0), first.shape.size());
    if (n.inputs.size() > format::kMaxOpInputs)
      fail(n, "Concat of more than 4 inputs is not supported");
    std::vector<int64_t> shape = first.shape;
    shape[axis] = 0;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const Value& v = known(g, n, k);
      if (v.shape.size() != shape.size()) fail(n, "inputs differ in rank");
      for (size_t a = 0; a < shape.size(); ++a)
        if (static_cast<int64_t>(a) != axis && v.shape[a] != first.shape[a])
          fail(n, "inputs differ outside the concat axis");
      shape[axis] += v.shape[axis];
    }
    n.attrs["axis"].kind = ir::Attribute::Kind::kInt;
    n.attrs["axis"].i = axis;
    return set_output(g, n, shape);
  }
  if (op == "GlobalAveragePool") {
    const Value& x = known(g, n, 0);
    if (x.shape.size() != 3 && x.shape.size() != 4)
      fail(n, "only 1-D and 2-D inputs are supported");
    std::vector<int64_t> shape = x.shape;
    std::fill(shape.begin() + 2, shape.end(), 1);
    return set_output(g, n, shape);
  }
  if (op == "Transpose") {
    const Value& x = known(g, n, 0);
    std::vector<int64_t> perm = n.attr_ints("perm");
    if (perm.empty())
      for (size_t k = x.shape.size(); k-- > 0;) perm.push_back(static_cast<int64_t>(k));
    if (perm.size() != x.shape.size()) fail(n, "perm length differs from the rank");
    std::vector<int64_t> shape;
    std::vector<bool> seen(perm.size(), false);
    for (int64_t p : perm) {
      if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[p])
        fail(n, "perm is not a permutation");
      seen[p] = true;
      shape.push_back(x.shape[p]);
    }
    n.attrs["perm"] = ints_attr(perm);
    return set_output(g, n, shape);
  }
  if (op == "Flatten") {
    const Value& x = known(g, n, 0);
    const int64_t axis = flatten_axis(n, x.shape.size());
    int64_t outer = 1, inner = 1;
    for (size_t k = 0; k < x.shape.size(); ++k)
      (static_cast<int64_t>(k) < axis ? outer : inner) *= x.shape[k];
    return to_reshape(g, n, {outer, inner});
  }
  if (op == "Reshape") {
    const Value& x = known(g, n, 0);
    if (n.input(1).empty() || !g.is_constant(n.input(1)))
      fail(n, "the target shape must be a constant (it is a runtime input here)");
    const Value& shape = g.value(n.input(1));
    return to_reshape(g, n, reshape_target(n, x.shape, shape.i, n.attr_int("allowzero", 0) != 0));
  }
  if (op == "Squeeze" || op == "Unsqueeze") {
    const Value& x = known(g, n, 0);
    const std::vector<int64_t> axes = axes_input_or_attr(g, n);
    return to_reshape(
        g, n,
        op == "Squeeze" ? squeeze_shape(n, x.shape, axes) : unsqueeze_shape(n, x.shape, axes));
  }
  fail(n, "unsupported op; supported ops: " + std::string(kSupportedOps));
}

// Sum of k > 2 inputs is a chain of k - 1 two-input Sums.
std::vector<Node> split_sums(Graph& g) {
  std::vector<Node> out;
  for (const Node& n : g.nodes) {
    if (n.op != "Sum" || n.inputs.size() <= 2) {
      out.push_back(n);
      continue;
    }
    std::string acc = n.inputs[0];
    for (size_t k = 1; k < n.inputs.size(); ++k) {
      Node add = n;
      add.inputs = {acc, n.inputs[k]};
      if (k + 1 < n.inputs.size()) {
        acc = g.fresh_name(n.outputs[0] + "_partial");
        g.values[acc].name = acc;
        add.outputs = {acc};
      }
      out.push_back(add);
    }
  }
  return out;
}

}  // namespace

void infer_shapes(Graph& g) {
  g.nodes = split_sums(g);
  std::vector<Node> kept;
  for (Node& n : g.nodes) {
    if (try_fold(g, n)) continue;
    for (const std::string& in : n.inputs)
      if (!in.empty() && g.value(in).type != ir::ElemType::kFloat && !g.is_constant(in))
        fail(n, "input '" + in + "' is not float32");
    infer_node(g, n);
    kept.push_back(n);
  }
  g.nodes = std::move(kept);
  for (const std::string& out : g.outputs)
    if (!g.value(out).shape_known)
      throw ir::ConvertError("graph output '" + out + "' has no static shape");
}

}  // namespace edgeae::passes
