#include "core/byte_stream.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"

namespace capsim {

namespace {

// The compression of a file from its first bytes, or "" when it has none
// that capsim reads.
std::string sniff(const unsigned char* head, std::size_t size) {
  const auto starts = [&](std::initializer_list<unsigned char> magic) {
    if (size < magic.size()) return false;
    return std::equal(magic.begin(), magic.end(), head);
  };
  if (starts({0x1f, 0x8b})) return "gzip";
  if (starts({'B', 'Z', 'h'})) return "bzip2";
  if (starts({0xfd, '7', 'z', 'X', 'Z', 0x00})) return "xz";
  if (starts({0x28, 0xb5, 0x2f, 0xfd})) return "zstd";
  if (starts({'P', 'K', 0x03, 0x04})) return "zip";
  return "";
}

}  // namespace

ByteStream::ByteStream(const std::string& path) : file_(path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError({file_, 0, 0}, "", "an existing file", "no such file");
  if (std::filesystem::is_directory(path, ec)) throw InputError({file_, 0, 0}, "", "a file", "a directory");
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError({file_, 0, 0}, "", "a regular file", "a device, pipe or socket");
  }
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw InputError({file_, 0, 0}, "", "a readable file", std::strerror(errno));
  unsigned char head[8] = {};
  const ssize_t got = ::pread(fd_, head, sizeof head, 0);
  compression_ = got > 0 ? sniff(head, static_cast<std::size_t>(got)) : "";
  if (compression_.empty()) return;

  archive_ = archive_read_new();
  if (archive_ == nullptr) throw std::bad_alloc();
  archive_read_support_filter_all(archive_);
  if (compression_ == "zip") {
    archive_read_support_format_zip(archive_);
  } else {
    archive_read_support_format_raw(archive_);
  }
  const auto fail = [&](const char* what) {
    const std::string message = archive_error_string(archive_) ? archive_error_string(archive_) : what;
    archive_read_free(archive_);
    archive_ = nullptr;
    throw InputError({file_, 0, 0}, "", "a readable " + compression_ + " file", message);
  };
  // libarchive reads through its own descriptor of the file.
  if (archive_read_open_filename(archive_, path.c_str(), 1 << 16) != ARCHIVE_OK) fail("it cannot be opened");
  struct archive_entry* entry = nullptr;
  const int status = archive_read_next_header(archive_, &entry);
  if (status == ARCHIVE_EOF) {
    if (compression_ == "zip") fail("an empty archive");
    ended_ = true;
  } else if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
    fail("no readable entry");
  }
  ::close(fd_);
  fd_ = -1;
}

ByteStream::~ByteStream() {
  if (archive_ != nullptr) archive_read_free(archive_);
  if (fd_ >= 0) ::close(fd_);
}

std::size_t ByteStream::read(char* out, std::size_t size) {
  if (ended_ || size == 0) return 0;
  if (archive_ == nullptr) {
    while (true) {
      const ssize_t got = ::read(fd_, out, size);
      if (got >= 0) {
        if (got == 0) ended_ = true;
        return static_cast<std::size_t>(got);
      }
      if (errno != EINTR) throw InputError({file_, 0, 0}, "", "a readable file", std::strerror(errno));
    }
  }
  const la_ssize_t got = archive_read_data(archive_, out, size);
  if (got < 0) {
    const char* message = archive_error_string(archive_);
    throw InputError({file_, 0, 0}, "", "a readable " + compression_ + " file",
                     message ? std::string(message) : "a decompression error");
  }
  if (got == 0) {
    ended_ = true;
    if (compression_ == "zip") {
      struct archive_entry* entry = nullptr;
      if (archive_read_next_header(archive_, &entry) == ARCHIVE_OK) {
        throw InputError({file_, 0, 0}, "", "a zip archive holding one file",
                         "a second file, " + std::string(archive_entry_pathname(entry)));
      }
    }
  }
  return static_cast<std::size_t>(got);
}

}  // namespace capsim
