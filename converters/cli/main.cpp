// edgeae: convert | run | inspect | eval. See README.md for the contract.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <map>

#include "blob/dsp_pairs.hpp"
#include "cli/commands.hpp"
#include "convert.hpp"
#include "io/atomic_file.hpp"
#include "io/npy.hpp"
#include "pca/pca.hpp"

namespace edgeae::cli {
namespace {

const char* const kUsage =
    "usage: edgeae <command> [options]\n"
    "\n"
    "commands:\n"
    "  convert MODEL.onnx -o OUT.eab [--precision float32|int8|int16|mixed]\n"
    "          [--calibration CALIB.npy] [--percentile P] [--target-snr DB]\n"
    "          [--weights int8|int16] [--int8-layout quads|dsp-pairs] [--emit-c NAME]\n"
    "          [--input-shape NAME=D0,D1,...]\n"
    "  run     MODEL.eab --input IN.npy --output OUT.npy\n"
    "  inspect MODEL.eab [--json] [--compare CALIB.npy --against MODEL.onnx]\n"
    "  eval    MODEL.eab --input X.npy --target Y.npy [--peak P] [--json]\n"
    "  bench   MODEL.eab [--seconds S] [--json]\n"
    "  pca     DATA.npy --components K -o OUT.eab [--precision float32|int8|int16|mixed]\n"
    "          [--int8-layout quads|dsp-pairs] [--emit-c NAME]\n"
    "\n"
    "EDGEAE_KERNELS=reference|sse4.1|avx2|avx512|avx512-vnni|neon|neon-dot|auto picks the\n"
    "kernel set (default auto).\n"
    "\n"
    "'edgeae <command> --help' describes one command.\n";

const std::map<std::string, const char*> kHelp = {
    {"convert",
     "usage: edgeae convert MODEL.onnx -o OUT.eab [--precision float32|int8|int16|mixed]\n"
     "                      [--calibration CALIB.npy] [--percentile P] [--target-snr DB]\n"
     "                      [--weights int8|int16] [--int8-layout quads|dsp-pairs]\n"
     "                      [--emit-c NAME] [--input-shape NAME=D0,...]\n"
     "Converts an ONNX model into an edgeae blob. A symbolic batch dimension becomes 1;\n"
     "other symbolic dimensions need --input-shape. --emit-c NAME also writes NAME.h and\n"
     "NAME.c with the blob as an aligned const array and NAME_ARENA_BYTES.\n"
     "int8/int16/mixed quantize with ranges measured by running the float model over\n"
     "CALIB.npy (shaped like `edgeae run` inputs): min/max, or the [100-P, P] percentiles.\n"
     "mixed: int8, with int16 activations where needed for the output to reach DB\n"
     "(default 30) dB SNR against the float model. Prints each layer's SNR on stderr.\n"
     "int8 layers have int8 weights; int16 layers int16 weights (16x16), or int8 ones\n"
     "with --weights int8 (16x8, as TFLite: half the weight bytes, ~40 dB at most).\n"
     "--int8-layout dsp-pairs stores int8 layer weights in DSP column pairs, the layout the\n"
     "Cortex-M DSP kernels (M4, M7, M33) read fastest; the default, quads, is the desktop,\n"
     "NEON and Helium kernels'. Either runs everywhere with the same outputs.\n"},
    {"run",
     "usage: edgeae run MODEL.eab --input IN.npy --output OUT.npy\n"
     "IN.npy is float32, C order, shaped [N, <model input shape without its batch axis>];\n"
     "each of the N samples runs through the model and OUT.npy holds [N, <output shape>].\n"},
    {"pca",
     "usage: edgeae pca DATA.npy --components K -o OUT.eab [--precision float32|int8|int16|mixed]\n"
     "                  [--emit-c NAME]\n"
     "Fits PCA to DATA ([N, sample shape...], float32) by SVD and writes the linear\n"
     "autoencoder as a blob: subtract the mean, encode to K components, decode, add the\n"
     "mean (the mean subtraction is folded into the encoder's bias). Its input and output\n"
     "have the sample shape; it runs anywhere a trained autoencoder runs. A fixed-point\n"
     "--precision is calibrated on DATA itself.\n"},
    {"bench",
     "usage: edgeae bench MODEL.eab [--seconds S] [--json]\n"
     "Times single-threaded batch-1 inference (zero inputs) after a warm-up for S seconds\n"
     "(default 2) and prints the median, p10 and p90 microseconds per inference.\n"
     "EDGEAE_KERNELS selects the kernel set.\n"},
    {"inspect",
     "usage: edgeae inspect MODEL.eab [--json]\n"
     "       edgeae inspect QUANTIZED.eab --compare CALIB.npy --against MODEL.onnx\n"
     "Prints the ops with shapes, parameters, MACs and precision, and the arena plan.\n"
     "--compare: the SNR of every layer's output of a quantized blob against the float\n"
     "model it was made from, over the samples of CALIB.npy.\n"},
    {"eval",
     "usage: edgeae eval MODEL.eab --input X.npy --target Y.npy [--peak P] [--json]\n"
     "Runs the model on X and prints MSE, PSNR and SNR of the outputs against Y, and of\n"
     "the inputs against Y when they have the same shape (so the gain is visible), plus\n"
     "the time per sample. PSNR uses peak P (default: the largest |Y|).\n"},
};

bool wants_help(const Args& args) {
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

// Parses "--flag value" options and positionals; unknown flags are errors.
struct Parsed {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::vector<std::string> repeated_input_shapes;
  bool json = false;
};

Parsed parse(const Args& args, const std::vector<std::string>& valued) {
  Parsed p;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      p.json = true;
    } else if (std::find(valued.begin(), valued.end(), a) != valued.end()) {
      if (i + 1 >= args.size()) throw CliError("option " + a + " needs a value");
      if (a == "--input-shape")
        p.repeated_input_shapes.push_back(args[++i]);
      else
        p.options[a] = args[++i];
    } else if (a.size() > 1 && a[0] == '-') {
      throw CliError("unknown option '" + a + "'");
    } else {
      p.positional.push_back(a);
    }
  }
  return p;
}

std::string require(const Parsed& p, const std::string& option) {
  auto it = p.options.find(option);
  if (it == p.options.end()) throw CliError("missing required option " + option);
  return it->second;
}

std::string one_positional(const Parsed& p, const char* what) {
  if (p.positional.size() != 1)
    throw CliError(std::string("expected exactly one ") + what + " argument");
  return p.positional[0];
}

std::pair<std::string, std::vector<int64_t>> parse_input_shape(const std::string& spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) throw CliError("--input-shape wants NAME=D0,D1,...");
  std::vector<int64_t> dims;
  std::string rest = spec.substr(eq + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    const size_t comma = rest.find(',', start);
    const std::string item =
        rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v <= 0)
      throw CliError("--input-shape: bad dimension '" + item + "'");
    dims.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {spec.substr(0, eq), dims};
}

