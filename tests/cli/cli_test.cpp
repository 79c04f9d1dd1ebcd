// The `edgeae` command line, run as a subprocess: help and usage, one-line
// errors with a non-zero exit for every kind of bad invocation, the digits
// model end to end against PyTorch, --emit-c, inspect --json, and that a
// failing command leaves no partial output behind.
//
// The tool is found next to this test binary: build/<preset>/tests/edgeae_tests
// and build/<preset>/converters/edgeae; the repository root is three levels up.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "blob/dsp_pairs.hpp"
#include "edgeae/edgeae.hpp"
#include "edgeae/kernel_sets.hpp"
#include "io/npy.hpp"
#include "support/temp_dir.hpp"

namespace edgeae {
namespace {

namespace fs = std::filesystem;

fs::path test_dir() {
  return fs::read_symlink("/proc/self/exe").parent_path();
}
std::string tool() {
  return (test_dir().parent_path() / "converters" / "edgeae").string();
}
std::string repo(const std::string& rel) {
  return (test_dir().parent_path().parent_path().parent_path() / rel).lexically_normal().string();
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

using testing::TempDir;

struct Result {
  int code = -1;
  std::string out, err;
};

// Runs `edgeae ARGS` (ARGS already shell-quoted where needed), with the
// environment assignments ENV ("VAR=value ...") for this run only.
Result run_tool(const TempDir& dir, const std::string& args, const std::string& env = "") {
  static int counter = 0;
  const std::string out = dir.file(".stdout" + std::to_string(counter));
  const std::string err = dir.file(".stderr" + std::to_string(counter++));
  std::string cmd = env + (env.empty() ? "" : " ") + quote(tool()) + " " + args;
  cmd += " >" + quote(out) + " 2>" + quote(err);
  const int status = std::system(cmd.c_str());
  Result r;
  REQUIRE(status != -1);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text(out);
  r.err = read_text(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

bool one_line(const std::string& s) {
  return !s.empty() && s.back() == '\n' && std::count(s.begin(), s.end(), '\n') == 1;
}
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A failing command: non-zero exit (and not a crash), a single stderr line
// that contains every one of `parts`.
void check_fails_with(const Result& r, const std::vector<std::string>& parts) {
  INFO("stderr: ", r.err);
  CHECK(r.code != 0);
  CHECK(r.code < 128);  // exited, was not killed by a signal
  CHECK(one_line(r.err));
  for (const std::string& p : parts) CHECK(contains(r.err, p));
}

const std::string kDigitsOnnx = "models/digits_dae/digits_dae.onnx";
const std::string kDigitsNoisy = "models/digits_dae/test_noisy.npy";
const std::string kDigitsTorch = "models/digits_dae/test_torch_out.npy";

// Converts the digits model into DIR/m.eab.
std::string convert_digits(const TempDir& dir) {
  const std::string eab = dir.file("m.eab");
  const Result r = run_tool(dir, "convert " + quote(repo(kDigitsOnnx)) + " -o " + quote(eab));
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  REQUIRE(fs::exists(eab));
  return eab;
}

// A .npy with any descr (little endian, C order) and raw data bytes.
std::string npy_bytes(const std::string& descr, const std::vector<uint64_t>& shape,
                      const std::string& data) {
  std::string dims;
  for (size_t k = 0; k < shape.size(); ++k) dims += (k ? ", " : "") + std::to_string(shape[k]);
  if (shape.size() == 1) dims += ",";
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const size_t total = 10 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  const std::string s = read_text(path);
  return std::vector<uint8_t>(s.begin(), s.end());
}

// A PSNR field of `edgeae eval --json` (text starting at its value) is at
// least `db`; null stands for an exact match (infinite PSNR).
bool psnr_at_least(const std::string& value, double db) {
  return value.rfind("null", 0) == 0 || std::stod(value) >= db;
}

uint64_t header_arena(const std::string& eab) {
  const std::vector<uint8_t> bytes = file_bytes(eab);
  Model m;
  const Status s = m.load(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(s.ok(), s.message);
  CHECK(m.arena_bytes() == m.header().arena_bytes);
  return m.header().arena_bytes;
}

// ---------------------------------------------------------------- help, usage

TEST_CASE("cli: every subcommand's --help exits 0 and prints its usage") {
  TempDir dir;
  for (const char* cmd : {"convert", "run", "inspect", "eval"}) {
    CAPTURE(cmd);
    for (const char* flag : {"--help", "-h"}) {
      const Result r = run_tool(dir, std::string(cmd) + " " + flag);
      CHECK(r.code == 0);
      CHECK(contains(r.out, std::string("usage: edgeae ") + cmd));
      CHECK(r.err.empty());
    }
  }
  const Result top = run_tool(dir, "--help");
  CHECK(top.code == 0);
  CHECK(contains(top.out, "usage: edgeae <command>"));
  for (const char* cmd : {"convert", "run", "inspect", "eval"}) CHECK(contains(top.out, cmd));
}

TEST_CASE("cli: no arguments exits non-zero with the usage") {
  TempDir dir;
  const Result r = run_tool(dir, "");
  CHECK(r.code != 0);
  CHECK(r.code < 128);
  CHECK(contains(r.err, "usage: edgeae <command>"));
  CHECK(r.out.empty());
}

// ------------------------------------------------------------ error messages

TEST_CASE("cli: an unknown command") {
  TempDir dir;
  const Result r = run_tool(dir, "frobnicate x");
  CHECK(r.code != 0);
  CHECK(r.code < 128);
  const std::string first = r.err.substr(0, r.err.find('\n'));
  CHECK(contains(first, "unknown command 'frobnicate'"));
}

TEST_CASE("cli: an unknown option") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  check_fails_with(run_tool(dir, "run " + quote(eab) + " --bogus"), {"unknown option '--bogus'"});
  check_fails_with(run_tool(dir, "inspect " + quote(eab) + " --verbose"), {"'--verbose'"});
  check_fails_with(run_tool(dir, "convert " + quote(repo(kDigitsOnnx)) + " -o " +
                                     quote(dir.file("x.eab")) + " --optimize"),
                   {"'--optimize'"});
  CHECK_FALSE(fs::exists(dir.file("x.eab")));
}

TEST_CASE("cli: a missing required option or option value") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const std::string in = quote(repo(kDigitsNoisy));
  check_fails_with(run_tool(dir, "run " + quote(eab) + " --input " + in),
                   {"missing required option --output"});
  check_fails_with(run_tool(dir, "run " + quote(eab) + " --output " + quote(dir.file("o.npy"))),
                   {"--input"});
  check_fails_with(run_tool(dir, "convert " + quote(repo(kDigitsOnnx))), {"-o"});
  check_fails_with(run_tool(dir, "run " + quote(eab) + " --input"), {"--input", "needs a value"});
  check_fails_with(run_tool(dir, "eval " + quote(eab) + " --input " + in), {"--target"});
  check_fails_with(run_tool(dir, "inspect"), {"MODEL.eab"});
  CHECK_FALSE(fs::exists(dir.file("o.npy")));
}

TEST_CASE("cli: a missing input file") {
  TempDir dir;
  const std::string missing = dir.file("nope.onnx");
  check_fails_with(run_tool(dir, "convert " + quote(missing) + " -o " + quote(dir.file("out.eab"))),
                   {missing});
  CHECK_FALSE(fs::exists(dir.file("out.eab")));
  check_fails_with(run_tool(dir, "inspect " + quote(dir.file("nope.eab"))), {"nope.eab"});
  const std::string eab = convert_digits(dir);
  check_fails_with(run_tool(dir, "run " + quote(eab) + " --input " + quote(dir.file("nope.npy")) +
                                     " --output " + quote(dir.file("o.npy"))),
                   {"nope.npy"});
  CHECK_FALSE(fs::exists(dir.file("o.npy")));
}

TEST_CASE("cli: a .npy of the wrong dtype") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const std::string in = dir.file("int64.npy");
  write_bytes(in, npy_bytes("<i8", {2, 64}, std::string(2 * 64 * 8, '\0')));
  check_fails_with(run_tool(dir, "run " + quote(eab) + " --input " + quote(in) + " --output " +
                                     quote(dir.file("o.npy"))),
                   {"int64.npy", "<i8"});
  CHECK_FALSE(fs::exists(dir.file("o.npy")));
  // float64 is accepted (converted on read).
  const std::string f64 = dir.file("f64.npy");
  std::string data(2 * 64 * 8, '\0');
  for (size_t k = 0; k < 128; ++k) {
    const double v = 0.01 * static_cast<double>(k);
    std::memcpy(&data[k * 8], &v, 8);
  }
  write_bytes(f64, npy_bytes("<f8", {2, 64}, data));
  const Result ok = run_tool(dir, "run " + quote(eab) + " --input " + quote(f64) + " --output " +
                                      quote(dir.file("o64.npy")));
  INFO("stderr: ", ok.err);
  CHECK(ok.code == 0);
  CHECK(io::read_npy(dir.file("o64.npy")).shape == std::vector<uint64_t>{2, 64});
}

TEST_CASE("cli: a .npy of the wrong shape") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  for (const std::vector<uint64_t>& shape :
       {std::vector<uint64_t>{3, 63}, std::vector<uint64_t>{64}, std::vector<uint64_t>{2, 8, 8},
        std::vector<uint64_t>{0, 64}}) {
    size_t n = 1;
    for (uint64_t d : shape) n *= d;
    const std::vector<float> zeros(n, 0.0f);
    const std::string in = dir.file("shape.npy");
    io::write_npy(in, shape, zeros.data());
    check_fails_with(run_tool(dir, "run " + quote(eab) + " --input " + quote(in) + " --output " +
                                       quote(dir.file("o.npy"))),
                     {"shape.npy", "does not match the model input"});
    CHECK_FALSE(fs::exists(dir.file("o.npy")));
  }
}

TEST_CASE("cli: a corrupted .eab") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const std::string good = read_text(eab);
  for (size_t at : {size_t{0}, size_t{9}, good.size() / 2, good.size() - 1}) {
    CAPTURE(at);
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x5A);
    const std::string path = dir.file("bad.eab");
    write_bytes(path, bad);
    check_fails_with(run_tool(dir, "inspect " + quote(path)), {"bad.eab"});
    check_fails_with(run_tool(dir, "run " + quote(path) + " --input " + quote(repo(kDigitsNoisy)) +
                                       " --output " + quote(dir.file("o.npy"))),
                     {"bad.eab"});
    CHECK_FALSE(fs::exists(dir.file("o.npy")));
  }
  // Truncated.
  write_bytes(dir.file("short.eab"), good.substr(0, good.size() / 3));
  check_fails_with(run_tool(dir, "inspect " + quote(dir.file("short.eab"))), {"short.eab"});
}

