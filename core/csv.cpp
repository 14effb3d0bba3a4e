#include "core/csv.hpp"

#include <cstring>
#include <filesystem>

#include "core/text.hpp"

namespace capsim {

CsvReader::CsvReader(const std::string& path, char delimiter, std::size_t max_line_bytes)
    : file_(path), delimiter_(delimiter), max_line_bytes_(max_line_bytes), buffer_(1 << 16) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError({file_, 0, 0}, "", "an existing file", "no such file");
  if (std::filesystem::is_directory(path, ec)) throw InputError({file_, 0, 0}, "", "a file", "a directory");
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError({file_, 0, 0}, "", "a regular file", "a device, pipe or socket");
  }
  in_.open(path, std::ios::binary);
  if (!in_) throw InputError({file_, 0, 0}, "", "a readable file", "it cannot be opened");
}

bool CsvReader::read_line() {
  line_text_.clear();
  bool any = false;
  while (true) {
    if (buffer_pos_ == buffer_end_) {
      if (eof_) return any;
      in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      buffer_end_ = static_cast<std::size_t>(in_.gcount());
      buffer_pos_ = 0;
      if (buffer_end_ == 0) {
        eof_ = true;
        if (in_.bad()) throw InputError({file_, line_ + 1, 0}, "", "a readable file", "a read error");
        return any;
      }
    }
    any = true;
    const char* start = buffer_.data() + buffer_pos_;
    const std::size_t available = buffer_end_ - buffer_pos_;
    const void* newline = std::memchr(start, '\n', available);
    const std::size_t take = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - start) : available;
    if (line_text_.size() + take > max_line_bytes_) {
      throw InputError({file_, line_ + 1, 0}, "", "lines of at most " + std::to_string(max_line_bytes_ >> 10) + " KiB",
                       "a longer line");
    }
    line_text_.append(start, take);
    buffer_pos_ += take;
    if (newline) {
      ++buffer_pos_;
      return true;
    }
  }
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  while (true) {
    if (!read_line()) return false;
    ++line_;
    if (!line_text_.empty() && line_text_.back() == '\r') line_text_.pop_back();
    std::string problem;
    const std::size_t bad = find_non_text(line_text_, problem);
    if (bad != line_text_.size()) {
      SourceLocation where = location_of_offset(line_text_, bad, file_);
      where.line = line_;
      throw InputError(where, "", "UTF-8 text", problem);
    }
    std::size_t first = line_text_.find_first_not_of(" \t");
    if (first == std::string::npos || line_text_[first] == '#') continue;
    break;
  }
  // Split into fields, unquoting into record_ so that views stay valid.
  record_.clear();
  field_ends_.clear();
  field_columns_.clear();
  std::size_t i = 0;
  const std::size_t n = line_text_.size();
  const auto is_space = [&](std::size_t k) { return line_text_[k] == ' ' || line_text_[k] == '\t'; };
  while (true) {
    while (i < n && is_space(i) && line_text_[i] != delimiter_) ++i;  // fields are trimmed
    field_columns_.push_back(static_cast<int>(i) + 1);
    if (i < n && line_text_[i] == '"') {
      ++i;
      while (true) {
        if (i >= n) {
          throw InputError({file_, line_, field_columns_.back()}, "", "a closing quote on the same line",
                           "an unterminated quoted field");
        }
        if (line_text_[i] == '"') {
          if (i + 1 < n && line_text_[i + 1] == '"') {
            record_ += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        record_ += line_text_[i++];
      }
      while (i < n && is_space(i) && line_text_[i] != delimiter_) ++i;
      if (i < n && line_text_[i] != delimiter_) {
        throw InputError({file_, line_, static_cast<int>(i) + 1}, "", "a delimiter after a quoted field",
                         quote_for_message(line_text_.substr(i, 10)));
      }
    } else {
      while (i < n && line_text_[i] != delimiter_) record_ += line_text_[i++];
      while (!record_.empty() && record_.size() > (field_ends_.empty() ? 0 : field_ends_.back()) &&
             (record_.back() == ' ' || record_.back() == '\t')) {
        record_.pop_back();
      }
    }
    field_ends_.push_back(record_.size());
    if (i >= n) break;
    ++i;  // the delimiter
  }
  fields.clear();
  std::size_t begin = 0;
  for (const std::size_t end : field_ends_) {
    fields.emplace_back(record_.data() + begin, end - begin);
    begin = end;
  }
  return true;
}

SourceLocation CsvReader::where(std::size_t column) const {
  return {file_, line_, column < field_columns_.size() ? field_columns_[column] : 0};
}

}  // namespace capsim
