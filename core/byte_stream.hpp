// Reading a user's file as a stream of bytes, decompressing as it goes: plain
// files, gzip, bzip2, xz and zstd streams, and zip archives holding one file
// (libarchive does the decompression). The kind is told by the file's first
// bytes, not its name. Memory stays flat whatever the file's size.
#pragma once

#include <cstddef>
#include <string>

struct archive;  // libarchive's handle

namespace capsim {

class ByteStream {
 public:
  // Opens `path`; throws InputError naming it when it is missing, not a
  // regular file, unreadable or a compressed file libarchive cannot open.
  explicit ByteStream(const std::string& path);
  ~ByteStream();
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;

  // Reads up to `size` bytes into `out`; returns 0 at the end. Throws
  // InputError on a read or decompression error (a truncated .gz, say) and
  // when a zip archive holds more than one file.
  std::size_t read(char* out, std::size_t size);

  const std::string& file() const { return file_; }
  // "gzip", "zip", ... or "" for a plain file.
  const std::string& compression() const { return compression_; }

 private:
  std::string file_;
  std::string compression_;
  int fd_ = -1;
  ::archive* archive_ = nullptr;
  bool ended_ = false;
};

}  // namespace capsim