TEST_CASE("cli: an unusable model file for convert") {
  TempDir dir;
  write_bytes(dir.file("junk.onnx"), "this is not a protobuf");
  check_fails_with(run_tool(dir, "convert " + quote(dir.file("junk.onnx")) + " -o " +
                                     quote(dir.file("out.eab"))),
                   {"junk.onnx", "not an ONNX model"});
  CHECK_FALSE(fs::exists(dir.file("out.eab")));
}

TEST_CASE("cli: --precision int8/int16/mixed need calibration data of the input's shape") {
  TempDir dir;
  const std::string convert =
      "convert " + quote(repo(kDigitsOnnx)) + " -o " + quote(dir.file("q.eab"));
  for (const char* p : {"int8", "int16", "mixed"}) {
    CAPTURE(p);
    check_fails_with(run_tool(dir, convert + " --precision " + p), {"--calibration"});
    CHECK_FALSE(fs::exists(dir.file("q.eab")));
  }
  // 3 values per sample cannot feed a 64-value input.
  const std::vector<float> odd(3 * 5, 0.5f);
  io::write_npy(dir.file("odd.npy"), {5, 3}, odd.data());
  check_fails_with(
      run_tool(dir, convert + " --precision int8 --calibration " + quote(dir.file("odd.npy"))),
      {"odd.npy", "calibration data"});
  check_fails_with(run_tool(dir, convert + " --precision float99"), {"float99"});
  check_fails_with(run_tool(dir, convert + " --precision int8 --calibration " +
                                     quote(repo(kDigitsNoisy)) + " --target-snr 40"),
                   {"--target-snr", "mixed"});
  check_fails_with(run_tool(dir, convert + " --calibration " + quote(repo(kDigitsNoisy))),
                   {"--calibration", "int8"});
  CHECK_FALSE(fs::exists(dir.file("q.eab")));
}

