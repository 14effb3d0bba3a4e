// A run's complete results as one string of bytes, and back: how a simulation
// run in a child process (sim/isolated.hpp) hands its results to the parent.
// SimGrid runs one simulation per process, so its engine runs each scenario
// in a fork and the results cross a pipe.
//
// Every field of RunResults is encoded; doubles travel as their bits (NaN
// payloads included), so decode(encode(r)) is bit-identical to r. The bytes
// are in the machine's own order and layout: the encoding is for a process
// and the child it forked (the same binary), not a file format to keep.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

// "CAPSIMRR" followed by this version, then the fields.
inline constexpr std::string_view kResultsMagic = "CAPSIMRR";
inline constexpr std::uint32_t kResultsCodecVersion = 2;

std::string encode_results(const RunResults& results);

// Throws InternalError when `bytes` is not a complete encoding of this
// version: truncated, wrong magic or version, an impossible value (an
// unknown JobEnd, a length past the end) or bytes left over. Never reads
// past the end of `bytes` and never allocates more than it holds.
RunResults decode_results(std::string_view bytes);

// An InputError as bytes, and back (file, line, column, field, expected and
// got; what() is rebuilt from them). Throws InternalError as decode_results.
std::string encode_input_error(const InputError& error);
InputError decode_input_error(std::string_view bytes);

}  // namespace capsim::sim
