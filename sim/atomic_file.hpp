// Atomic output: write to a temporary name beside the target, flush it to
// disk, then rename it over the target, so that a reader sees the old file or
// the complete new one, never a half-written file.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

namespace capsim::sim {

// Calls write(temporary_path) to produce the file, then renames it to
// `target`. Removes the temporary file if write throws (and rethrows).
// Throws std::runtime_error when the file cannot be committed.
void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path&)>& write);

// Writes `text` to `target` atomically.
void write_text_atomically(const std::filesystem::path& target, std::string_view text);

}  // namespace capsim::sim
