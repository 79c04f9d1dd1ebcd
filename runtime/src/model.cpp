// Model::load: validate everything once, so that Session::run() can trust the
// blob without a single check. Order matters: header and checksum first, then
// sections, tensors, I/O, ops (shapes via shape_rules), and finally the memory
// plan. Every offset and size is checked with overflow-safe arithmetic before
// anything at that offset is read. Nothing is allocated: all checks work on
// the records in place, O(T^2 + ops * T) at worst for T tensors.
#include <string.h>

#include "edgeae/crc32.hpp"
#include "edgeae/edgeae.hpp"
#include "edgeae/shape_rules.hpp"
#include "op_impl.hpp"
#include "status_message.hpp"

namespace edgeae {
namespace {

using format::DType;
using format::Storage;
using format::TensorRecord;

Status fail(StatusCode code, const char* message, uint32_t index = Status::kNoIndex) {
  return Status{code, message, index};
}
Status malformed(const char* message, uint32_t index = Status::kNoIndex) {
  return fail(StatusCode::kMalformed, message, index);
}

// True when [offset, offset + bytes) lies inside [0, limit), without overflow.
bool fits(uint64_t offset, uint64_t bytes, uint64_t limit) {
  return offset <= limit && bytes <= limit - offset;
}

// (A mask, not %: the alignments are powers of two, and a 64-bit modulo
// costs a microcontroller a library routine.)
bool aligned(uint64_t value, uint64_t alignment) {
  return (value & (alignment - 1)) == 0;
}

bool valid_dtype(uint8_t d) {
  return d >= static_cast<uint8_t>(DType::kFloat32) && d <= static_cast<uint8_t>(DType::kInt64);
}

// float32: no quantization. int8: scale > 0, zero point in range. int16:
// scale > 0, zero point 0 (symmetric). int32/int64 (biases, quant words):
// raw integers or scaled ones (scale >= 0), zero point 0.
bool quantization_ok(const TensorRecord& t) {
  const bool finite_scale = t.scale >= 0.0f && t.scale < 3.0e38f;
  switch (static_cast<DType>(t.dtype)) {
    case DType::kFloat32:
      return t.scale == 0.0f && t.zero_point == 0;
    case DType::kInt8:
      return finite_scale && t.scale > 0.0f && t.zero_point >= -128 && t.zero_point <= 127;
    case DType::kInt16:
      return finite_scale && t.scale > 0.0f && t.zero_point == 0;
    case DType::kInt32:
    case DType::kInt64:
      return finite_scale && t.zero_point == 0;
  }
  return false;
}

// Element count of a record's dims times the dtype size, or 0 on overflow or a
// zero dim. Dims are capped so the product stays far below 2^64.
uint64_t expected_bytes(const TensorRecord& t) {
  uint64_t n = format::dtype_bytes(static_cast<DType>(t.dtype));
  for (uint32_t i = 0; i < t.rank; ++i) {
    if (t.dims[i] == 0) return 0;
    n *= t.dims[i];
    if (n > (uint64_t{1} << 40)) return 0;  // 1 TiB: no edge model comes close
  }
  return n;
}

// The tensor that owns the bytes of tensor `id` (itself unless it is an alias).
uint32_t base_id_of(const TensorRecord* tensors, uint32_t id) {
  return tensors[id].storage == static_cast<uint8_t>(Storage::kAlias) ? tensors[id].alias_of : id;
}

bool ranges_meet(const TensorRecord& a, const TensorRecord& b) {
  return a.first_op <= b.last_op && b.first_op <= a.last_op;
}

bool bytes_overlap(uint64_t a_off, uint64_t a_len, uint64_t b_off, uint64_t b_len) {
  return a_off < b_off + b_len && b_off < a_off + a_len;
}

}  // namespace

Status Model::load(const void* blob, size_t bytes, OpTable op_impls) {
  *this = Model{};
  if (!blob) return fail(StatusCode::kInvalidArgument, EDGEAE_MESSAGE("blob is null"));
  if (!op_impls) return fail(StatusCode::kInvalidArgument, EDGEAE_MESSAGE("op table is null"));
  if (reinterpret_cast<uintptr_t>(blob) % format::kMemoryAlign != 0)
    return fail(StatusCode::kMisaligned, EDGEAE_MESSAGE("blob must be 16-byte aligned"));
  if (bytes < sizeof(format::BlobHeader))
    return fail(StatusCode::kTruncated, EDGEAE_MESSAGE("blob shorter than its header"));
  const auto* base = static_cast<const uint8_t*>(blob);
  const auto* header = reinterpret_cast<const format::BlobHeader*>(base);
  if (memcmp(header->magic, format::kMagic, sizeof format::kMagic) != 0)
    return fail(StatusCode::kBadMagic, EDGEAE_MESSAGE("not an edgeae blob (bad magic)"));
  if (header->version_major != format::kVersionMajor)
    return fail(StatusCode::kUnsupportedVersion, EDGEAE_MESSAGE("unsupported blob format version"));
  // A newer minor version may use records this reader would misread.
  if (header->version_minor > format::kVersionMinor)
    return fail(StatusCode::kUnsupportedVersion,
                EDGEAE_MESSAGE("blob uses a newer format minor version than this runtime reads"));
  if (header->header_bytes != sizeof(format::BlobHeader))
    return malformed(EDGEAE_MESSAGE("bad header size"));
  if (header->file_bytes > bytes)
    return fail(StatusCode::kTruncated, EDGEAE_MESSAGE("blob is truncated"));
  if (header->file_bytes < sizeof(format::BlobHeader))
    return malformed(EDGEAE_MESSAGE("file size below header size"));
  const uint64_t file_bytes = header->file_bytes;
  if (blob_crc32(base, static_cast<size_t>(file_bytes)) != header->crc32)
    return fail(StatusCode::kChecksumMismatch,
                EDGEAE_MESSAGE("checksum mismatch: blob is corrupted"));
  if (header->flags != 0)
    return fail(StatusCode::kUnsupported, EDGEAE_MESSAGE("unknown header flags"));
  if (header->arena_lower_bound > header->arena_bytes)
    return malformed(EDGEAE_MESSAGE("arena lower bound above arena size"));
  if (static_cast<uint64_t>(static_cast<size_t>(header->arena_bytes)) != header->arena_bytes)
    return fail(StatusCode::kUnsupported, EDGEAE_MESSAGE("arena larger than this target's memory"));

  // Section table.
  const uint64_t table_bytes = uint64_t{header->section_count} * sizeof(format::SectionEntry);
  if (header->section_count > 16 || !fits(sizeof(format::BlobHeader), table_bytes, file_bytes))
    return malformed(EDGEAE_MESSAGE("section table out of bounds"));
  const auto* sections =
      reinterpret_cast<const format::SectionEntry*>(base + sizeof(format::BlobHeader));
  const format::SectionEntry* found[6] = {};
  for (uint32_t i = 0; i < header->section_count; ++i) {
    const format::SectionEntry& s = sections[i];
    if (s.kind < 1 || s.kind > 5) return malformed(EDGEAE_MESSAGE("unknown section kind"), i);
    if (found[s.kind]) return malformed(EDGEAE_MESSAGE("duplicate section"), i);
    if (!aligned(s.offset, format::kSectionAlign))
      return malformed(EDGEAE_MESSAGE("section not 64-byte aligned"), i);
    if (s.offset < sizeof(format::BlobHeader) + table_bytes || !fits(s.offset, s.bytes, file_bytes))
      return malformed(EDGEAE_MESSAGE("section out of bounds"), i);
    for (uint32_t j = 0; j < i; ++j) {
      if (bytes_overlap(s.offset, s.bytes, sections[j].offset, sections[j].bytes))
        return malformed(EDGEAE_MESSAGE("sections overlap"), i);
    }
    found[s.kind] = &s;
  }
  const auto* tensor_sec = found[static_cast<int>(format::SectionKind::kTensors)];
  const auto* op_sec = found[static_cast<int>(format::SectionKind::kOps)];
  const auto* io_sec = found[static_cast<int>(format::SectionKind::kIo)];
  const auto* const_sec = found[static_cast<int>(format::SectionKind::kConstants)];
  const auto* string_sec = found[static_cast<int>(format::SectionKind::kStrings)];
  if (!tensor_sec || !op_sec || !io_sec)
    return malformed(EDGEAE_MESSAGE("tensors, ops or io section missing"));
  if (tensor_sec->count > format::kMaxTensors || op_sec->count > format::kMaxOps)
    return malformed(EDGEAE_MESSAGE("too many tensors or ops"));
  if (tensor_sec->bytes != uint64_t{tensor_sec->count} * sizeof(TensorRecord) ||
      op_sec->bytes != uint64_t{op_sec->count} * sizeof(format::OpRecord) ||
      io_sec->bytes != uint64_t{io_sec->count} * sizeof(format::IoRecord))
    return malformed(EDGEAE_MESSAGE("section size differs from its record count"));
  if ((const_sec && const_sec->count != const_sec->bytes) ||
      (string_sec && string_sec->count != string_sec->bytes))
    return malformed(EDGEAE_MESSAGE("byte section count differs from its size"));
  if (string_sec && string_sec->bytes > 0 && base[string_sec->offset + string_sec->bytes - 1] != 0)
    return malformed(EDGEAE_MESSAGE("string section must end with NUL"));

  const auto* tensors = reinterpret_cast<const TensorRecord*>(base + tensor_sec->offset);
  const auto* ops = reinterpret_cast<const format::OpRecord*>(base + op_sec->offset);
  const auto* io = reinterpret_cast<const format::IoRecord*>(base + io_sec->offset);
  const uint32_t tensor_count = tensor_sec->count;
  const uint32_t op_count = op_sec->count;
  const uint64_t const_bytes = const_sec ? const_sec->bytes : 0;
  const uint64_t string_bytes = string_sec ? string_sec->bytes : 0;
  const uint64_t arena = header->arena_bytes;
  // Ranges of a graph with no ops collapse to op 0.
  const uint32_t last_op_index = op_count ? op_count - 1 : 0;
  auto name_ok = [&](uint32_t name) { return name == format::kNoId || name < string_bytes; };

  // Tensors, each on its own.
  for (uint32_t i = 0; i < tensor_count; ++i) {
    const TensorRecord& t = tensors[i];
    if (!valid_dtype(t.dtype)) return malformed(EDGEAE_MESSAGE("tensor has an unknown dtype"), i);
    if (t.rank > format::kMaxRank) return malformed(EDGEAE_MESSAGE("tensor rank above 6"), i);
    for (uint32_t a = t.rank; a < format::kMaxRank; ++a)
      if (t.dims[a] != 0)
        return malformed(EDGEAE_MESSAGE("tensor dims beyond its rank must be 0"), i);
    if (t.layout > static_cast<uint8_t>(format::Layout::kChannelsFirst))
      return malformed(EDGEAE_MESSAGE("unknown layout"), i);
    if (!name_ok(t.name)) return malformed(EDGEAE_MESSAGE("tensor name out of bounds"), i);
    const uint64_t size = expected_bytes(t);
    if (size == 0 || size != t.bytes)
      return malformed(EDGEAE_MESSAGE("tensor byte size differs from its shape"), i);
    if (!quantization_ok(t)) return malformed(EDGEAE_MESSAGE("bad quantization parameters"), i);
    switch (static_cast<Storage>(t.storage)) {
      case Storage::kArena:
        if (!aligned(t.offset, format::kTensorAlign) || !fits(t.offset, t.bytes, arena))
          return malformed(EDGEAE_MESSAGE("arena tensor outside the arena"), i);
        if (t.first_op > t.last_op || t.last_op > last_op_index)
          return malformed(EDGEAE_MESSAGE("tensor live range invalid"), i);
        if (t.alias_of != format::kNoId)
          return malformed(EDGEAE_MESSAGE("only an alias has alias_of"), i);
        break;
      case Storage::kConstant:
        if (!aligned(t.offset, format::kTensorAlign) || !fits(t.offset, t.bytes, const_bytes))
          return malformed(EDGEAE_MESSAGE("constant outside the constants section"), i);
        if (t.alias_of != format::kNoId)
          return malformed(EDGEAE_MESSAGE("only an alias has alias_of"), i);
        break;
      case Storage::kAlias: {
        if (t.alias_of >= tensor_count || t.alias_of == i)
          return malformed(EDGEAE_MESSAGE("alias of a bad tensor id"), i);
        const TensorRecord& b = tensors[t.alias_of];
        if (b.storage == static_cast<uint8_t>(Storage::kAlias))
          return malformed(EDGEAE_MESSAGE("alias of an alias"), i);
        if (b.dtype != t.dtype || b.bytes != t.bytes)
          return malformed(EDGEAE_MESSAGE("alias differs in dtype or size from its base"), i);
        if (t.offset != 0) return malformed(EDGEAE_MESSAGE("an alias has no offset"), i);
        break;
      }
      default:
        return malformed(EDGEAE_MESSAGE("unknown tensor storage"), i);
    }
  }

  // Graph inputs and outputs.
  uint32_t inputs = 0;
  while (inputs < io_sec->count && io[inputs].kind == static_cast<uint32_t>(format::IoKind::kInput))
    ++inputs;
  const uint32_t outputs = io_sec->count - inputs;
  if (inputs == 0 || outputs == 0)
    return malformed(EDGEAE_MESSAGE("a model needs at least one input and one output"));
  auto is_graph_input = [&](uint32_t id) {
    for (uint32_t k = 0; k < inputs; ++k)
      if (io[k].tensor == id) return true;
    return false;
  };
  for (uint32_t k = 0; k < io_sec->count; ++k) {
    const format::IoRecord& r = io[k];
    if (k >= inputs && r.kind != static_cast<uint32_t>(format::IoKind::kOutput))
      return malformed(EDGEAE_MESSAGE("io records: inputs must precede outputs"), k);
    if (r.tensor >= tensor_count || !name_ok(r.name))
      return malformed(EDGEAE_MESSAGE("io record out of bounds"), k);
    const TensorRecord& t = tensors[r.tensor];
    if (k < inputs) {
      if (t.storage != static_cast<uint8_t>(Storage::kArena) || t.first_op != 0)
        return malformed(EDGEAE_MESSAGE("a graph input must be an arena tensor live from op 0"), k);
      for (uint32_t j = 0; j < k; ++j)
        if (io[j].tensor == r.tensor)
          return malformed(EDGEAE_MESSAGE("a tensor is listed twice as input"), k);
    } else {
      const TensorRecord& b = tensors[base_id_of(tensors, r.tensor)];
      if (b.storage != static_cast<uint8_t>(Storage::kArena) || b.last_op != last_op_index)
        return malformed(EDGEAE_MESSAGE("a graph output must live in the arena until the last op"),
                         k);
    }
  }

  // Ops in execution order: shapes, def-before-use, live ranges.
  for (uint32_t i = 0; i < op_count; ++i) {
    const format::OpRecord& op = ops[i];
    if (!name_ok(op.name)) return malformed(EDGEAE_MESSAGE("op name out of bounds"), i);
    if (op.input_count > format::kMaxOpInputs)
      return malformed(EDGEAE_MESSAGE("too many op inputs"), i);
    const TensorRecord* in[format::kMaxOpInputs] = {};
    for (uint32_t k = 0; k < format::kMaxOpInputs; ++k) {
      const uint32_t id = op.inputs[k];
      if (id == format::kNoId) continue;
      if (id >= tensor_count) return malformed(EDGEAE_MESSAGE("op input is not a tensor id"), i);
      const uint32_t base_id = base_id_of(tensors, id);
      const TensorRecord& b = tensors[base_id];
      if (b.storage == static_cast<uint8_t>(Storage::kArena)) {
        // A non-input arena tensor is written by the op at its first_op (checked below).
        if (base_id == op.output || (!is_graph_input(base_id) && b.first_op >= i))
          return malformed(EDGEAE_MESSAGE("op reads a tensor not written before it"), i);
        if (i < b.first_op || i > b.last_op)
          return malformed(EDGEAE_MESSAGE("op reads a tensor outside its live range"), i);
      }
      in[k] = &tensors[id];
    }
    const TensorRecord* slope = nullptr;
    if (op.act_slope != format::kNoId) {
      if (op.act_slope >= tensor_count ||
          tensors[op.act_slope].storage != static_cast<uint8_t>(Storage::kConstant))
        return malformed(EDGEAE_MESSAGE("PRelu slope must be a constant tensor"), i);
      slope = &tensors[op.act_slope];
    }
    DType dtype;
    Dims dims;
    const eae_op_impl* impl = nullptr;
    Status s = infer_output(op_impls, op, in, slope, &impl, &dtype, &dims);
    if (!s.ok()) return Status{s.code, s.message, i};
    if (op.output >= tensor_count)
      return malformed(EDGEAE_MESSAGE("op output is not a tensor id"), i);
    const TensorRecord& out = tensors[op.output];
    if (out.storage != static_cast<uint8_t>(Storage::kArena))
      return malformed(EDGEAE_MESSAGE("op output must be an arena tensor"), i);
    if (is_graph_input(op.output))
      return malformed(EDGEAE_MESSAGE("op overwrites a graph input"), i);
    if (out.first_op != i)
      return malformed(EDGEAE_MESSAGE("op output's live range must start at its op"), i);
    if (out.dtype != static_cast<uint8_t>(dtype) || out.rank != dims.rank ||
        memcmp(out.dims, dims.d, sizeof dims.d) != 0)
      return malformed(EDGEAE_MESSAGE("op output shape differs from what the op computes"), i);
    const TensorRecord* quant = nullptr;
    if (op.quant != format::kNoId) {
      if (op.quant >= tensor_count)
        return malformed(EDGEAE_MESSAGE("op quant is not a tensor id"), i);
      quant = &tensors[op.quant];
    }
    const bool quant_const = quant && quant->storage == static_cast<uint8_t>(Storage::kConstant);
    // A quantized layer's weights and bias are constants: the loader checks
    // the bias against the accumulator bound.
    const auto type = static_cast<format::OpType>(op.type);
    const bool layer = type == format::OpType::kDense || type == format::OpType::kConv ||
                       type == format::OpType::kConvTranspose;
    const bool bias_const =
        layer && in[2] && in[2]->storage == static_cast<uint8_t>(Storage::kConstant);
    if (layer && out.dtype != static_cast<uint8_t>(DType::kFloat32) &&
        (in[1]->storage != static_cast<uint8_t>(Storage::kConstant) || (in[2] && !bias_const)))
      return malformed(EDGEAE_MESSAGE("a quantized layer's weights and bias must be constants"), i);
    QuantConstants constants;
    const uint8_t* const_base = const_sec ? base + const_sec->offset : base;
    if (quant_const) constants.quant = const_base + quant->offset;
    if (bias_const) constants.bias = const_base + in[2]->offset;
    if (layer && in[1]->storage == static_cast<uint8_t>(Storage::kConstant))
      constants.weights = const_base + in[1]->offset;
    s = check_quant(*impl, op, in, out, quant, constants);
    if (!s.ok()) return Status{s.code, s.message, i};
    if (op.scratch_bytes != 0 && (!aligned(op.scratch_offset, format::kTensorAlign) ||
                                  !fits(op.scratch_offset, op.scratch_bytes, arena)))
      return malformed(EDGEAE_MESSAGE("op scratch outside the arena"), i);
  }

  // Every arena tensor is a graph input or the output of the op that starts
  // its live range; then no two tensors live at once may share a byte.
  for (uint32_t i = 0; i < tensor_count; ++i) {
    const TensorRecord& t = tensors[i];
    if (t.storage != static_cast<uint8_t>(Storage::kArena) || is_graph_input(i)) continue;
    if (op_count == 0 || ops[t.first_op].output != i)
      return malformed(EDGEAE_MESSAGE("arena tensor is never written"), i);
  }
  for (uint32_t i = 0; i < tensor_count; ++i) {
    const TensorRecord& a = tensors[i];
    if (a.storage != static_cast<uint8_t>(Storage::kArena)) continue;
    for (uint32_t j = i + 1; j < tensor_count; ++j) {
      const TensorRecord& b = tensors[j];
      if (b.storage == static_cast<uint8_t>(Storage::kArena) && ranges_meet(a, b) &&
          bytes_overlap(a.offset, a.bytes, b.offset, b.bytes))
        return malformed(EDGEAE_MESSAGE("memory plan: live tensors overlap"), j);
    }
    for (uint32_t k = 0; k < op_count; ++k) {
      const format::OpRecord& op = ops[k];
      if (op.scratch_bytes != 0 && k >= a.first_op && k <= a.last_op &&
          bytes_overlap(a.offset, a.bytes, op.scratch_offset, op.scratch_bytes))
        return malformed(EDGEAE_MESSAGE("memory plan: op scratch overlaps a live tensor"), k);
    }
  }

  header_ = header;
  tensors_ = tensors;
  ops_ = ops;
  io_ = io;
  constants_ = const_sec ? base + const_sec->offset : base;
  strings_ = string_sec ? reinterpret_cast<const char*>(base + string_sec->offset) : nullptr;
  op_impls_ = op_impls;
  strings_bytes_ = string_bytes;
  tensor_count_ = tensor_count;
  op_count_ = op_count;
  input_count_ = inputs;
  output_count_ = outputs;
  return Status::Ok();
}

const eae_op_impl& Model::impl_of(const format::OpRecord& op) const {
  return *op_impls_[detail::op_slot(op.type, detail::op_form(tensors_[op.output].dtype))];
}

size_t Model::arena_bytes() const {
  return header_ ? static_cast<size_t>(header_->arena_bytes) : 0;
}

const char* Model::name_at(uint32_t offset) const {
  return (strings_ && offset < strings_bytes_) ? strings_ + offset : "";
}

TensorInfo Model::info_of(const format::IoRecord& r) const {
  const TensorRecord& t = tensors_[r.tensor];
  TensorInfo info;
  info.dtype = static_cast<DType>(t.dtype);
  info.rank = t.rank;
  memcpy(info.dims, t.dims, sizeof info.dims);
  info.scale = t.scale;
  info.zero_point = t.zero_point;
  info.name = name_at(r.name);
  return info;
}

TensorInfo Model::input(size_t i) const {
  return i < input_count_ ? info_of(io_[i]) : TensorInfo{};
}

TensorInfo Model::output(size_t i) const {
  return i < output_count_ ? info_of(io_[input_count_ + i]) : TensorInfo{};
}

}  // namespace edgeae
