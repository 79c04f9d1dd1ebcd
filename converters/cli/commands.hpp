// The edgeae command line: one binary, git-style subcommands. Each command
// takes its arguments (after the subcommand name), returns the exit code, and
// reports errors by throwing CliError / ConvertError / NpyError with a
// one-line message (main prints it to stderr and exits non-zero).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgeae/edgeae.hpp"

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

// Multiply-accumulates of one op (0 for data movement).
uint64_t op_macs(const Model& m, const format::OpRecord& op);

}  // namespace edgeae::cli
