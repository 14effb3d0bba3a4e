// Streaming readers of lines and of comma-separated records, shared by the
// trace readers. They hold one line at a time (memory stays flat however long
// the file is), read compressed files as they stream (core/byte_stream.hpp),
// count lines for error messages and refuse lines that are not text or longer
// than a limit. After an error about one line, reading goes on with the next
// one (so that a caller may skip bad rows).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_stream.hpp"
#include "core/error.hpp"

namespace capsim {

class LineReader {
 public:
  // Opens `path`; throws InputError when it cannot be read.
  explicit LineReader(const std::string& path, std::size_t max_line_bytes = 1u << 20);

  // Reads the next line (without its line ending; valid until the next call)
  // and returns true, or returns false at the end of the file. Throws
  // InputError for a line that is too long or not text, after consuming it.
  bool next(std::string_view& line);
  // Number of the line last returned (1-based).
  int line() const { return line_; }
  const std::string& file() const { return stream_.file(); }

 private:
  ByteStream stream_;
  std::size_t max_line_bytes_;
  std::vector<char> buffer_;
  std::size_t buffer_pos_ = 0;
  std::size_t buffer_end_ = 0;
  bool eof_ = false;
  std::string text_;
  int line_ = 0;
};

// Records of comma-separated (or `delimiter`-separated) fields, RFC 4180
// quoting within a line, blank lines and lines starting with '#' skipped.
class CsvReader {
 public:
  // Opens `path`; throws InputError when it cannot be read.
  explicit CsvReader(const std::string& path, char delimiter = ',', std::size_t max_line_bytes = 1u << 20);

  // Reads the next record into `fields` (views valid until the next call) and
  // returns true, or returns false at the end of the file.
  bool next(std::vector<std::string_view>& fields);
  // Line number of the record last returned (1-based).
  int line() const { return lines_.line(); }
  const std::string& file() const { return lines_.file(); }
  // The location of field `column` (0-based) of the last record.
  SourceLocation where(std::size_t column) const;

 private:
  LineReader lines_;
  char delimiter_;
  std::string record_;
  std::vector<std::size_t> field_ends_;
  std::vector<int> field_columns_;
};

// A field for a CSV file: as it is, or in double quotes (inner quotes
// doubled) when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(std::string_view text);
// A number for a CSV file: 17 significant digits (it reads back exactly),
// empty for NaN.
std::string csv_number(double value);

}  // namespace capsim
