#include "sim/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace capsim::sim {

namespace {

void sync_path(const std::filesystem::path& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) return;  // best effort: some file systems refuse directories
  ::fsync(fd);
  ::close(fd);
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error("cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path&)>& write) {
  std::filesystem::path temporary = target;
  temporary += ".tmp-" + std::to_string(::getpid());
  try {
    write(temporary);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  sync_path(temporary, false);
  if (std::rename(temporary.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    errno = saved;
    fail("rename the finished file to", target);
  }
  std::filesystem::path directory = target.parent_path();
  if (directory.empty()) directory = ".";
  sync_path(directory, true);
}

void write_text_atomically(const std::filesystem::path& target, std::string_view text) {
  write_atomically(target, [&](const std::filesystem::path& path) {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (!file) fail("create", path);
    const bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
    if (std::fclose(file) != 0 || !ok) fail("write", path);
  });
}

}  // namespace capsim::sim