TEST_CASE("cli: int8 convert reports per-layer SNR; inspect --compare repeats it; run works") {
  TempDir dir;
  const std::string q = dir.file("q.eab");
  const Result c =
      run_tool(dir, "convert " + quote(repo(kDigitsOnnx)) + " -o " + quote(q) +
                        " --precision int8 --calibration " + quote(repo(kDigitsNoisy)));
  INFO("stderr: ", c.err);
  REQUIRE(c.code == 0);
  CHECK(c.err.find("/decoder/decoder.3/Sigmoid") != std::string::npos);
  CHECK(c.err.find("model output SNR") != std::string::npos);
  const Result i = run_tool(dir, "inspect " + quote(q) + " --compare " + quote(repo(kDigitsNoisy)) +
                                     " --against " + quote(repo(kDigitsOnnx)));
  INFO("inspect stderr: ", i.err);
  REQUIRE(i.code == 0);
  // The same calibration data gives the same table.
  const auto table = [](const std::string& s) { return s.substr(s.find("layer (output")); };
  CHECK(table(i.err).substr(0, table(i.err).find("\n", table(i.err).find("model output"))) ==
        table(c.err).substr(0, table(c.err).find("\n", table(c.err).find("model output"))));
  check_fails_with(run_tool(dir, "inspect " + quote(q) + " --compare " + quote(repo(kDigitsNoisy))),
                   {"--against"});
  // inspect shows what feeding raw codes needs: the input's scale and zero
  // point (the digits are in [0, 1]: 1/255 and -128).
  const Result shown = run_tool(dir, "inspect " + quote(q));
  REQUIRE(shown.code == 0);
  CHECK(shown.out.find("input  noisy int8 scale 0.00392156") != std::string::npos);
  CHECK(shown.out.find("zero point -128") != std::string::npos);
  const Result r = run_tool(dir, "run " + quote(q) + " --input " + quote(repo(kDigitsNoisy)) +
                                     " --output " + quote(dir.file("out.npy")));
  REQUIRE(r.code == 0);
  CHECK(io::read_npy(dir.file("out.npy")).data.size() == 100 * 64);
}