// Writes OUT.eab, and NAME.h/NAME.c when emit_c_name is not empty: all of
// them or, on any failure, none.
void write_model_files(const std::string& out, const blob::Blob& blob,
                       const std::string& emit_c_name) {
  std::vector<std::pair<std::string, std::string>> files = {
      {out, std::string(blob.bytes.begin(), blob.bytes.end())}};
  if (!emit_c_name.empty())
    for (auto& f : emit_c(emit_c_name, blob.bytes, blob.arena_bytes)) files.push_back(f);
  io::write_files_atomic(files);
}

// --precision (default float32) of convert and pca.
convert::Precision precision_option(const Parsed& p) {
  const std::string name = p.options.count("--precision") ? p.options.at("--precision") : "float32";
  const std::map<std::string, convert::Precision> precisions = {
      {"float32", convert::Precision::kFloat32},
      {"int8", convert::Precision::kInt8},
      {"int16", convert::Precision::kInt16},
      {"mixed", convert::Precision::kMixed}};
  if (!precisions.count(name))
    throw CliError("--precision must be float32, int8, int16 or mixed, not '" + name + "'");
  return precisions.at(name);
}

// --int8-layout (default quads) of convert and pca: true for dsp-pairs.
bool int8_layout_option(const Parsed& p, convert::Precision precision) {
  if (!p.options.count("--int8-layout")) return false;
  const std::string name = p.options.at("--int8-layout");
  if (name != "quads" && name != "dsp-pairs")
    throw CliError("--int8-layout must be quads or dsp-pairs, not '" + name + "'");
  if (precision == convert::Precision::kFloat32 || precision == convert::Precision::kInt16)
    throw CliError(
        "--int8-layout lays out int8 layers: it is only used with --precision int8|mixed");
  return name == "dsp-pairs";
}

