// Evaluates nodes whose inputs are all constants (and Shape of a value whose
// shape is known), so that the graph the runtime sees has no shape
// arithmetic left. Called by infer_shapes for each node in order.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "passes/folding.hpp"

namespace edgeae::passes {
namespace {

using ir::ElemType;
using ir::Graph;
using ir::Node;
using ir::Value;

std::vector<int64_t> strides_of(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) s[k - 1] = s[k] * shape[k];
  return s;
}

int64_t normalize_axis(const Node& n, int64_t axis, size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) fail(n, "axis " + std::to_string(axis) + " out of range");
  return axis < 0 ? axis + r : axis;
}

// Element k of a constant as double (float and int constants alike).
double element(const Value& v, int64_t k) {
  return v.type == ElemType::kFloat ? v.f[static_cast<size_t>(k)]
                                    : static_cast<double>(v.i[static_cast<size_t>(k)]);
}

Value make_like(ElemType type, std::vector<int64_t> shape) {
  Value v;
  v.type = type;
  v.shape = std::move(shape);
  v.shape_known = true;
  v.is_constant = true;
  const auto n = static_cast<size_t>(v.element_count());
  if (type == ElemType::kFloat)
    v.f.resize(n);
  else
    v.i.resize(n);
  return v;
}

void set_element(Value& v, int64_t k, double x) {
  if (v.type == ElemType::kFloat)
    v.f[static_cast<size_t>(k)] = static_cast<float>(x);
  else
    v.i[static_cast<size_t>(k)] = static_cast<int64_t>(x);
}

// Copies elements of `in` into a new value of shape `out_shape`, where output
// index -> input flat index is given by `source`.
template <typename F>
Value gather_elements(const Value& in, std::vector<int64_t> out_shape, F source) {
  Value out = make_like(in.type, std::move(out_shape));
  const std::vector<int64_t> os = strides_of(out.shape);
  std::vector<int64_t> idx(out.shape.size());
  for (int64_t k = 0; k < out.element_count(); ++k) {
    int64_t rem = k;
    for (size_t a = 0; a < idx.size(); ++a) {
      idx[a] = rem / os[a];
      rem %= os[a];
    }
    set_element(out, k, element(in, source(idx)));
  }
  return out;
}

Value fold_binary(const Node& n, const Value& a, const Value& b) {
  const size_t rank = std::max(a.shape.size(), b.shape.size());
  std::vector<int64_t> shape(rank);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t da = k < rank - a.shape.size() ? 1 : a.shape[k - (rank - a.shape.size())];
    const int64_t db = k < rank - b.shape.size() ? 1 : b.shape[k - (rank - b.shape.size())];
    if (da != db && da != 1 && db != 1) fail(n, "operand shapes do not broadcast");
    shape[k] = std::max(da, db);
  }
  const ElemType type = (a.type == ElemType::kFloat || b.type == ElemType::kFloat)
                            ? ElemType::kFloat
                            : ElemType::kInt64;
  Value out = make_like(type, shape);
  const std::vector<int64_t> os = strides_of(shape), as = strides_of(a.shape),
                             bs = strides_of(b.shape);
  for (int64_t k = 0; k < out.element_count(); ++k) {
    int64_t ia = 0, ib = 0, rem = k;
    for (size_t d = 0; d < rank; ++d) {
      const int64_t i = rem / os[d];
      rem %= os[d];
      const size_t pa = d + a.shape.size(), pb = d + b.shape.size();
      if (pa >= rank && a.shape[pa - rank] != 1) ia += i * as[pa - rank];
      if (pb >= rank && b.shape[pb - rank] != 1) ib += i * bs[pb - rank];
    }
    const double x = element(a, ia), y = element(b, ib);
    double r = 0;
    if (n.op == "Add") r = x + y;
    if (n.op == "Sub") r = x - y;
    if (n.op == "Mul") r = x * y;
    if (n.op == "Div") {
      if (type != ElemType::kFloat && y == 0) fail(n, "integer division by zero");
      r = type == ElemType::kFloat ? x / y : std::trunc(x / y);
    }
    set_element(out, k, r);
  }
  return out;
}

void check_permutation(const Node& n, const std::vector<int64_t>& perm, size_t rank) {
  if (perm.size() != rank) fail(n, "perm length differs from the rank");
  std::vector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)])
      fail(n, "perm is not a permutation of the axes");
    seen[static_cast<size_t>(p)] = true;
  }
}

// Elements a constant of `shape` would hold; refuses negative or huge shapes.
int64_t checked_count(const Node& n, const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) fail(n, "negative dimension");
    if (d > 0 && count > (int64_t{1} << 31) / d) fail(n, "constant too large");
    count *= d;
  }
  return count;
}

