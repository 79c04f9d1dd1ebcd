// Calibration (tensor ranges from the float model run by the runtime itself)
// and the layer-by-layer SNR of a quantized blob against its float model.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "edgeae/kernel_sets.hpp"
#include "edgeae/shape_rules.hpp"
#include "quant/quantize.hpp"

namespace edgeae::quant {
namespace {

using format::DType;
using format::OpType;
using format::TensorRecord;

size_t element_count(const TensorRecord& t) {
  return static_cast<size_t>(t.bytes / format::dtype_bytes(static_cast<DType>(t.dtype)));
}

// Dequantized copy of a tensor's data in a session.
std::vector<double> values_of(const Session& s, uint32_t id) {
  const TensorRecord& t = s.model()->tensor(id);
  const size_t n = element_count(t);
  const void* p = s.tensor_data(id);
  std::vector<double> v(n);
  switch (static_cast<DType>(t.dtype)) {
    case DType::kFloat32:
      for (size_t i = 0; i < n; ++i) v[i] = static_cast<const float*>(p)[i];
      break;
    case DType::kInt8:
      for (size_t i = 0; i < n; ++i)
        v[i] = double(t.scale) * (static_cast<const int8_t*>(p)[i] - t.zero_point);
      break;
    case DType::kInt16:
      for (size_t i = 0; i < n; ++i)
        v[i] = double(t.scale) * (static_cast<const int16_t*>(p)[i] - t.zero_point);
      break;
    default:
      break;
  }
  return v;
}

// A session over `m` with its own arena. Float models run on the reference
// kernels: the optimized float sets may round differently from build to
// build (their sums are reordered), and calibration must give the same
// ranges, hence the same quantized blob, wherever the converter runs. The
// integer kernels are bit-exact everywhere, so quantized models take the
// fastest set.
struct Runner {
  explicit Runner(const Model& m) : arena(m.arena_bytes() + 64) {
    const bool is_float = m.input_count() > 0 && m.input(0).dtype == format::DType::kFloat32;
    auto* base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(arena.data()) + 63) &
                                            ~uintptr_t{63});
    const Status st =
        session.init(m, base, m.arena_bytes(), is_float ? reference_kernels() : nullptr);
    if (!st.ok()) throw std::runtime_error(std::string("calibration: ") + st.message);
    if (m.input_count() != 1)
      throw std::runtime_error("calibration: the model must have exactly one input");
    input_count = m.input(0).element_count();
  }
  void set_sample(const Samples& s, size_t k) {
    const Status st = session.set_input(0, s.data + k * input_count, input_count);
    if (!st.ok()) throw std::runtime_error(std::string("calibration: ") + st.message);
  }
  std::vector<uint8_t> arena;
  Session session;
  size_t input_count = 0;
};

std::string node_label(const Model& m, uint32_t i) {
  const std::string n = m.name_at(m.op(i).name);
  return "node '" + (n.empty() ? "op " + std::to_string(i) : n) + "' (" +
         op_type_name(static_cast<OpType>(m.op(i).type)) + ")";
}

void check_samples(const Samples& s) {
  if (s.count == 0 || !s.data) throw std::runtime_error("calibration: no samples");
}

// Visits every sample: `each(op index or -1 for the inputs, tensor id,
// values)` after the inputs are set and after each op.
template <typename Fn>
void for_each_output(const Model& m, const Samples& s, const Progress& progress, Fn&& each) {
  Runner r(m);
  for (size_t k = 0; k < s.count; ++k) {
    r.set_sample(s, k);
    const float* in = s.data + k * r.input_count;
    std::vector<double> x(in, in + r.input_count);
    each(-1, m.input_tensor(0), x);
    for (uint32_t i = 0; i < m.op_count(); ++i) {
      (void)r.session.run_ops(i, i + 1);
      each(static_cast<int>(i), m.op(i).output, values_of(r.session, m.op(i).output));
    }
    if (progress) progress(k + 1, s.count);
  }
}