// ------------------------------------------------------------- end to end

TEST_CASE("cli: convert then run the digits DAE matches PyTorch within 1e-4") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const std::string out = dir.file("out.npy");
  const Result r = run_tool(dir, "run " + quote(eab) + " --input " + quote(repo(kDigitsNoisy)) +
                                     " --output " + quote(out));
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  const io::NpyArray got = io::read_npy(out);
  const io::NpyArray want = io::read_npy(repo(kDigitsTorch));
  REQUIRE(got.shape == want.shape);
  REQUIRE(got.data.size() == want.data.size());
  REQUIRE(!got.data.empty());
  double worst = 0;
  for (size_t k = 0; k < got.data.size(); ++k)
    worst = std::max(worst, std::fabs(static_cast<double>(got.data[k]) - want.data[k]));
  CHECK(worst <= 1e-4);
  // The input is not the answer: the model does something.
  const io::NpyArray noisy = io::read_npy(repo(kDigitsNoisy));
  double moved = 0;
  for (size_t k = 0; k < got.data.size(); ++k)
    moved = std::max(moved, std::fabs(static_cast<double>(got.data[k]) - noisy.data[k]));
  CHECK(moved > 1e-2);
}

TEST_CASE("cli: eval --json against PyTorch's outputs gives a tiny MSE") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const Result r = run_tool(dir, "eval " + quote(eab) + " --input " + quote(repo(kDigitsNoisy)) +
                                     " --target " + quote(repo(kDigitsTorch)) + " --json");
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  const std::string key = "\"output\": {\"mse\": ";
  const size_t at = r.out.find(key);
  REQUIRE(at != std::string::npos);
  const double mse = std::strtod(r.out.c_str() + at + key.size(), nullptr);
  CHECK(mse >= 0.0);
  CHECK(mse <= 1e-8);  // every element within 1e-4
}

