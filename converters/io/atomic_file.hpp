// Whole-file host I/O for the converter and the `edgeae` tool.
//
// write_file_atomic() never leaves a partial or clobbered file behind: the
// bytes go to a temporary file in the same directory (PATH.tmp.<pid>.<n>,
// created with O_EXCL), which is flushed, fsync'ed and then renamed over
// PATH. rename() is atomic on POSIX file systems, so readers see either the
// old file or the complete new one. On any error the temporary is removed
// and a std::runtime_error naming PATH and strerror(errno) is thrown.
//
// The new file gets mode 0666 & ~umask (like a plain fopen), not the mode of
// the file it replaces. Linux/POSIX only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace edgeae::io {

void write_file_atomic(const std::string& path, const void* data, size_t size);
void write_file_atomic(const std::string& path, const std::string& text);
// Writes several files so that a failure before all are staged changes none
// of them (each is written to a temporary first; then all are renamed).
void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files);

// Reads the whole file. Throws std::runtime_error "cannot open PATH: reason"
// (or "cannot read PATH: reason", e.g. for a directory).
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace edgeae::io