std::vector<int64_t> ints_of(const Graph& g, const Node& n, size_t k) {
  const Value& v = g.value(n.input(k));
  if (v.type == ElemType::kFloat) fail(n, "input " + std::to_string(k) + " must be integer");
  return v.i;
}

}  // namespace

std::vector<int64_t> reshape_target(const Node& n, const std::vector<int64_t>& in_shape,
                                    std::vector<int64_t> target, bool allow_zero) {
  int64_t known = 1, infer_at = -1;
  const int64_t total =
      std::accumulate(in_shape.begin(), in_shape.end(), int64_t{1}, std::multiplies<int64_t>());
  for (size_t k = 0; k < target.size(); ++k) {
    if (target[k] == 0 && !allow_zero) {
      if (k >= in_shape.size()) fail(n, "shape entry 0 refers past the input rank");
      target[k] = in_shape[k];
    }
    if (target[k] == -1) {
      if (infer_at >= 0) fail(n, "more than one -1 in the target shape");
      infer_at = static_cast<int64_t>(k);
    } else if (target[k] < 0) {
      fail(n, "negative entry in the target shape");
    } else {
      known *= target[k];
    }
  }
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0) fail(n, "cannot infer the -1 dimension");
    target[static_cast<size_t>(infer_at)] = total / known;
  } else if (known != total) {
    fail(n, "target shape has a different element count than the input");
  }
  return target;
}

std::vector<int64_t> unsqueeze_shape(const Node& n, const std::vector<int64_t>& in,
                                     std::vector<int64_t> axes) {
  const size_t rank = in.size() + axes.size();
  for (int64_t& a : axes) a = normalize_axis(n, a, rank);
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) fail(n, "repeated axis");
  std::vector<int64_t> out;
  size_t src = 0;
  for (size_t k = 0; k < rank; ++k) {
    if (std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(k)))
      out.push_back(1);
    else
      out.push_back(in[src++]);
  }
  return out;
}

std::vector<int64_t> squeeze_shape(const Node& n, const std::vector<int64_t>& in,
                                   std::vector<int64_t> axes) {
  for (int64_t& a : axes) a = normalize_axis(n, a, in.size());
  std::vector<int64_t> out;
  for (size_t k = 0; k < in.size(); ++k) {
    const bool listed = std::find(axes.begin(), axes.end(), static_cast<int64_t>(k)) != axes.end();
    if (listed && in[k] != 1) fail(n, "cannot squeeze an axis whose size is not 1");
    if (!(listed || (axes.empty() && in[k] == 1))) out.push_back(in[k]);
  }
  return out;
}

std::vector<int64_t> axes_input_or_attr(const Graph& g, const Node& n) {
  if (!n.input(1).empty()) {
    if (!g.is_constant(n.input(1))) fail(n, "axes must be a constant");
    return ints_of(g, n, 1);
  }
  return n.attr_ints("axes");
}

