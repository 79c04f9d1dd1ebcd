// One validated op as the executors see it: its tensor records, data
// pointers and the kernel shape structs built from them.
#pragma once

#include "edgeae/edgeae.hpp"
#include "kernels/reference/reference.hpp"
#include "record_access.hpp"

namespace edgeae::detail {

inline ref::Shape shape_of(const format::TensorRecord& t) {
  ref::Shape s;
  s.rank = t.rank;
  for (uint32_t i = 0; i < t.rank; ++i) s.dims[i] = t.dims[i];
  return s;
}

struct OpView {
  const Model& model;
  const Session& session;
  const format::OpRecord& op;
  uint8_t* scratch = nullptr;  // the op's planned arena scratch (op.scratch_bytes)

  const format::TensorRecord& tensor(uint32_t k) const { return model.tensor(op.inputs[k]); }
  const format::TensorRecord& out() const { return model.tensor(op.output); }
  bool has_input(uint32_t k) const { return k < op.input_count && op.inputs[k] != format::kNoId; }
  // Input k's data as T (null for an absent optional input).
  template <typename T>
  const T* in(uint32_t k) const {
    return has_input(k) ? static_cast<const T*>(session.tensor_data(op.inputs[k])) : nullptr;
  }
  const float* in_f32(uint32_t k) const { return in<float>(k); }
  const void* in_raw(uint32_t k) const { return session.tensor_data(op.inputs[k]); }
  // The quantized op's parameter tensor (OpRecord.quant) as T.
  template <typename T>
  const T* quant() const {
    return reinterpret_cast<const T*>(model.constant_data(model.tensor(op.quant)));
  }
};

inline ref::ConvShape conv_shape(const OpView& v) {
  const format::TensorRecord& x = v.tensor(0);
  const format::TensorRecord& o = v.out();
  ref::ConvShape s;
  s.batch = x.dims[0];
  s.in_h = height(x);
  s.in_w = width(x);
  s.in_c = channels(x);
  s.out_h = height(o);
  s.out_w = width(o);
  s.out_c = channels(o);
  s.p = params_as<format::ConvParams>(v.op);
  return s;
}

inline ref::PoolShape pool_shape(const OpView& v) {
  const format::TensorRecord& x = v.tensor(0);
  ref::PoolShape s;
  s.batch = x.dims[0];
  s.in_h = height(x);
  s.in_w = width(x);
  s.channels = channels(x);
  s.out_h = height(v.out());
  s.out_w = width(v.out());
  s.p = params_as<format::PoolParams>(v.op);
  return s;
}

}  // namespace edgeae::detail
