// The edgeae command line: one binary, git-style subcommands. Each command
// takes its arguments (after the subcommand name), returns the exit code, and
// reports errors by throwing CliError / ConvertError / NpyError with a
// one-line message (main prints it to stderr and exits non-zero).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "blob/graph_builder.hpp"
#include "edgeae/edgeae.hpp"
#include "io/npy.hpp"
#include "quant/quantize.hpp"

namespace edgeae::cli {

class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Args = std::vector<std::string>;

int cmd_convert(const Args& args);
int cmd_run(const Args& args);
int cmd_inspect(const Args& args);
int cmd_eval(const Args& args);
int cmd_bench(const Args& args);
int cmd_pca(const Args& args);

// The kernel set EDGEAE_KERNELS names (unset or "auto": the best); throws
// CliError for a set this build or CPU lacks.
const KernelSet* kernels_from_environment();

// A loaded blob and the bytes it lives in (the model points into them).
struct LoadedModel {
  std::vector<uint8_t> bytes;
  Model model;
};
// Reads and validates a .eab file; throws CliError naming the file and the
// loader's message.
void load_model_file(const std::string& path, LoadedModel& out);

// NAME.h and NAME.c (path, text) holding the blob as an aligned const array
// and NAME_ARENA_BYTES as a compile-time constant.
std::vector<std::pair<std::string, std::string>> emit_c(const std::string& name,
                                                        const std::vector<uint8_t>& blob,
                                                        uint64_t arena_bytes);

// Fixed point (quant_report.cpp): a number option; a progress bar on a
// terminal (nothing otherwise); calibration samples from a .npy shaped like
// `edgeae run` inputs; the per-layer SNR table on stderr; and
// `inspect Q.eab --compare CALIB.npy --against MODEL.onnx`.
double parse_number(const std::string& text, const char* option);
quant::Progress progress_bar(const char* what);
quant::Samples samples_for(const blob::Blob& float_blob, const io::NpyArray& data,
                           const std::string& path);
void print_snr_report(const quant::SnrReport& r, double target_db, bool mixed);
int inspect_compare(const std::string& blob_path, const std::string& calib_path,
                    const std::string& onnx_path);

}  // namespace edgeae::cli
