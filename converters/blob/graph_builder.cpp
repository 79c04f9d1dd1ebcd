#include "blob/graph_builder.hpp"

#include <algorithm>
#include <stdexcept>

#include "edgeae/crc32.hpp"
#include "edgeae/shape_rules.hpp"
#include "planner/planner.hpp"

namespace edgeae::blob {
namespace {

using format::Storage;
using format::TensorRecord;

uint64_t element_bytes(const std::vector<uint32_t>& dims, DType dtype) {
  uint64_t n = format::dtype_bytes(dtype);
  for (uint32_t d : dims) n *= d;
  return n;
}

std::string op_label(const OpDesc& d, size_t index) {
  return "op " + std::to_string(index) + " (" + op_type_name(d.type) +
         (d.name.empty() ? "" : " '" + d.name + "'") + ")";
}

// Appends `bytes` at an `alignment` boundary of `out`; returns the offset.
uint64_t append_aligned(std::vector<uint8_t>& out, const void* data, size_t bytes,
                        uint64_t alignment) {
  out.resize(static_cast<size_t>(planner::align_up(out.size(), alignment)), 0);
  const uint64_t offset = out.size();
  const auto* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + bytes);
  return offset;
}

class StringTable {
 public:
  uint32_t add(const std::string& s) {
    if (s.empty()) return kNoId;
    const auto offset = static_cast<uint32_t>(bytes_.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    bytes_.push_back(0);
    return offset;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace

void GraphBuilder::check_id(uint32_t id, const char* what) const {
  if (id >= tensors_.size()) throw std::invalid_argument(std::string(what) + ": no such tensor");
}

uint32_t GraphBuilder::add_tensor(Tensor t) {
  if (t.dims.size() > format::kMaxRank)
    throw std::invalid_argument("tensor '" + t.name + "': rank above 6");
  for (uint32_t d : t.dims)
    if (d == 0) throw std::invalid_argument("tensor '" + t.name + "': zero dimension");
  tensors_.push_back(std::move(t));
  return static_cast<uint32_t>(tensors_.size() - 1);
}

uint32_t GraphBuilder::input(const std::string& name, const std::vector<uint32_t>& dims,
                             DType dtype, Layout layout, float scale, int32_t zero_point) {
  Tensor t;
  t.name = name;
  t.dims = dims;
  t.dtype = dtype;
  t.layout = layout;
  t.scale = scale;
  t.zero_point = zero_point;
  const uint32_t id = add_tensor(std::move(t));
  inputs_.push_back({id, name});
  return id;
}

uint32_t GraphBuilder::constant(const std::string& name, const std::vector<uint32_t>& dims,
                                const std::vector<float>& values, Layout layout) {
  if (element_bytes(dims, DType::kFloat32) != values.size() * sizeof(float))
    throw std::invalid_argument("constant '" + name + "': value count differs from its shape");
  const uint32_t id =
      constant_raw(name, dims, DType::kFloat32, values.data(), values.size() * sizeof(float));
  tensors_[id].layout = layout;
  return id;
}

uint32_t GraphBuilder::constant_raw(const std::string& name, const std::vector<uint32_t>& dims,
                                    DType dtype, const void* data, size_t bytes, float scale,
                                    int32_t zero_point) {
  if (element_bytes(dims, dtype) != bytes)
    throw std::invalid_argument("constant '" + name + "': byte count differs from its shape");
  Tensor t;
  t.name = name;
  t.dims = dims;
  t.dtype = dtype;
  t.storage = Storage::kConstant;
  const auto* p = static_cast<const uint8_t*>(data);
  t.data.assign(p, p + bytes);
  t.scale = scale;
  t.zero_point = zero_point;
  return add_tensor(std::move(t));
}

uint32_t GraphBuilder::view(uint32_t base, const std::vector<uint32_t>& dims,
                            const std::string& name) {
  check_id(base, "view");
  uint32_t root = base;
  if (tensors_[root].storage == Storage::kAlias) root = tensors_[root].alias_of;
  const Tensor& b = tensors_[root];
  if (element_bytes(dims, b.dtype) != element_bytes(b.dims, b.dtype))
    throw std::invalid_argument("view '" + name + "': element count differs from its base");
  Tensor t;
  t.name = name;
  t.dims = dims;
  t.dtype = b.dtype;
  t.storage = Storage::kAlias;
  t.alias_of = root;
  t.scale = b.scale;
  t.zero_point = b.zero_point;
  return add_tensor(std::move(t));
}

const std::vector<uint32_t>& GraphBuilder::dims(uint32_t tensor) const {
  check_id(tensor, "dims");
  return tensors_[tensor].dims;
}

uint32_t GraphBuilder::op(const OpDesc& desc) {
  const std::string label = op_label(desc, ops_.size());
  if (desc.inputs.size() > format::kMaxOpInputs)
    throw std::invalid_argument(label + ": more than 4 inputs");
  // Describe the inputs as records and let the runtime's shape rules decide.
  TensorRecord records[format::kMaxOpInputs] = {};
  const TensorRecord* in[format::kMaxOpInputs] = {};
  format::OpRecord rec{};
  rec.type = static_cast<uint16_t>(desc.type);
  rec.activation = static_cast<uint8_t>(desc.activation.kind);
  rec.act_alpha = desc.activation.alpha;
  rec.act_beta = desc.activation.beta;
  rec.act_slope = desc.activation.slope;
  rec.input_count = static_cast<uint8_t>(desc.inputs.size());
  std::memcpy(rec.params, desc.params, sizeof rec.params);
  auto describe = [&](uint32_t id, TensorRecord& r) {
    const Tensor& t = tensors_[id];
    r.dtype = static_cast<uint8_t>(t.dtype);
    r.storage = static_cast<uint8_t>(t.storage);
    r.rank = static_cast<uint8_t>(t.dims.size());
    std::copy(t.dims.begin(), t.dims.end(), r.dims);
    r.bytes = element_bytes(t.dims, t.dtype);
    r.scale = t.scale;
    r.zero_point = t.zero_point;
  };
  for (size_t k = 0; k < desc.inputs.size(); ++k) {
    if (desc.inputs[k] == kNoId) continue;
    check_id(desc.inputs[k], label.c_str());
    describe(desc.inputs[k], records[k]);
    in[k] = &records[k];
  }
  TensorRecord slope_record{};
  const TensorRecord* slope = nullptr;
  if (desc.activation.slope != kNoId) {
    check_id(desc.activation.slope, label.c_str());
    describe(desc.activation.slope, slope_record);
    slope = &slope_record;
  }
  DType dtype;
  Dims dims;
  const Status s = infer_output(rec, in, slope, &dtype, &dims);
  if (!s.ok()) throw std::invalid_argument(label + ": " + s.message);
  Tensor out;
  out.name = desc.name;
  out.dtype = dtype;
  out.layout = desc.output_layout;
  out.dims.assign(dims.d, dims.d + dims.rank);
  out.scale = desc.out_scale;
  out.zero_point = desc.out_zero_point;
  // The loader's checks of the integer parameters, on the same records.
  TensorRecord out_record{};
  out_record.dtype = static_cast<uint8_t>(dtype);
  out_record.rank = static_cast<uint8_t>(dims.rank);
  std::copy(dims.d, dims.d + dims.rank, out_record.dims);
  out_record.scale = out.scale;
  out_record.zero_point = out.zero_point;
  rec.quant = desc.quant;
  rec.scratch_bytes = desc.scratch_bytes;
  TensorRecord quant_record{};
  const void* quant_data = nullptr;
  if (desc.quant != kNoId) {
    check_id(desc.quant, label.c_str());
    describe(desc.quant, quant_record);
    quant_data = tensors_[desc.quant].data.data();
  }
  const bool has_bias = desc.inputs.size() > 2 && desc.inputs[2] != kNoId &&
                        (desc.type == OpType::kDense || desc.type == OpType::kConv ||
                         desc.type == OpType::kConvTranspose);
  QuantConstants constants;
  constants.quant = quant_data;
  constants.bias = has_bias ? tensors_[desc.inputs[2]].data.data() : nullptr;
  const bool layer = desc.type == OpType::kDense || desc.type == OpType::kConv ||
                     desc.type == OpType::kConvTranspose;
  if (layer && desc.inputs.size() > 1 && !tensors_[desc.inputs[1]].data.empty())
    constants.weights = tensors_[desc.inputs[1]].data.data();
  const Status q =
      check_quant(rec, in, out_record, desc.quant != kNoId ? &quant_record : nullptr, constants);
  if (!q.ok()) throw std::invalid_argument(label + ": " + q.message);
  const uint32_t id = add_tensor(std::move(out));
  ops_.push_back(desc);
  op_outputs_.push_back(id);
  return id;
}

void GraphBuilder::output(uint32_t tensor, const std::string& name) {
  check_id(tensor, "output");
  outputs_.push_back({tensor, name});
}

uint32_t GraphBuilder::dense(uint32_t a, uint32_t b, uint32_t bias, bool trans_b,
                             ActivationDesc act) {
  OpDesc d;
  d.type = OpType::kDense;
  d.inputs = {a, b};
  if (bias != kNoId) d.inputs.push_back(bias);
  d.activation = act;
  d.with(format::DenseParams{0, trans_b ? 1 : 0, 0, 0});
  return op(d);
}

uint32_t GraphBuilder::conv(uint32_t x, uint32_t w, uint32_t bias, const format::ConvParams& p,
                            ActivationDesc act, bool transposed) {
  OpDesc d;
  d.type = transposed ? OpType::kConvTranspose : OpType::kConv;
  d.inputs = {x, w};
  if (bias != kNoId) d.inputs.push_back(bias);
  d.activation = act;
  d.output_layout = Layout::kChannelsLast;
  d.with(p);
  return op(d);
}

uint32_t GraphBuilder::unary(OpType type, uint32_t x, float alpha, float beta) {
  OpDesc d;
  d.type = type;
  d.inputs = {x};
  d.activation.kind = own_activation(type);
  d.activation.alpha = alpha;
  d.activation.beta = beta;
  return op(d);
}

uint32_t GraphBuilder::binary(OpType type, uint32_t a, uint32_t b, ActivationDesc act) {
  OpDesc d;
  d.type = type;
  d.inputs = {a, b};
  d.activation = act;
  return op(d);
}

Blob GraphBuilder::build() const {
  if (inputs_.empty() || outputs_.empty())
    throw std::invalid_argument("a model needs at least one input and one output");
  const auto op_count = static_cast<uint32_t>(ops_.size());
  const uint32_t last_index = op_count ? op_count - 1 : 0;
  auto root = [&](uint32_t id) {
    return tensors_[id].storage == Storage::kAlias ? tensors_[id].alias_of : id;
  };

  // Live ranges: an op's output from its op to its last reader; inputs from 0;
  // outputs to the end. Reads through views extend the view's base.
  std::vector<uint32_t> first(tensors_.size(), 0), last(tensors_.size(), 0);
  for (uint32_t i = 0; i < op_count; ++i) first[op_outputs_[i]] = last[op_outputs_[i]] = i;
  for (uint32_t i = 0; i < op_count; ++i)
    for (uint32_t id : ops_[i].inputs)
      if (id != kNoId) last[root(id)] = std::max(last[root(id)], i);
  for (const Io& o : outputs_) last[root(o.tensor)] = last_index;

  // Plan arena tensors, then each op's scratch.
  std::vector<planner::Buffer> buffers;
  std::vector<uint32_t> buffer_tensor;
  for (uint32_t id = 0; id < tensors_.size(); ++id) {
    if (tensors_[id].storage != Storage::kArena) continue;
    buffers.push_back({element_bytes(tensors_[id].dims, tensors_[id].dtype), first[id], last[id]});
    buffer_tensor.push_back(id);
  }
  const size_t tensor_buffers = buffers.size();
  for (uint32_t i = 0; i < op_count; ++i)
    if (ops_[i].scratch_bytes) buffers.push_back({ops_[i].scratch_bytes, i, i});
  const planner::Plan plan = planner::plan_arena(buffers, kArenaAlignment);
  std::vector<uint64_t> arena_offset(tensors_.size(), 0);
  for (size_t b = 0; b < tensor_buffers; ++b) arena_offset[buffer_tensor[b]] = plan.offsets[b];

  StringTable strings;
  std::vector<uint8_t> constants;
  std::vector<TensorRecord> tensor_records(tensors_.size());
  for (uint32_t id = 0; id < tensors_.size(); ++id) {
    const Tensor& t = tensors_[id];
    TensorRecord& r = tensor_records[id];
    r = TensorRecord{};
    r.dtype = static_cast<uint8_t>(t.dtype);
    r.storage = static_cast<uint8_t>(t.storage);
    r.rank = static_cast<uint8_t>(t.dims.size());
    r.layout = static_cast<uint8_t>(t.layout);
    r.name = strings.add(t.name);
    std::copy(t.dims.begin(), t.dims.end(), r.dims);
    r.bytes = element_bytes(t.dims, t.dtype);
    r.scale = t.scale;
    r.zero_point = t.zero_point;
    r.alias_of = t.alias_of;
    r.first_op = r.last_op = 0;
    if (t.storage == Storage::kArena) {
      r.offset = arena_offset[id];
      r.first_op = first[id];
      r.last_op = last[id];
    } else if (t.storage == Storage::kConstant) {
      // Cache-line aligned, except small ones (quant words, biases of
      // tiny layers), which would mostly be padding.
      r.offset =
          append_aligned(constants, t.data.data(), t.data.size(),
                         t.data.size() >= kArenaAlignment ? kArenaAlignment : format::kTensorAlign);
    }
  }
  std::vector<format::OpRecord> op_records(op_count);
  size_t scratch_index = tensor_buffers;
  for (uint32_t i = 0; i < op_count; ++i) {
    const OpDesc& d = ops_[i];
    format::OpRecord& r = op_records[i];
    r = format::OpRecord{};
    r.type = static_cast<uint16_t>(d.type);
    r.activation = static_cast<uint8_t>(d.activation.kind);
    r.input_count = static_cast<uint8_t>(d.inputs.size());
    r.name = strings.add(d.name);
    r.act_alpha = d.activation.alpha;
    r.act_beta = d.activation.beta;
    r.act_slope = d.activation.slope;
    r.quant = d.quant;
    std::fill(std::begin(r.inputs), std::end(r.inputs), kNoId);
    std::copy(d.inputs.begin(), d.inputs.end(), r.inputs);
    r.output = op_outputs_[i];
    if (d.scratch_bytes) {
      r.scratch_offset = plan.offsets[scratch_index++];
      r.scratch_bytes = d.scratch_bytes;
    }
    std::memcpy(r.params, d.params, sizeof r.params);
  }
  std::vector<format::IoRecord> io;
  for (const Io& in : inputs_)
    io.push_back(
        {static_cast<uint32_t>(format::IoKind::kInput), in.tensor, strings.add(in.name), 0});
  for (const Io& out : outputs_)
    io.push_back(
        {static_cast<uint32_t>(format::IoKind::kOutput), out.tensor, strings.add(out.name), 0});

  // Lay out: header, section table, then each section 64-byte aligned.
  struct Section {
    format::SectionKind kind;
    uint32_t count;
    const void* data;
    size_t bytes;
  };
  const Section sections[] = {
      {format::SectionKind::kTensors, static_cast<uint32_t>(tensor_records.size()),
       tensor_records.data(), tensor_records.size() * sizeof(TensorRecord)},
      {format::SectionKind::kOps, op_count, op_records.data(),
       op_records.size() * sizeof(format::OpRecord)},
      {format::SectionKind::kIo, static_cast<uint32_t>(io.size()), io.data(),
       io.size() * sizeof(format::IoRecord)},
      {format::SectionKind::kConstants, static_cast<uint32_t>(constants.size()), constants.data(),
       constants.size()},
      {format::SectionKind::kStrings, static_cast<uint32_t>(strings.bytes().size()),
       strings.bytes().data(), strings.bytes().size()},
  };
  constexpr uint32_t kSectionCount = sizeof sections / sizeof sections[0];
  std::vector<uint8_t> out(
      sizeof(format::BlobHeader) + kSectionCount * sizeof(format::SectionEntry), 0);
  format::SectionEntry entries[kSectionCount];
  for (uint32_t k = 0; k < kSectionCount; ++k) {
    const Section& s = sections[k];
    entries[k] = {static_cast<uint32_t>(s.kind), s.count,
                  append_aligned(out, s.data, s.bytes, format::kSectionAlign), s.bytes};
  }
  out.resize(static_cast<size_t>(planner::align_up(out.size(), format::kSectionAlign)), 0);
  std::memcpy(out.data() + sizeof(format::BlobHeader), entries, sizeof entries);

  format::BlobHeader h{};
  std::memcpy(h.magic, format::kMagic, sizeof h.magic);
  h.version_major = format::kVersionMajor;
  // The oldest minor version that describes this blob, so that older
  // runtimes keep reading what they can: 2 only for a fused residual input.
  bool residual = false;
  for (const OpDesc& d : ops_)
    residual = residual || ((d.type == OpType::kConv || d.type == OpType::kConvTranspose) &&
                            d.inputs.size() > 3);
  h.version_minor = residual ? 2 : 1;
  h.header_bytes = sizeof(format::BlobHeader);
  h.file_bytes = out.size();
  h.arena_bytes = plan.arena_bytes;
  h.arena_lower_bound = planner::lower_bound(buffers, kArenaAlignment);
  h.section_count = kSectionCount;
  std::memcpy(out.data(), &h, sizeof h);
  reseal(out);
  return Blob{std::move(out), h.arena_bytes, h.arena_lower_bound};
}

void reseal(std::vector<uint8_t>& blob) {
  if (blob.size() < sizeof(format::BlobHeader)) return;
  format::BlobHeader h;
  std::memcpy(&h, blob.data(), sizeof h);
  const uint64_t end = std::min<uint64_t>(h.file_bytes, blob.size());
  if (end < sizeof h) return;
  h.crc32 = 0;
  std::memcpy(blob.data(), &h, sizeof h);
  h.crc32 = blob_crc32(blob.data(), static_cast<size_t>(end));
  std::memcpy(blob.data(), &h, sizeof h);
}

}  // namespace edgeae::blob