TEST_CASE("cli: eval --peak must be a whole positive number, not a prefix of one") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const std::string base = "eval " + quote(eab) + " --input " + quote(repo(kDigitsNoisy)) +
                           " --target " + quote(repo(kDigitsTorch)) + " --json --peak ";
  for (const char* bad : {"abc", "1.0x", "0", "-1", "inf", "nan"})
    check_fails_with(run_tool(dir, base + quote(bad)), {"--peak wants a positive number", bad});
  const Result ok = run_tool(dir, base + "2.5");
  INFO("stderr: ", ok.err);
  REQUIRE(ok.code == 0);
  CHECK(contains(ok.out, "\"peak\": 2.5,"));
}

TEST_CASE("cli: --emit-c writes NAME.h with the arena size and NAME.c with the blob bytes") {
  TempDir dir;
  const std::string eab = dir.file("m.eab");
  const std::string name = dir.file("digits-model");
  const Result r = run_tool(dir, "convert " + quote(repo(kDigitsOnnx)) + " -o " + quote(eab) +
                                     " --emit-c " + quote(name));
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  const std::vector<uint8_t> blob = file_bytes(eab);
  const uint64_t arena = header_arena(eab);
  CHECK(arena > 0);

  const std::string h = read_text(name + ".h");
  CHECK(contains(h, "#define DIGITS_MODEL_ARENA_BYTES " + std::to_string(arena) + "u\n"));
  CHECK(contains(h, "#define DIGITS_MODEL_BLOB_BYTES " + std::to_string(blob.size()) + "u\n"));
  CHECK(contains(h, "digits_model_blob"));

  const std::string c = read_text(name + ".c");
  CHECK(contains(c, "#include \"digits-model.h\""));
  CHECK(contains(c, "aligned(16)"));
  const size_t open = c.find('{');
  REQUIRE(open != std::string::npos);
  std::vector<uint8_t> parsed;
  for (size_t p = c.find("0x", open); p != std::string::npos; p = c.find("0x", p + 2))
    parsed.push_back(static_cast<uint8_t>(std::strtoul(c.substr(p + 2, 2).c_str(), nullptr, 16)));
  CHECK(parsed.size() == blob.size());
  CHECK(parsed == blob);
}

TEST_CASE("cli: inspect --json parses and reports the header's arena bytes") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const uint64_t arena = header_arena(eab);
  const Result r = run_tool(dir, "inspect " + quote(eab) + " --json");
  REQUIRE(r.code == 0);
  const std::string json = dir.file("inspect.json");
  write_bytes(json, r.out);
  if (fs::exists("/usr/bin/python3")) {
    const std::string cmd =
        "/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[\"arena\"][\"bytes\"])' "
        "<" +
        quote(json) + " >" + quote(dir.file("arena.txt")) + " 2>&1";
    CHECK(std::system(cmd.c_str()) == 0);
    const std::string printed = read_text(dir.file("arena.txt"));
    INFO("python: ", printed);
    CHECK(printed == std::to_string(arena) + "\n");
  } else {
    // Without python: balanced braces/brackets outside strings, and the field.
    int depth = 0;
    bool in_string = false;
    for (size_t k = 0; k < r.out.size(); ++k) {
      const char ch = r.out[k];
      if (in_string) {
        if (ch == '\\')
          ++k;
        else if (ch == '"')
          in_string = false;
      } else if (ch == '"') {
        in_string = true;
      } else if (ch == '{' || ch == '[') {
        ++depth;
      } else if (ch == '}' || ch == ']') {
        CHECK(--depth >= 0);
      }
    }
    CHECK(depth == 0);
    CHECK(contains(r.out, "\"arena\": {\"bytes\": " + std::to_string(arena)));
  }
  // The text form says the same.
  const Result t = run_tool(dir, "inspect " + quote(eab));
  REQUIRE(t.code == 0);
  CHECK(contains(t.out, "arena: " + std::to_string(arena) + " bytes"));
}

// ---------------------------------------------------- no partial output

TEST_CASE("cli: a failing run leaves an existing OUT.npy unchanged") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const std::string out = dir.file("out.npy");
  const std::string before = "precious contents";
  write_bytes(out, before);
  const std::vector<float> bad(3 * 10, 1.0f);
  io::write_npy(dir.file("bad.npy"), {3, 10}, bad.data());
  check_fails_with(run_tool(dir, "run " + quote(eab) + " --input " + quote(dir.file("bad.npy")) +
                                     " --output " + quote(out)),
                   {"does not match"});
  CHECK(read_text(out) == before);
  // No temporary files left next to it either.
  CHECK(dir.entries() == std::vector<std::string>{"bad.npy", "m.eab", "out.npy"});
}

