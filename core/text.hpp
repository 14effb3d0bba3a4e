// Checks that bytes are text: UTF-8 without NUL or control characters other
// than tab, newline and carriage return. Shared by every reader of user files,
// so that binary input is refused with a location instead of being parsed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace capsim {

// The offset of the first byte that is not such text, or text.size() when all
// of it is; `problem` then says what was found.
std::size_t find_non_text(std::string_view text, std::string& problem);

// 1234567 -> "1,234,567", for tables and messages.
std::string thousands(std::int64_t value);

// The 1-based line and column (in characters) of `offset` in `text`.
SourceLocation location_of_offset(std::string_view text, std::size_t offset, const std::string& file);

}  // namespace capsim