void repack_dsp_pairs(blob::Blob& blob) {
  try {
    const uint32_t layers = blob::repack_int8_dsp_pairs(blob.bytes);
    std::cerr << "int8 layout: " << layers << " layer(s) in DSP column pairs\n";
  } catch (const std::runtime_error& e) {
    throw CliError(std::string("--int8-layout dsp-pairs: ") + e.what());
  }
}

}  // namespace

const KernelSet* kernels_from_environment() {
  const char* name = std::getenv("EDGEAE_KERNELS");
  if (!name || !*name || std::strcmp(name, "auto") == 0) return best_kernels();
  const KernelSet* set = find_kernel_set(name);
  if (!set) {
    std::string known;
    for (size_t i = 0; i < kernel_set_count(); ++i)
      known += std::string(i ? ", " : "") + kernel_set_name(kernel_set(i));
    throw CliError(std::string("EDGEAE_KERNELS=") + name + " is not available here (" + known +
                   ", auto)");
  }
  return set;
}

void load_model_file(const std::string& path, LoadedModel& out) {
  try {
    out.bytes = io::read_file(path);
  } catch (const std::runtime_error& e) {
    throw CliError(e.what());
  }
  const Status s = out.model.load(out.bytes.data(), out.bytes.size());
  if (!s.ok()) {
    std::string where =
        s.index == Status::kNoIndex ? "" : " (record " + std::to_string(s.index) + ")";
    throw CliError(path + ": " + s.message + where);
  }
}

int cmd_convert(const Args& args) {
  const Parsed p = parse(args, {"-o", "--precision", "--calibration", "--emit-c", "--input-shape",
                                "--percentile", "--target-snr", "--weights", "--int8-layout"});
  const std::string model = one_positional(p, "MODEL.onnx");
  const std::string out = require(p, "-o");
  convert::Options options;
  const convert::Precision precision = precision_option(p);
  options.precision = precision;
  const bool quantized = options.precision != convert::Precision::kFloat32;
  for (const char* o : {"--calibration", "--percentile"})
    if (!quantized && p.options.count(o))
      throw CliError(std::string(o) + " is only used with --precision int8|int16|mixed");
  if (p.options.count("--weights") && !quantized)
    throw CliError("--weights is only used with --precision int16|mixed");
  const bool dsp_pairs = int8_layout_option(p, precision);
  if (p.options.count("--target-snr") && options.precision != convert::Precision::kMixed)
    throw CliError("--target-snr is only used with --precision mixed");
  for (const std::string& spec : p.repeated_input_shapes) {
    auto [name, dims] = parse_input_shape(spec);
    options.import.input_shapes[name] = dims;
  }
  blob::Blob blob;
  if (!quantized) {
    blob = convert::convert_onnx_file(model, options);
  } else {
    const std::string calib_path = require(p, "--calibration");
    quant::QuantizeOptions q;
    if (p.options.count("--percentile"))
      q.percentile = parse_number(p.options.at("--percentile"), "--percentile");
    if (p.options.count("--target-snr"))
      q.target_snr_db = parse_number(p.options.at("--target-snr"), "--target-snr");
    if (p.options.count("--weights")) {
      const std::string w = p.options.at("--weights");
      if (w != "int8" && w != "int16") throw CliError("--weights must be int8 or int16");
      if (options.precision == convert::Precision::kInt8 && w == "int16")
        throw CliError("--weights int16 needs int16 data (--precision int16 or mixed)");
      q.int16_weights = w == "int16";
    }
    q.progress = progress_bar("calibrating");
    q.log = [](const std::string& line) { std::cerr << line << "\n"; };
    const blob::Blob float_blob = convert::float_blob_for_quantization_file(model, options.import);
    const io::NpyArray calib = io::read_npy(calib_path);
    const quant::Samples samples = samples_for(float_blob, calib, calib_path);
    convert::QuantizedModel qm =
        convert::convert_quantized(float_blob, samples, options.precision, q);
    print_snr_report(qm.report, q.target_snr_db, options.precision == convert::Precision::kMixed);
    blob = std::move(qm.blob);
  }
  if (dsp_pairs) repack_dsp_pairs(blob);
  write_model_files(out, blob, p.options.count("--emit-c") ? p.options.at("--emit-c") : "");
  std::cerr << "wrote " << out << ": " << blob.bytes.size() << " bytes, arena " << blob.arena_bytes
            << " bytes (lower bound " << blob.arena_lower_bound << ")\n";
  return 0;
}