TEST_CASE("cli: output into a directory that does not exist fails and creates nothing") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const std::vector<std::string> before = dir.entries();
  const std::string missing = dir.file("no_such_dir");
  check_fails_with(run_tool(dir, "run " + quote(eab) + " --input " + quote(repo(kDigitsNoisy)) +
                                     " --output " + quote(missing + "/out.npy")),
                   {"no_such_dir"});
  check_fails_with(
      run_tool(dir, "convert " + quote(repo(kDigitsOnnx)) + " -o " + quote(missing + "/m.eab")),
      {"no_such_dir"});
  CHECK_FALSE(fs::exists(missing));
  CHECK(dir.entries() == before);
}

TEST_CASE("cli: a failing convert leaves an existing OUT.eab unchanged") {
  TempDir dir;
  const std::string out = dir.file("out.eab");
  write_bytes(out, "old blob");
  write_bytes(dir.file("junk.onnx"), std::string(100, '\x07'));
  check_fails_with(run_tool(dir, "convert " + quote(dir.file("junk.onnx")) + " -o " + quote(out)),
                   {"junk.onnx"});
  CHECK(read_text(out) == "old blob");
}

// Regression test, the bug was (converters/cli/main.cpp, cmd_convert): OUT.eab is written before
// emit_c runs, so `convert M.onnx -o OUT.eab --emit-c DIR/NAME` with a
// missing DIR exits 1 ("cannot create temporary file for DIR/NAME.h") but
// leaves a fresh OUT.eab behind (and would replace an existing one). A
// failure in writing NAME.c after NAME.h likewise leaves NAME.h. Expected:
// a failing command changes no output file.
TEST_CASE("cli: convert with an unwritable --emit-c target writes no .eab") {
  TempDir dir;
  const std::string eab = dir.file("m.eab");
  check_fails_with(run_tool(dir, "convert " + quote(repo(kDigitsOnnx)) + " -o " + quote(eab) +
                                     " --emit-c " + quote(dir.file("no_such_dir/name"))),
                   {"no_such_dir"});
  CHECK_FALSE(fs::exists(eab));
  CHECK(dir.entries().empty());
}

TEST_CASE("cli: EDGEAE_KERNELS picks the kernel set, and an unknown one is an error") {
  TempDir dir;
  const std::string eab = convert_digits(dir);
  const std::string args = "eval " + quote(eab) + " --input " + quote(repo(kDigitsNoisy)) +
                           " --target " + quote(repo(kDigitsTorch)) + " --json";
  const Result ref = run_tool(dir, args, "EDGEAE_KERNELS=reference");
  const Result best = run_tool(dir, args);
  INFO("stderr: ", ref.err, best.err);
  REQUIRE(ref.code == 0);
  REQUIRE(best.code == 0);
  CHECK(contains(ref.out, "\"kernels\": \"reference\""));
  CHECK(
      contains(best.out, std::string("\"kernels\": \"") + kernel_set_name(best_kernels()) + "\""));
  // Both match PyTorch's outputs closely: the eval's PSNR against them is high.
  for (const Result* r : {&ref, &best}) {
    const size_t at = r->out.find("\"psnr_db\": ");
    REQUIRE(at != std::string::npos);
    CHECK(psnr_at_least(r->out.substr(at + 11), 100.0));
  }
  check_fails_with(run_tool(dir, args, "EDGEAE_KERNELS=avx9000"), {"EDGEAE_KERNELS=avx9000"});
}