double snr_db(double signal, double noise) {
  if (noise == 0.0) return std::numeric_limits<double>::infinity();
  if (signal == 0.0) return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

}  // namespace

Calibration calibrate(const Model& m, const Samples& s, double percentile,
                      const Progress& progress) {
  check_samples(s);
  if (!(percentile > 50.0 && percentile <= 100.0))
    throw std::runtime_error("calibration: the percentile must be in (50, 100]");
  Calibration c;
  c.ranges.assign(m.tensor_count(), TensorRange{});
  std::vector<bool> seen(m.tensor_count(), false);
  for_each_output(
      m, s, percentile < 100.0 ? Progress{} : progress,
      [&](int op, uint32_t id, const std::vector<double>& v) {
        for (double x : v) {
          if (!std::isfinite(x))
            throw std::runtime_error(
                "calibration: " +
                (op < 0 ? std::string("the input") : node_label(m, static_cast<uint32_t>(op))) +
                " produced a value that is not finite");
          TensorRange& r = c.ranges[id];
          if (!seen[id]) r = {float(x), float(x)};
          seen[id] = true;
          r.lo = std::min(r.lo, float(x));
          r.hi = std::max(r.hi, float(x));
        }
      });
  if (percentile >= 100.0) return c;
  // Second pass: a histogram over each tensor's [min, max]; the range
  // becomes the [100 - p, p] percentiles.
  constexpr size_t kBins = 4096;
  std::vector<std::vector<uint64_t>> hist(m.tensor_count());
  for_each_output(m, s, progress, [&](int, uint32_t id, const std::vector<double>& v) {
    const TensorRange r = c.ranges[id];
    auto& h = hist[id];
    if (h.empty()) h.assign(kBins, 0);
    const double width = double(r.hi) - double(r.lo);
    for (double x : v) {
      const size_t b = width > 0 ? std::min(kBins - 1, size_t((x - r.lo) / width * kBins)) : 0;
      ++h[b];
    }
  });
  for (uint32_t id = 0; id < m.tensor_count(); ++id) {
    if (hist[id].empty()) continue;
    const auto& h = hist[id];
    uint64_t total = 0;
    for (uint64_t n : h) total += n;
    const double tail = static_cast<double>(total) * (100.0 - percentile) / 100.0;
    const TensorRange r = c.ranges[id];
    const double width = (double(r.hi) - double(r.lo)) / kBins;
    size_t lo = 0, hi = kBins - 1;
    for (uint64_t acc = 0; lo < kBins && static_cast<double>(acc + h[lo]) <= tail; ++lo)
      acc += h[lo];
    for (uint64_t acc = 0; hi > 0 && static_cast<double>(acc + h[hi]) <= tail; --hi) acc += h[hi];
    c.ranges[id].lo = float(r.lo + width * double(lo));
    c.ranges[id].hi = float(r.lo + width * double(hi + 1));
  }
  return c;
}

std::vector<uint32_t> match_ops(const Model& f, const Model& q) {
  std::vector<uint32_t> map;
  uint32_t j = 0;
  for (uint32_t i = 0; i < f.op_count(); ++i) {
    while (j < q.op_count() && static_cast<OpType>(q.op(j).type) == OpType::kRequantize) ++j;
    if (j >= q.op_count() || q.op(j).type != f.op(i).type)
      throw std::runtime_error("the quantized blob was not made from this float model (op " +
                               std::to_string(i) + " differs)");
    map.push_back(j++);
  }
  while (j < q.op_count() && static_cast<OpType>(q.op(j).type) == OpType::kRequantize) ++j;
  if (j != q.op_count())
    throw std::runtime_error("the quantized blob has more ops than the float model");
  return map;
}