bool try_fold(Graph& g, const Node& n) {
  static const char* const kFoldable[] = {"Constant",
                                          "Shape",
                                          "Gather",
                                          "Unsqueeze",
                                          "Squeeze",
                                          "Concat",
                                          "Reshape",
                                          "Cast",
                                          "Add",
                                          "Sub",
                                          "Mul",
                                          "Div",
                                          "Slice",
                                          "Transpose",
                                          "Flatten",
                                          "Identity",
                                          "ConstantOfShape",
                                          "Neg",
                                          "Sqrt"};
  if (std::find(std::begin(kFoldable), std::end(kFoldable), n.op) == std::end(kFoldable))
    return false;
  if (n.outputs.size() != 1) return false;
  if (n.op == "Shape") {
    const Value& x = g.value(n.input(0));
    if (!x.shape_known) return false;
    const auto rank = static_cast<int64_t>(x.shape.size());
    int64_t start = n.attr_int("start", 0), end = n.attr_int("end", rank);
    start = std::clamp(start < 0 ? start + rank : start, int64_t{0}, rank);
    end = std::clamp(end < 0 ? end + rank : end, int64_t{0}, rank);
    Value out = make_like(ElemType::kInt64, {std::max<int64_t>(0, end - start)});
    for (int64_t k = start; k < end; ++k) out.i[static_cast<size_t>(k - start)] = x.shape[k];
    out.name = n.outputs[0];
    g.values[out.name] = out;
    return true;
  }
  for (const std::string& in : n.inputs)
    if (!in.empty() && !g.is_constant(in)) return false;

  Value out;
  if (n.op == "Constant") {
    if (n.has("value")) {
      out = n.attrs.at("value").tensor;
    } else if (n.has("value_float")) {
      out = make_like(ElemType::kFloat, {});
      out.f[0] = n.attr_float("value_float", 0);
    } else if (n.has("value_floats")) {
      const auto& fl = n.attrs.at("value_floats").floats;
      out = make_like(ElemType::kFloat, {static_cast<int64_t>(fl.size())});
      out.f = fl;
    } else if (n.has("value_int")) {
      out = make_like(ElemType::kInt64, {});
      out.i[0] = n.attr_int("value_int", 0);
    } else if (n.has("value_ints")) {
      const auto ints = n.attr_ints("value_ints");
      out = make_like(ElemType::kInt64, {static_cast<int64_t>(ints.size())});
      out.i = ints;
    } else {
      fail(n, "Constant without a supported value attribute");
    }
  } else {
    const Value& x = g.value(n.input(0));
    if (n.op == "Identity") {
      out = x;
    } else if (n.op == "Neg" || n.op == "Sqrt") {
      out = make_like(x.type, x.shape);
      for (int64_t k = 0; k < x.element_count(); ++k)
        set_element(out, k, n.op == "Neg" ? -element(x, k) : std::sqrt(element(x, k)));
    } else if (n.op == "Cast") {
      const int64_t to = n.attr_int("to", 1);
      const ElemType type = (to == 1 || to == 11)  ? ElemType::kFloat
                            : (to == 6 || to == 7) ? ElemType::kInt64
                                                   : ElemType::kOther;
      if (type == ElemType::kOther)
        fail(n, "Cast to type " + std::to_string(to) + " of a constant");
      out = make_like(type, x.shape);
      for (int64_t k = 0; k < x.element_count(); ++k) set_element(out, k, element(x, k));
    } else if (n.op == "Add" || n.op == "Sub" || n.op == "Mul" || n.op == "Div") {
      out = fold_binary(n, x, g.value(n.input(1)));
    } else if (n.op == "Reshape") {
      out = x;
      out.shape = reshape_target(n, x.shape, ints_of(g, n, 1), n.attr_int("allowzero", 0) != 0);
    } else if (n.op == "Flatten") {
      const auto r = static_cast<int64_t>(x.shape.size());
      int64_t axis = n.attr_int("axis", 1);
      if (axis < -r || axis > r) fail(n, "axis " + std::to_string(axis) + " out of range");
      if (axis < 0) axis += r;
      int64_t outer = 1, inner = 1;
      for (size_t k = 0; k < x.shape.size(); ++k)
        (static_cast<int64_t>(k) < axis ? outer : inner) *= x.shape[k];
      out = x;
      out.shape = {outer, inner};
    } else if (n.op == "Unsqueeze") {
      out = x;
      out.shape = unsqueeze_shape(n, x.shape, axes_input_or_attr(g, n));
    } else if (n.op == "Squeeze") {
      out = x;
      out.shape = squeeze_shape(n, x.shape, axes_input_or_attr(g, n));
    } else if (n.op == "ConstantOfShape") {
      float fill = 0.0f;
      ElemType type = ElemType::kFloat;
      if (n.has("value")) {
        const Value& v = n.attrs.at("value").tensor;
        type = v.type == ElemType::kFloat ? ElemType::kFloat : ElemType::kInt64;
        fill = static_cast<float>(element(v, 0));
      }
      if (x.type == ElemType::kFloat) fail(n, "the shape must be integers");
      checked_count(n, x.i);
      out = make_like(type, x.i);
      for (int64_t k = 0; k < out.element_count(); ++k) set_element(out, k, fill);
    } else if (n.op == "Transpose") {
      std::vector<int64_t> perm = n.attr_ints("perm");
      if (perm.empty())
        for (size_t k = x.shape.size(); k-- > 0;) perm.push_back(static_cast<int64_t>(k));
      check_permutation(n, perm, x.shape.size());
      std::vector<int64_t> shape;
      for (int64_t p : perm) shape.push_back(x.shape[static_cast<size_t>(p)]);
      const std::vector<int64_t> xs = strides_of(x.shape);
      out = gather_elements(x, shape, [&](const std::vector<int64_t>& idx) {
        int64_t src = 0;
        for (size_t a = 0; a < idx.size(); ++a) src += idx[a] * xs[static_cast<size_t>(perm[a])];
        return src;
      });
    } else if (n.op == "Concat") {
      const int64_t axis = normalize_axis(n, n.attr_int("axis", 0), x.shape.size());
      std::vector<int64_t> shape = x.shape;
      shape[axis] = 0;
      std::vector<const Value*> parts;
      for (const std::string& in : n.inputs) {
        parts.push_back(&g.value(in));
        if (parts.back()->shape.size() != x.shape.size()) fail(n, "inputs differ in rank");
        for (size_t a = 0; a < x.shape.size(); ++a)
          if (static_cast<int64_t>(a) != axis && parts.back()->shape[a] != x.shape[a])
            fail(n, "inputs differ outside the concat axis");
        if (parts.back()->type != x.type) fail(n, "inputs differ in element type");
        shape[axis] += parts.back()->shape[axis];
      }
      const ElemType type = x.type;
      out = make_like(type, shape);
      const std::vector<int64_t> os = strides_of(shape);
      for (int64_t k = 0; k < out.element_count(); ++k) {
        std::vector<int64_t> idx(shape.size());
        int64_t rem = k;
        for (size_t a = 0; a < shape.size(); ++a) {
          idx[a] = rem / os[a];
          rem %= os[a];
        }
        size_t part = 0;
        while (idx[axis] >= parts[part]->shape[axis]) idx[axis] -= parts[part++]->shape[axis];
        const std::vector<int64_t> ps = strides_of(parts[part]->shape);
        int64_t src = 0;
        for (size_t a = 0; a < idx.size(); ++a) src += idx[a] * ps[a];
        set_element(out, k, element(*parts[part], src));
      }
    } else if (n.op == "Gather") {
      const Value& idx_v = g.value(n.input(1));
      if (idx_v.type == ElemType::kFloat) fail(n, "indices must be integers");
      const int64_t axis = normalize_axis(n, n.attr_int("axis", 0), x.shape.size());
      std::vector<int64_t> shape(x.shape.begin(), x.shape.begin() + axis);
      shape.insert(shape.end(), idx_v.shape.begin(), idx_v.shape.end());
      shape.insert(shape.end(), x.shape.begin() + axis + 1, x.shape.end());
      const std::vector<int64_t> xs = strides_of(x.shape);
      const auto q = idx_v.shape.size();
      const std::vector<int64_t> is = strides_of(idx_v.shape);
      out = gather_elements(x, shape, [&](const std::vector<int64_t>& o) {
        int64_t flat_idx = 0;
        for (size_t a = 0; a < q; ++a) flat_idx += o[static_cast<size_t>(axis) + a] * is[a];
        int64_t j = idx_v.i.at(static_cast<size_t>(flat_idx));
        if (j < 0) j += x.shape[axis];
        if (j < 0 || j >= x.shape[axis]) fail(n, "index out of range");
        int64_t src = j * xs[axis];
        for (int64_t a = 0; a < axis; ++a) src += o[a] * xs[a];
        for (size_t a = static_cast<size_t>(axis) + 1; a < x.shape.size(); ++a)
          src += o[a + q - 1] * xs[a];
        return src;
      });
    } else if (n.op == "Slice") {
      std::vector<int64_t> starts, ends, axes, steps;
      if (g.opset >= 10) {
        starts = ints_of(g, n, 1);
        ends = ints_of(g, n, 2);
        if (!n.input(3).empty()) axes = ints_of(g, n, 3);
        if (!n.input(4).empty()) steps = ints_of(g, n, 4);
      } else {
        starts = n.attr_ints("starts");
        ends = n.attr_ints("ends");
        axes = n.attr_ints("axes");
      }
      if (axes.empty())
        for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
      if (steps.empty()) steps.assign(starts.size(), 1);
      if (ends.size() != starts.size() || axes.size() != starts.size() ||
          steps.size() != starts.size())
        fail(n, "starts, ends, axes and steps differ in length");
      std::vector<int64_t> begin(x.shape.size(), 0), step(x.shape.size(), 1), shape = x.shape;
      for (size_t k = 0; k < starts.size(); ++k) {
        const int64_t a = normalize_axis(n, axes[k], x.shape.size());
        const int64_t dim = x.shape[a];
        if (steps[k] <= 0) fail(n, "only positive Slice steps are supported");
        int64_t s = starts[k] < 0 ? starts[k] + dim : starts[k];
        int64_t e = ends[k] < 0 ? ends[k] + dim : ends[k];
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        begin[a] = s;
        step[a] = steps[k];
        shape[a] = e > s ? (e - s + steps[k] - 1) / steps[k] : 0;
      }
      const std::vector<int64_t> xs = strides_of(x.shape);
      out = gather_elements(x, shape, [&](const std::vector<int64_t>& idx) {
        int64_t src = 0;
        for (size_t a = 0; a < idx.size(); ++a) src += (begin[a] + idx[a] * step[a]) * xs[a];
        return src;
      });
    }
  }
  out.name = n.outputs[0];
  out.is_constant = true;
  out.shape_known = true;
  g.values[out.name] = out;
  return true;
}

}  // namespace edgeae::passes