TEST_CASE("cli: pca writes a linear-autoencoder blob that reconstructs its data") {
  TempDir dir;
  const std::string data = dir.file("data.npy"), eab = dir.file("pca.eab");
  std::vector<float> x(200 * 6);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float((i * 7919) % 101) / 101.0f;
  io::write_npy(data, {200, 6}, x.data());
  const Result ok = run_tool(dir, "pca " + quote(data) + " --components 6 -o " + quote(eab));
  INFO("stderr: ", ok.err);
  REQUIRE(ok.code == 0);
  CHECK(contains(ok.err, "6 of 6 components"));
  // All components: the reconstruction is the data (PSNR against it is high).
  const Result ev = run_tool(dir, "eval " + quote(eab) + " --input " + quote(data) + " --target " +
                                      quote(data) + " --json");
  REQUIRE(ev.code == 0);
  const size_t at = ev.out.find("\"psnr_db\": ");
  REQUIRE(at != std::string::npos);
  CHECK(psnr_at_least(ev.out.substr(at + 11), 100.0));
  check_fails_with(run_tool(dir, "pca " + quote(data) + " --components 7 -o " + quote(eab)),
                   {"--components", "min(N, D) = 6"});
  check_fails_with(run_tool(dir, "pca " + quote(data) + " --components two -o " + quote(eab)),
                   {"--components"});
}

TEST_CASE("cli: --int8-layout dsp-pairs repacks the quantized blob; bad uses are refused") {
  TempDir dir;
  const std::string convert = "convert " + quote(repo(kDigitsOnnx)) +
                              " --precision int8 --calibration " + quote(repo(kDigitsNoisy)) +
                              " -o ";
  const std::string quads = dir.file("quads.eab"), pairs = dir.file("pairs.eab");
  Result r = run_tool(dir, convert + quote(quads));
  REQUIRE(r.code == 0);
  r = run_tool(dir, convert + quote(pairs) + " --int8-layout dsp-pairs");
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.err, "4 layer(s) in DSP column pairs"));  // the digits DAE's 4 Dense
  std::vector<uint8_t> repacked = file_bytes(quads);
  CHECK(blob::repack_int8_dsp_pairs(repacked) == 4);
  CHECK(file_bytes(pairs) == repacked);
  r = run_tool(dir, convert + quote(dir.file("q2.eab")) + " --int8-layout quads");
  REQUIRE(r.code == 0);
  CHECK(file_bytes(dir.file("q2.eab")) == file_bytes(quads));
  // bench says a pairs blob runs the reference here, and says nothing of quads.
  r = run_tool(dir, "bench " + quote(pairs) + " --seconds 0.05");
  REQUIRE(r.code == 0);
  CHECK(contains(r.err, "4 int8 layer(s) have their weights in DSP column pairs"));
  r = run_tool(dir, "bench " + quote(quads) + " --seconds 0.05");
  REQUIRE(r.code == 0);
  CHECK_FALSE(contains(r.err, "DSP column pairs"));

  check_fails_with(run_tool(dir, convert + quote(dir.file("bad.eab")) + " --int8-layout bad"),
                   {"--int8-layout", "quads or dsp-pairs", "'bad'"});
  check_fails_with(run_tool(dir, "convert " + quote(repo(kDigitsOnnx)) + " -o " +
                                     quote(dir.file("bad.eab")) + " --int8-layout dsp-pairs"),
                   {"--int8-layout", "--precision int8"});
  CHECK_FALSE(fs::exists(dir.file("bad.eab")));

  // pca: the same option, the same refusals.
  const std::string data = dir.file("data.npy");
  std::vector<float> x(100 * 6);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float((i * 7919) % 101) / 101.0f;
  io::write_npy(data, {100, 6}, x.data());
  const std::string pca = "pca " + quote(data) + " --components 3 -o ";
  r = run_tool(dir, pca + quote(dir.file("pca.eab")) + " --precision int8 --int8-layout dsp-pairs");
  INFO("stderr: ", r.err);
  REQUIRE(r.code == 0);
  CHECK(contains(r.err, "in DSP column pairs"));
  CHECK(!contains(r.err, " 0 layer(s)"));
  check_fails_with(run_tool(dir, pca + quote(dir.file("bad.eab")) + " --int8-layout dsp-pairs"),
                   {"--int8-layout", "--precision"});
  // int16 has no int8 layers to lay out.
  check_fails_with(run_tool(dir, pca + quote(dir.file("bad.eab")) +
                                     " --precision int16 --int8-layout dsp-pairs"),
                   {"--int8-layout", "int8|mixed"});
  check_fails_with(
      run_tool(dir, pca + quote(dir.file("bad.eab")) + " --precision int8 --int8-layout quad"),
      {"--int8-layout", "'quad'"});
  CHECK_FALSE(fs::exists(dir.file("bad.eab")));
}

}  // namespace
}  // namespace edgeae