namespace {

// Splits [N, sample...] data against a model tensor of shape [B, sample...]
// into N / B batches.
size_t batches_for(const io::NpyArray& a, const TensorInfo& t, const std::string& file) {
  const std::string want = [&] {
    std::string s = "[N";
    for (uint32_t k = 1; k < t.rank; ++k) s += "," + std::to_string(t.dims[k]);
    return s + "]";
  }();
  bool ok = t.rank >= 1 && a.shape.size() == t.rank;
  for (uint32_t k = 1; ok && k < t.rank; ++k) ok = a.shape[k] == t.dims[k];
  if (ok) ok = a.shape[0] % t.dims[0] == 0 && a.shape[0] > 0;
  if (!ok) {
    std::string got = "[";
    for (size_t k = 0; k < a.shape.size(); ++k) got += (k ? "," : "") + std::to_string(a.shape[k]);
    throw CliError(
        file + ": shape " + got + "] does not match the model input " + want +
        (t.rank && t.dims[0] != 1 ? " with N a multiple of " + std::to_string(t.dims[0]) : ""));
  }
  return static_cast<size_t>(a.shape[0] / t.dims[0]);
}

struct RunResult {
  std::vector<float> output;
  std::vector<uint64_t> shape;
  double seconds = 0;
  size_t samples = 0;
};

RunResult run_all(const LoadedModel& lm, const io::NpyArray& in, const std::string& file) {
  const Model& m = lm.model;
  if (m.input_count() != 1 || m.output_count() != 1)
    throw CliError("edgeae run handles models with one input and one output");
  const TensorInfo ti = m.input(0), to = m.output(0);
  const size_t batches = batches_for(in, ti, file);
  const size_t in_n = ti.element_count(), out_n = to.element_count();
  std::vector<uint8_t> arena(m.arena_bytes());
  Session s;
  Status st = s.init(m, arena.data(), arena.size(), kernels_from_environment());
  if (!st.ok()) throw CliError(st.message);
  RunResult r;
  r.output.resize(batches * out_n);
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t b = 0; b < batches; ++b) {
    st = s.set_input(0, in.data.data() + b * in_n, in_n);
    if (st.ok()) st = s.run();
    if (st.ok()) st = s.get_output(0, r.output.data() + b * out_n, out_n);
    if (!st.ok()) throw CliError(st.message);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.shape.push_back(batches * to.dims[0]);
  for (uint32_t k = 1; k < to.rank; ++k) r.shape.push_back(to.dims[k]);
  r.samples = static_cast<size_t>(in.shape[0]);
  return r;
}

struct Errors {
  double mse = 0, psnr = 0, snr = 0;
};

Errors compare(const std::vector<float>& x, const std::vector<float>& ref, double peak) {
  double err = 0, sig = 0;
  for (size_t k = 0; k < ref.size(); ++k) {
    const double d = static_cast<double>(x[k]) - ref[k];
    err += d * d;
    sig += static_cast<double>(ref[k]) * ref[k];
  }
  Errors e;
  e.mse = err / static_cast<double>(ref.size());
  e.psnr = 10.0 * std::log10(peak * peak / e.mse);
  e.snr = 10.0 * std::log10(sig / err);
  return e;
}

}  // namespace

