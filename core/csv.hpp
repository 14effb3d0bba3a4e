// A streaming reader of comma-separated records, shared by the trace readers.
// It holds one line at a time (memory stays flat however long the file is),
// counts lines for error messages, accepts RFC 4180 quoting within a line,
// skips blank lines and lines starting with '#', and refuses lines that are
// not text or longer than a limit.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace capsim {

class CsvReader {
 public:
  // Opens `path`; throws InputError when it cannot be read.
  explicit CsvReader(const std::string& path, char delimiter = ',', std::size_t max_line_bytes = 1u << 20);

  // Reads the next record into `fields` (views valid until the next call) and
  // returns true, or returns false at the end of the file.
  bool next(std::vector<std::string_view>& fields);
  // Line number of the record last returned (1-based).
  int line() const { return line_; }
  const std::string& file() const { return file_; }
  // The location of field `column` (0-based) of the last record.
  SourceLocation where(std::size_t column) const;

 private:
  bool read_line();

  std::string file_;
  std::ifstream in_;
  char delimiter_;
  std::size_t max_line_bytes_;
  std::vector<char> buffer_;
  std::size_t buffer_pos_ = 0;
  std::size_t buffer_end_ = 0;
  bool eof_ = false;
  std::string line_text_;
  std::string record_;
  std::vector<std::size_t> field_ends_;
  std::vector<int> field_columns_;
  int line_ = 0;
};

}  // namespace capsim
