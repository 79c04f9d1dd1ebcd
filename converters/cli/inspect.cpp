// edgeae inspect: what a blob holds, as a table or JSON.
#include <cstdio>
#include <cstring>
#include <sstream>

#include "cli/commands.hpp"
#include "edgeae/shape_rules.hpp"

namespace edgeae::cli {
namespace {

using format::OpType;
using format::TensorRecord;

const char* dtype_name(uint8_t d) {
  switch (static_cast<format::DType>(d)) {
    case format::DType::kFloat32:
      return "float32";
    case format::DType::kInt8:
      return "int8";
    case format::DType::kInt16:
      return "int16";
    case format::DType::kInt32:
      return "int32";
    case format::DType::kInt64:
      return "int64";
  }
  return "?";
}

const char* storage_name(uint8_t s) {
  switch (static_cast<format::Storage>(s)) {
    case format::Storage::kArena:
      return "arena";
    case format::Storage::kConstant:
      return "constant";
    case format::Storage::kAlias:
      return "view";
  }
  return "?";
}

const char* activation_name(uint8_t a) {
  static const char* const kNames[] = {"none", "Relu", "LeakyRelu",   "Sigmoid",
                                       "Tanh", "Clip", "HardSigmoid", "PRelu"};
  return a < 8 ? kNames[a] : "?";
}

std::string dims_text(const TensorRecord& t) {
  std::string s = "[";
  for (uint32_t k = 0; k < t.rank; ++k) s += (k ? "," : "") + std::to_string(t.dims[k]);
  return s + "]";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// "scale S zero point Z" for an int8/int16 tensor ("" otherwise): what
// real = scale * (q - zero_point) needs, e.g. to feed raw ADC codes.
std::string quantization_text(const TensorRecord& t) {
  if (t.dtype != static_cast<uint8_t>(format::DType::kInt8) &&
      t.dtype != static_cast<uint8_t>(format::DType::kInt16))
    return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "scale %.9g zero point %d", static_cast<double>(t.scale),
                t.zero_point);
  return buf;
}

// The op's parameters in a short human form, e.g. "k=1x3 s=1x2 p=0,1,0,1 d=1x1 g=1".
std::string params_text(const format::OpRecord& op) {
  std::ostringstream s;
  switch (static_cast<OpType>(op.type)) {
    case OpType::kDense: {
      const auto p = format::params_as<format::DenseParams>(op);
      s << "trans_a=" << p.trans_a << " trans_b=" << p.trans_b;
      if (p.b_packing != 0)
        s << " packed(" << (p.b_packing == 2 ? "DSP pairs" : "quads") << ", blocks of " << p.b_block
          << ")";
      break;
    }
    case OpType::kConv:
    case OpType::kConvTranspose: {
      const auto p = format::params_as<format::ConvParams>(op);
      s << "k=" << p.kernel[0] << "x" << p.kernel[1] << " s=" << p.stride[0] << "x" << p.stride[1]
        << " pads=" << p.pad_begin[0] << "," << p.pad_begin[1] << "," << p.pad_end[0] << ","
        << p.pad_end[1] << " d=" << p.dilation[0] << "x" << p.dilation[1] << " g=" << p.groups;
      if (op.type == static_cast<uint16_t>(OpType::kConvTranspose))
        s << " out_pad=" << p.output_padding[0] << "x" << p.output_padding[1];
      if (p.w_packing != 0)
        s << " packed(" << (p.w_packing == 2 ? "DSP pairs" : "quads") << ", blocks of " << p.w_block
          << ")";
      break;
    }
    case OpType::kMaxPool:
    case OpType::kAveragePool: {
      const auto p = format::params_as<format::PoolParams>(op);
      s << "k=" << p.kernel[0] << "x" << p.kernel[1] << " s=" << p.stride[0] << "x" << p.stride[1]
        << " pads=" << p.pad_begin[0] << "," << p.pad_begin[1] << "," << p.pad_end[0] << ","
        << p.pad_end[1] << " ceil=" << p.ceil_mode << " include_pad=" << p.count_include_pad;
      break;
    }
    case OpType::kConcat:
      s << "axis=" << format::params_as<format::ConcatParams>(op).axis;
      break;
    case OpType::kResize: {
      const auto p = format::params_as<format::ResizeParams>(op);
      s << "scale=";
      for (int k = 0; k < 6 && p.scale[k]; ++k) s << (k ? "x" : "") << p.scale[k];
      break;
    }
    case OpType::kTranspose: {
      const auto p = format::params_as<format::TransposeParams>(op);
      s << "perm=" << p.perm[0] << "," << p.perm[1] << "," << p.perm[2] << "," << p.perm[3];
      break;
    }
    default:
      break;
  }
  if (op.activation) s << (s.tellp() > 0 ? " " : "") << "act=" << activation_name(op.activation);
  return s.str();
}

}  // namespace

int cmd_inspect(const std::vector<std::string>& args) {
  bool json = false;
  std::string path, compare, against;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--compare" || a == "--against") {
      if (i + 1 >= args.size()) throw CliError("option " + a + " needs a value");
      (a == "--compare" ? compare : against) = args[++i];
    } else if (!a.empty() && a[0] == '-')
      throw CliError("unknown option '" + a + "'");
    else if (path.empty())
      path = a;
    else
      throw CliError("expected exactly one MODEL.eab argument");
  }
  if (path.empty()) throw CliError("expected exactly one MODEL.eab argument");
  if (!compare.empty() || !against.empty()) {
    if (compare.empty() || against.empty())
      throw CliError("--compare CALIB.npy needs --against MODEL.onnx (the float model)");
    return inspect_compare(path, compare, against);
  }
  LoadedModel lm;
  load_model_file(path, lm);
  const Model& m = lm.model;
  uint64_t total_macs = 0, weight_bytes = 0;
  for (uint32_t i = 0; i < m.op_count(); ++i) total_macs += op_macs(m, m.op(i));
  for (uint32_t t = 0; t < m.tensor_count(); ++t)
    if (m.tensor(t).storage == static_cast<uint8_t>(format::Storage::kConstant))
      weight_bytes += m.tensor(t).bytes;
  const auto& h = m.header();
  auto tensor_label = [&](uint32_t id) {
    const char* name = m.name_at(m.tensor(id).name);
    return std::string(*name ? name : ("t" + std::to_string(id)).c_str());
  };

  if (json) {
    std::ostringstream o;
    o << "{\"format_version\": \"" << h.version_major << "." << h.version_minor
      << "\", \"file_bytes\": " << h.file_bytes << ", \"weight_bytes\": " << weight_bytes
      << ", \"macs\": " << total_macs << ", \"arena\": {\"bytes\": " << h.arena_bytes
      << ", \"lower_bound\": " << h.arena_lower_bound << ", \"tensors\": [";
    bool first = true;
    for (uint32_t t = 0; t < m.tensor_count(); ++t) {
      const TensorRecord& r = m.tensor(t);
      if (r.storage != static_cast<uint8_t>(format::Storage::kArena)) continue;
      o << (first ? "" : ", ") << "{\"id\": " << t << ", \"name\": " << json_string(tensor_label(t))
        << ", \"offset\": " << r.offset << ", \"bytes\": " << r.bytes
        << ", \"first_op\": " << r.first_op << ", \"last_op\": " << r.last_op << "}";
      first = false;
    }
    o << "]}, \"ops\": [";
    for (uint32_t i = 0; i < m.op_count(); ++i) {
      const format::OpRecord& op = m.op(i);
      o << (i ? ", " : "") << "{\"index\": " << i
        << ", \"type\": " << json_string(op_type_name(static_cast<OpType>(op.type)))
        << ", \"name\": " << json_string(m.name_at(op.name)) << ", \"inputs\": [";
      for (uint32_t k = 0; k < op.input_count; ++k) {
        if (op.inputs[k] == format::kNoId) continue;
        o << (k ? ", " : "") << json_string(dims_text(m.tensor(op.inputs[k])));
      }
      o << "], \"output\": " << json_string(dims_text(m.tensor(op.output)))
        << ", \"precision\": " << json_string(dtype_name(m.tensor(op.output).dtype))
        << ", \"params\": " << json_string(params_text(op)) << ", \"macs\": " << op_macs(m, op)
        << "}";
    }
    o << "], \"inputs\": [";
    for (size_t i = 0; i < m.input_count(); ++i) {
      const TensorInfo t = m.input(i);
      o << (i ? ", " : "") << "{\"name\": " << json_string(t.name)
        << ", \"dtype\": " << json_string(dtype_name(static_cast<uint8_t>(t.dtype)))
        << ", \"elements\": " << t.element_count() << ", \"scale\": " << t.scale
        << ", \"zero_point\": " << t.zero_point << "}";
    }
    o << "], \"outputs\": [";
    for (size_t i = 0; i < m.output_count(); ++i) {
      const TensorInfo t = m.output(i);
      o << (i ? ", " : "") << "{\"name\": " << json_string(t.name)
        << ", \"dtype\": " << json_string(dtype_name(static_cast<uint8_t>(t.dtype)))
        << ", \"elements\": " << t.element_count() << ", \"scale\": " << t.scale
        << ", \"zero_point\": " << t.zero_point << "}";
    }
    o << "]}\n";
    std::fputs(o.str().c_str(), stdout);
    return 0;
  }

  std::printf(
      "%s: edgeae blob v%u.%u, %llu bytes (%llu of weights), %llu MACs per inference\n",
      path.c_str(), h.version_major, h.version_minor, static_cast<unsigned long long>(h.file_bytes),
      static_cast<unsigned long long>(weight_bytes), static_cast<unsigned long long>(total_macs));
  for (size_t i = 0; i < m.input_count(); ++i)
    std::printf("input  %s %s %s\n", m.input(i).name,
                dtype_name(static_cast<uint8_t>(m.input(i).dtype)),
                quantization_text(m.tensor(m.input_tensor(i))).c_str());
  for (size_t i = 0; i < m.output_count(); ++i)
    std::printf("output %s %s %s\n", m.output(i).name,
                dtype_name(static_cast<uint8_t>(m.output(i).dtype)),
                quantization_text(m.tensor(m.output_tensor(i))).c_str());
  std::printf("\n%-4s %-18s %-9s %-28s %-16s %12s  %s\n", "op", "type", "precision", "inputs",
              "output", "MACs", "params");
  for (uint32_t i = 0; i < m.op_count(); ++i) {
    const format::OpRecord& op = m.op(i);
    std::string ins;
    for (uint32_t k = 0; k < op.input_count; ++k)
      if (op.inputs[k] != format::kNoId)
        ins += (ins.empty() ? "" : " ") + dims_text(m.tensor(op.inputs[k]));
    std::printf("%-4u %-18s %-9s %-28s %-16s %12llu  %s\n", i,
                op_type_name(static_cast<OpType>(op.type)), dtype_name(m.tensor(op.output).dtype),
                ins.c_str(), dims_text(m.tensor(op.output)).c_str(),
                static_cast<unsigned long long>(op_macs(m, op)), params_text(op).c_str());
  }
  std::printf("\narena: %llu bytes (lower bound %llu, ratio %.3f)\n",
              static_cast<unsigned long long>(h.arena_bytes),
              static_cast<unsigned long long>(h.arena_lower_bound),
              h.arena_lower_bound
                  ? static_cast<double>(h.arena_bytes) / static_cast<double>(h.arena_lower_bound)
                  : 1.0);
  std::printf("%-6s %-28s %-9s %10s %10s %6s  %s\n", "tensor", "name", "storage", "offset", "bytes",
              "live", "quantization");
  for (uint32_t t = 0; t < m.tensor_count(); ++t) {
    const TensorRecord& r = m.tensor(t);
    if (r.storage == static_cast<uint8_t>(format::Storage::kConstant)) continue;
    if (r.storage == static_cast<uint8_t>(format::Storage::kAlias)) {
      std::printf("%-6u %-28s %-9s %10s %10llu   of t%u\n", t, tensor_label(t).c_str(),
                  storage_name(r.storage), "-", static_cast<unsigned long long>(r.bytes),
                  r.alias_of);
      continue;
    }
    std::printf("%-6u %-28s %-9s %10llu %10llu %3u-%u  %s\n", t, tensor_label(t).c_str(),
                storage_name(r.storage), static_cast<unsigned long long>(r.offset),
                static_cast<unsigned long long>(r.bytes), r.first_op, r.last_op,
                quantization_text(r).c_str());
  }
  return 0;
}

}  // namespace edgeae::cli
