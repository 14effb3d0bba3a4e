#include "core/text.hpp"

#include <cstdint>

namespace capsim {

std::size_t find_non_text(std::string_view text, std::string& problem) {
  std::size_t i = 0;
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  while (i < text.size()) {
    const unsigned char c = byte(i);
    if (c < 0x80) {
      if (c == 0) {
        problem = "a NUL byte (this is not a text file)";
        return i;
      }
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        problem = "a control character (this is not a text file)";
        return i;
      }
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t min = 0;
    std::uint32_t code = 0;
    if ((c & 0xE0) == 0xC0) {
      length = 2, min = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, min = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, min = 0x10000, code = c & 0x07;
    } else {
      problem = "a byte that is not UTF-8 (this is not a UTF-8 text file)";
      return i;
    }
    if (i + length > text.size()) {
      problem = "a truncated UTF-8 character";
      return i;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) {
        problem = "a byte that is not UTF-8 (this is not a UTF-8 text file)";
        return i;
      }
      code = (code << 6) | (byte(i + k) & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      problem = "an invalid UTF-8 character";
      return i;
    }
    i += length;
  }
  return text.size();
}

SourceLocation location_of_offset(std::string_view text, std::size_t offset, const std::string& file) {
  SourceLocation where{file, 1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++where.line;
      where.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++where.column;  // count characters, not UTF-8 continuation bytes
    }
  }
  return where;
}

std::string thousands(std::int64_t value) {
  const std::string digits = std::to_string(value < 0 ? -value : value);
  std::string text;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return (value < 0 ? "-" : "") + text;
}

}  // namespace capsim