int cmd_run(const Args& args) {
  const Parsed p = parse(args, {"--input", "--output"});
  const std::string model_path = one_positional(p, "MODEL.eab");
  const std::string in_path = require(p, "--input"), out_path = require(p, "--output");
  LoadedModel lm;
  load_model_file(model_path, lm);
  const io::NpyArray in = io::read_npy(in_path);
  const RunResult r = run_all(lm, in, in_path);
  io::write_npy(out_path, r.shape, r.output.data());
  return 0;
}

int cmd_eval(const Args& args) {
  const Parsed p = parse(args, {"--input", "--target", "--peak"});
  const std::string model_path = one_positional(p, "MODEL.eab");
  LoadedModel lm;
  load_model_file(model_path, lm);
  const std::string in_path = require(p, "--input"), target_path = require(p, "--target");
  const io::NpyArray in = io::read_npy(in_path);
  const io::NpyArray target = io::read_npy(target_path);
  const RunResult r = run_all(lm, in, in_path);
  if (target.shape != r.shape)
    throw CliError(target_path + ": shape differs from the model's outputs");
  double peak = 0;
  for (float v : target.data) peak = std::max(peak, static_cast<double>(std::fabs(v)));
  if (p.options.count("--peak")) {
    const std::string text = p.options.at("--peak");
    char* end = nullptr;
    peak = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(peak > 0) || !std::isfinite(peak))
      throw CliError("--peak wants a positive number, not '" + text + "'");
  }
  if (!(peak > 0)) throw CliError("--peak must be positive (or the target must not be all zeros)");
  const Errors out = compare(r.output, target.data, peak);
  const bool has_input = in.shape == target.shape;
  const Errors inp = has_input ? compare(in.data, target.data, peak) : Errors{};
  const double us = 1e6 * r.seconds / static_cast<double>(r.samples);
  // JSON has no infinity: a perfect match (MSE 0, PSNR inf) is written null.
  auto num = [](double v) {
    if (!std::isfinite(v)) return std::string("null");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return std::string(buf);
  };
  auto errors_json = [&](const Errors& e) {
    return "{\"mse\": " + num(e.mse) + ", \"psnr_db\": " + num(e.psnr) +
           ", \"snr_db\": " + num(e.snr) + "}";
  };
  if (p.json) {
    std::string j = "{\"samples\": " + std::to_string(r.samples) +
                    ", \"us_per_sample\": " + num(us) + ", \"kernels\": \"" +
                    kernel_set_name(kernels_from_environment()) + "\", \"peak\": " + num(peak) +
                    ", \"output\": " + errors_json(out);
    if (has_input)
      j += ", \"input\": " + errors_json(inp) + ", \"psnr_gain_db\": " + num(out.psnr - inp.psnr);
    std::printf("%s}\n", j.c_str());
    return 0;
  }
  std::printf("%zu samples, %.2f us per sample (single thread, batch 1, %s kernels)\n", r.samples,
              us, kernel_set_name(kernels_from_environment()));
  std::printf("%-8s %12s %10s %10s\n", "", "MSE", "PSNR dB", "SNR dB");
  if (has_input) std::printf("%-8s %12.6f %10.2f %10.2f\n", "input", inp.mse, inp.psnr, inp.snr);
  std::printf("%-8s %12.6f %10.2f %10.2f\n", "output", out.mse, out.psnr, out.snr);
  if (has_input && std::isfinite(out.psnr - inp.psnr))
    std::printf("PSNR gain: %+.2f dB\n", out.psnr - inp.psnr);
  return 0;
}

