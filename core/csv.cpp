#include "core/csv.hpp"

#include <cmath>
#include <cstdio>

#include <cstring>
#include <filesystem>

#include "core/text.hpp"

namespace capsim {

LineReader::LineReader(const std::string& path, std::size_t max_line_bytes)
    : stream_(path), max_line_bytes_(max_line_bytes), buffer_(1 << 16) {}

bool LineReader::next(std::string_view& line) {
  text_.clear();
  bool any = false;
  bool too_long = false;
  while (true) {
    if (buffer_pos_ == buffer_end_) {
      if (eof_) break;
      buffer_end_ = stream_.read(buffer_.data(), buffer_.size());
      buffer_pos_ = 0;
      if (buffer_end_ == 0) {
        eof_ = true;
        break;
      }
    }
    any = true;
    const char* start = buffer_.data() + buffer_pos_;
    const std::size_t available = buffer_end_ - buffer_pos_;
    const void* newline = std::memchr(start, '\n', available);
    const std::size_t take = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - start) : available;
    // A line over the limit is consumed to its end (so that reading can go
    // on with the next line) but not kept.
    if (!too_long && text_.size() + take > max_line_bytes_) too_long = true;
    if (!too_long) text_.append(start, take);
    buffer_pos_ += take;
    if (newline) {
      ++buffer_pos_;
      break;
    }
  }
  if (!any) return false;
  ++line_;
  if (too_long) {
    throw InputError({file(), line_, 0}, "", "lines of at most " + std::to_string(max_line_bytes_ >> 10) + " KiB",
                     "a longer line");
  }
  if (!text_.empty() && text_.back() == '\r') text_.pop_back();
  std::string problem;
  const std::size_t bad = find_non_text(text_, problem);
  if (bad != text_.size()) {
    SourceLocation where = location_of_offset(text_, bad, file());
    where.line = line_;
    throw InputError(where, "", "UTF-8 text", problem);
  }
  line = text_;
  return true;
}

CsvReader::CsvReader(const std::string& path, char delimiter, std::size_t max_line_bytes)
    : lines_(path, max_line_bytes), delimiter_(delimiter) {}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  std::string_view line_text_;
  while (true) {
    if (!lines_.next(line_text_)) return false;
    std::size_t first = line_text_.find_first_not_of(" \t");
    if (first == std::string::npos || line_text_[first] == '#') continue;
    break;
  }
  const int line_ = lines_.line();
  const std::string& file_ = lines_.file();
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
                         quote_for_message(std::string(line_text_.substr(i, 10))));
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
  return {lines_.file(), lines_.line(), column < field_columns_.size() ? field_columns_[column] : 0};
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_number(double value) {
  if (std::isnan(value)) return "";
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

}  // namespace capsim