FloatTrace trace_float(const Model& f, const Samples& s) {
  check_samples(s);
  FloatTrace t;
  for_each_output(f, s, {}, [&](int op, uint32_t, const std::vector<double>& v) {
    if (op >= 0) t.op_outputs.emplace_back(v.begin(), v.end());
  });
  // The model output is what the op writing the output tensor (or its
  // alias's base) produced; with no such op it is the input itself.
  const format::TensorRecord& o = f.tensor(f.output_tensor(0));
  const uint32_t base =
      o.storage == static_cast<uint8_t>(format::Storage::kAlias) ? o.alias_of : f.output_tensor(0);
  uint32_t writer = f.op_count();
  for (uint32_t i = 0; i < f.op_count(); ++i)
    if (f.op(i).output == base) writer = i;
  const size_t in_n = f.input(0).element_count();
  for (size_t k = 0; k < s.count; ++k)
    t.model_outputs.push_back(writer < f.op_count()
                                  ? t.op_outputs[k * f.op_count() + writer]
                                  : std::vector<float>(s.data + k * in_n, s.data + (k + 1) * in_n));
  return t;
}

SnrReport compare(const Model& f, const Model& q, const std::vector<uint32_t>& op_of_float_op,
                  const Samples& s, const Progress& progress) {
  return compare(f, trace_float(f, s), q, op_of_float_op, s, progress);
}

SnrReport compare(const Model& f, const FloatTrace& trace, const Model& q,
                  const std::vector<uint32_t>& op_of_float_op, const Samples& s,
                  const Progress& progress) {
  check_samples(s);
  Runner rq(q);
  if (rq.input_count != f.input(0).element_count())
    throw std::runtime_error("the two models' inputs differ in size");
  std::vector<double> signal(f.op_count(), 0.0), noise(f.op_count(), 0.0);
  double out_signal = 0, out_noise = 0, in_signal = 0, in_noise = 0;
  for (size_t k = 0; k < s.count; ++k) {
    rq.set_sample(s, k);
    const std::vector<double> qi = values_of(rq.session, q.input_tensor(0));
    for (size_t e = 0; e < qi.size(); ++e) {
      const double x = s.data[k * rq.input_count + e];
      in_signal += x * x;
      in_noise += (x - qi[e]) * (x - qi[e]);
    }
    uint32_t done = 0;
    for (uint32_t i = 0; i < f.op_count(); ++i) {
      const uint32_t j = op_of_float_op[i];
      (void)rq.session.run_ops(done, j + 1);
      done = j + 1;
      const std::vector<float>& fv = trace.op_outputs[k * f.op_count() + i];
      const std::vector<double> qv = values_of(rq.session, q.op(j).output);
      for (size_t e = 0; e < qv.size(); ++e) {
        signal[i] += double(fv[e]) * fv[e];
        noise[i] += (fv[e] - qv[e]) * (fv[e] - qv[e]);
      }
    }
    (void)rq.session.run_ops(done, q.op_count());
    const std::vector<float>& fo = trace.model_outputs[k];
    const std::vector<double> qo = values_of(rq.session, q.output_tensor(0));
    for (size_t e = 0; e < fo.size(); ++e) {
      out_signal += double(fo[e]) * fo[e];
      out_noise += (fo[e] - qo[e]) * (fo[e] - qo[e]);
    }
    if (progress) progress(k + 1, s.count);
  }
  SnrReport r;
  for (uint32_t i = 0; i < f.op_count(); ++i) {
    LayerSnr l;
    const std::string n = f.name_at(f.op(i).name);
    l.name = n.empty() ? "op " + std::to_string(i) : n;
    l.op = op_type_name(static_cast<OpType>(f.op(i).type));
    l.precision = static_cast<DType>(q.tensor(q.op(op_of_float_op[i]).output).dtype);
    l.snr_db = snr_db(signal[i], noise[i]);
    r.layers.push_back(l);
  }
  r.output_snr_db = snr_db(out_signal, out_noise);
  r.input_snr_db = snr_db(in_signal, in_noise);
  return r;
}

}  // namespace edgeae::quant
