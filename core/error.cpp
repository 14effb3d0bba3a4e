#include "core/error.hpp"

#include <cstdio>
#include <cstdlib>

namespace capsim {

std::string SourceLocation::to_string() const {
  std::string text = file.empty() ? std::string("<input>") : file;
  if (line > 0) text += ":" + std::to_string(line);
  if (line > 0 && column > 0) text += ":" + std::to_string(column);
  return text;
}

namespace {
std::string format_input_error(const SourceLocation& where, const std::string& field, const std::string& expected,
                               const std::string& got) {
  std::string text = where.to_string() + ": ";
  if (!field.empty()) text += field + ": ";
  text += "expected " + expected;
  if (!got.empty()) text += ", got " + got;
  return text;
}
}  // namespace

InputError::InputError(SourceLocation where, std::string field, std::string expected, std::string got)
    : std::runtime_error(format_input_error(where, field, expected, got)),
      where_(std::move(where)),
      field_(std::move(field)),
      expected_(std::move(expected)),
      got_(std::move(got)) {}

std::string quote_for_message(std::string_view value) {
  constexpr std::size_t kMaxShown = 60;
  std::string text = "\"";
  std::size_t shown = 0;
  for (unsigned char c : value) {
    if (shown == kMaxShown) {
      text += "...";
      break;
    }
    if (c == '"' || c == '\\') {
      text += '\\';
      text += static_cast<char>(c);
    } else if (c >= 0x20 && c != 0x7f) {
      text += static_cast<char>(c);  // printable ASCII and UTF-8 bytes as they are
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      text += escaped;
    }
    ++shown;
  }
  return text + "\"";
}

namespace internal {

CheckFailure::CheckFailure(const char* file, int line, const char* condition) {
  message_ << file << ":" << line << ": internal error: check failed: " << condition << " ";
}

CheckFailure::~CheckFailure() {
  std::string text = message_.str();
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace internal
}  // namespace capsim