int cmd_pca(const Args& args) {
  const Parsed p = parse(args, {"-o", "--components", "--precision", "--emit-c", "--int8-layout"});
  const std::string data_path = one_positional(p, "DATA.npy");
  const std::string out = require(p, "-o");
  const std::string k_text = require(p, "--components");
  char* end = nullptr;
  const long k = std::strtol(k_text.c_str(), &end, 10);
  if (k_text.empty() || *end != '\0' || k <= 0 || k > (1L << 20))
    throw CliError("--components wants a positive integer, not '" + k_text + "'");
  const convert::Precision precision = precision_option(p);
  const bool dsp_pairs = int8_layout_option(p, precision);
  const io::NpyArray data = io::read_npy(data_path);
  if (data.shape.size() < 2) throw CliError(data_path + ": PCA wants [N, sample shape...] data");
  std::vector<uint32_t> sample_shape;
  uint64_t dims = 1;
  for (size_t a = 1; a < data.shape.size(); ++a) {
    if (data.shape[a] > 0xFFFFFFFFu) throw CliError(data_path + ": dimension too large");
    sample_shape.push_back(static_cast<uint32_t>(data.shape[a]));
    dims *= data.shape[a];
  }
  if (data.shape[0] > 0xFFFFFFFFu || dims > 0xFFFFFFFFu) throw CliError(data_path + ": too large");
  pca::Fit fit;
  blob::Blob blob;
  try {
    fit = pca::fit(data.data, static_cast<uint32_t>(data.shape[0]), static_cast<uint32_t>(dims),
                   static_cast<uint32_t>(k));
    blob = pca::to_blob(fit, sample_shape);
  } catch (const std::invalid_argument& e) {
    throw CliError(e.what());
  }
  if (precision != convert::Precision::kFloat32) {
    // The fitted data calibrates its own fixed-point form.
    quant::QuantizeOptions q;
    q.progress = progress_bar("calibrating");
    q.log = [](const std::string& line) { std::cerr << line << "\n"; };
    convert::QuantizedModel qm = convert::convert_quantized(
        blob, {data.data.data(), static_cast<size_t>(data.shape[0])}, precision, q);
    print_snr_report(qm.report, q.target_snr_db, precision == convert::Precision::kMixed);
    blob = std::move(qm.blob);
  }
  if (dsp_pairs) repack_dsp_pairs(blob);
  write_model_files(out, blob, p.options.count("--emit-c") ? p.options.at("--emit-c") : "");
  double kept = 0;
  for (double v : fit.explained_variance) kept += v;
  std::fprintf(stderr,
               "wrote %s: %zu bytes, %u of %llu components keep %.6g of the data's variance "
               "%.6g (%.2f %%)\n",
               out.c_str(), blob.bytes.size(), fit.count, static_cast<unsigned long long>(dims),
               kept, fit.total_variance,
               fit.total_variance > 0 ? 100.0 * kept / fit.total_variance : 100.0);
  return 0;
}

}  // namespace edgeae::cli

int main(int argc, char** argv) {
  using namespace edgeae::cli;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  const Args args(argv + 2, argv + argc);
  const std::map<std::string, int (*)(const Args&)> commands = {
      {"convert", cmd_convert}, {"run", cmd_run},     {"inspect", cmd_inspect},
      {"eval", cmd_eval},       {"bench", cmd_bench}, {"pca", cmd_pca}};
  auto it = commands.find(command);
  if (it == commands.end()) {
    std::fprintf(stderr, "edgeae: unknown command '%s'\n%s", command.c_str(), kUsage);
    return 2;
  }
  if (wants_help(args)) {
    std::fputs(kHelp.at(command), stdout);
    return 0;
  }
  try {
    return it->second(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgeae %s: %s\n", command.c_str(), e.what());
    return 1;
  }
}
