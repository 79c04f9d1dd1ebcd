// Tests for write_file_atomic/read_file (converters/io/atomic_file): the
// target is either the old file or the complete new one, errors name the path
// and leave no temporary files behind.
#include "io/atomic_file.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace edgeae::io {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

std::string read_text(const std::string& path) {
  const std::vector<uint8_t> b = read_file(path);
  return std::string(b.begin(), b.end());
}

std::string error_of(const std::string& path, const std::string& text) {
  try {
    write_file_atomic(path, text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("atomic_file: writes, replaces and reads back") {
  TempDir dir;
  const std::string path = dir.file("out.bin");
  write_file_atomic(path, std::string("first version, rather long"));
  CHECK(read_text(path) == "first version, rather long");
  write_file_atomic(path, std::string("second"));
  CHECK(read_text(path) == "second");

  std::vector<uint8_t> big(3 << 20);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 131 + (i >> 12));
  write_file_atomic(path, big.data(), big.size());
  CHECK(read_file(path) == big);

  write_file_atomic(path, nullptr, 0);
  CHECK(read_file(path).empty());
  CHECK(fs::file_size(path) == 0);
  CHECK(dir.entries() == std::vector<std::string>{"out.bin"});
}

TEST_CASE("atomic_file: a missing directory throws and creates nothing") {
  TempDir dir;
  const std::string path = dir.file("missing/out.bin");
  const std::string msg = error_of(path, "data");
  CHECK(msg.find(path) != std::string::npos);
  CHECK(msg.find("No such file or directory") != std::string::npos);
  CHECK(dir.entries().empty());
  CHECK_THROWS_AS(write_file_atomic("", std::string("x")), std::runtime_error);
}

TEST_CASE("atomic_file: a target that cannot be replaced is left untouched") {
  TempDir dir;
  // The target is a directory: rename() fails after the data was written.
  const std::string target = dir.file("target");
  fs::create_directory(target);
  write_file_atomic(target + "/inside.txt", std::string("keep me"));
  const std::string msg = error_of(target, "new content");
  CHECK(msg.find(target) != std::string::npos);
  CHECK(msg.find("Is a directory") != std::string::npos);
  CHECK(fs::is_directory(target));
  CHECK(read_text(target + "/inside.txt") == "keep me");
  CHECK(dir.entries() == std::vector<std::string>{"target"});
}

// Lowers RLIMIT_FSIZE so writes past `limit` bytes fail with EFBIG, like a
// full disk; SIGXFSZ is ignored meanwhile. Restores both on destruction.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t limit) {
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old_) == 0);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit lowered = old_;
    lowered.rlim_cur = limit;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lowered) == 0);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

TEST_CASE("atomic_file: a write that fails midway keeps the old content") {
  TempDir dir;
  const std::string path = dir.file("model.eab");
  write_file_atomic(path, std::string("old content"));
  const std::vector<uint8_t> big(1 << 20, 0xab);
  std::string msg;
  {
    FileSizeLimit limit(64 << 10);  // the temporary stops growing at 64 KiB
    try {
      write_file_atomic(path, big.data(), big.size());
    } catch (const std::runtime_error& e) {
      msg = e.what();
    }
  }
  CHECK(msg == "cannot write " + path + ": File too large");
  CHECK(read_text(path) == "old content");
  CHECK(dir.entries() == std::vector<std::string>{"model.eab"});
}

TEST_CASE("atomic_file: concurrent writers each leave a complete file") {
  TempDir dir;
  const std::string path = dir.file("shared.txt");
  std::vector<std::string> contents;
  for (int t = 0; t < 8; ++t)
    contents.push_back(std::string(10000 + t, static_cast<char>('a' + t)));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) write_file_atomic(path, contents[static_cast<size_t>(t)]);
    });
  }
  for (auto& th : threads) th.join();
  const std::string final_text = read_text(path);
  CHECK(std::find(contents.begin(), contents.end(), final_text) != contents.end());
  CHECK(dir.entries() == std::vector<std::string>{"shared.txt"});
}

TEST_CASE("atomic_file: read_file errors name the path and the reason") {
  TempDir dir;
  const std::string missing = dir.file("nope");
  CHECK_THROWS_WITH_AS(read_file(missing),
                       ("cannot open " + missing + ": No such file or directory").c_str(),
                       std::runtime_error);
  const std::string d = dir.file("");
  CHECK_THROWS_WITH_AS(read_file(d), ("cannot read " + d + ": Is a directory").c_str(),
                       std::runtime_error);
}

}  // namespace
}  // namespace edgeae::io
