#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace edgeae::io {
namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::string& path, int err) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(err));
}

// Closes the fd (if still open) and unlinks the temporary unless released.
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!name_.empty()) ::unlink(name_.c_str());
  }

  // Creates a fresh temporary next to `path`. Returns 0 or an errno value.
  int create(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    const std::string prefix = path + ".tmp." + std::to_string(static_cast<long>(::getpid())) + ".";
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string name = prefix + std::to_string(counter.fetch_add(1));
      int fd;
      do {
        fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      } while (fd < 0 && errno == EINTR);
      if (fd >= 0) {
        fd_ = fd;
        name_ = std::move(name);
        return 0;
      }
      if (errno != EEXIST) return errno;  // stale temporary with our name: try the next one
    }
    return EEXIST;
  }

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

  // Closes the descriptor, returning 0 or an errno value.
  int close() {
    const int fd = fd_;
    fd_ = -1;
    // Linux always releases the descriptor, even on EINTR: never retry close.
    return ::close(fd) == 0 ? 0 : errno;
  }
  void release() { name_.clear(); }  // after a successful rename

 private:
  int fd_ = -1;
  std::string name_;
};

int write_all(int fd, const uint8_t* p, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return 0;
}

// Makes the rename itself durable. Best effort: the new file is already in
// place when this runs, so a failure here is not reported.
void fsync_parent_dir(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// Writes the bytes to a durable temporary next to `path`, ready to rename.
void stage(const std::string& path, const void* data, size_t size, TempFile& tmp) {
  if (path.empty()) throw std::runtime_error("cannot write '': empty path");
  if (data == nullptr && size > 0) throw std::runtime_error("cannot write " + path + ": null data");
  if (int err = tmp.create(path)) throw_errno("cannot create temporary file for", path, err);
  if (int err = write_all(tmp.fd(), static_cast<const uint8_t*>(data), size)) {
    throw_errno("cannot write", path, err);
  }
  int err;
  do {
    err = ::fsync(tmp.fd()) == 0 ? 0 : errno;
  } while (err == EINTR);
  if (err) throw_errno("cannot fsync", path, err);
  if (int close_err = tmp.close()) throw_errno("cannot write", path, close_err);
}

void commit(const std::string& path, TempFile& tmp) {
  if (::rename(tmp.name().c_str(), path.c_str()) != 0)
    throw_errno("cannot rename over", path, errno);
  tmp.release();
  fsync_parent_dir(path);
}

}  // namespace

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  TempFile tmp;
  stage(path, data, size, tmp);
  commit(path, tmp);
}

void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files) {
  // Stage every file before renaming any: a failure while staging leaves
  // every target untouched (the temporaries unlink themselves).
  std::vector<TempFile> temps(files.size());
  for (size_t i = 0; i < files.size(); ++i)
    stage(files[i].first, files[i].second.data(), files[i].second.size(), temps[i]);
  for (size_t i = 0; i < files.size(); ++i) commit(files[i].first, temps[i]);
}

void write_file_atomic(const std::string& path, const std::string& text) {
  write_file_atomic(path, text.data(), text.size());
}

std::vector<uint8_t> read_file(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) throw_errno("cannot open", path, errno);

  std::vector<uint8_t> bytes;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    bytes.reserve(static_cast<size_t>(st.st_size));
  }
  // Read to EOF rather than trusting st_size (pipes, /proc, files that change).
  uint8_t buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw_errno("cannot read", path, err);
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), buf, buf + n);
  }
  ::close(fd);
  return bytes;
}

}  // namespace edgeae::io
