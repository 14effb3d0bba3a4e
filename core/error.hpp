// Errors with source locations, and the invariant check.
//
// Bad input is the user's to fix: InputError names the file, line, column and
// field and says what was expected; the CLI prints it and exits 2, Python gets
// it as an exception. A broken invariant is ours to fix: CAPSIM_CHECK aborts
// with a message in every build type. An InternalError is ours too, where
// aborting the process is not an option (see below).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace capsim {

// Where something was read from. Lines and columns count from 1; 0 means
// "not known" (a whole-file problem, say).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
  // "file:line:column", leaving out the parts that are not known.
  std::string to_string() const;
};

// A problem in the user's input. what() reads
//   scenario.yaml:12:5: cluster.node_groups[0].count: expected a
//   non-negative integer, got "-3"
class InputError : public std::runtime_error {
 public:
  // `field` is the dotted path of the offending field ("" for the file as a
  // whole); `got` is what was found instead, "" to leave it out.
  InputError(SourceLocation where, std::string field, std::string expected, std::string got = {});

  const SourceLocation& where() const { return where_; }
  const std::string& field() const { return field_; }
  const std::string& expected() const { return expected_; }
  const std::string& got() const { return got_; }

 private:
  SourceLocation where_;
  std::string field_;
  std::string expected_;
  std::string got_;
};

// A failure that is ours, not the user's, that the caller must be able to
// report and survive rather than abort on: a corrupt internal encoding, or a
// simulation process that died (sim/isolated.hpp). what() says what happened.
class InternalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Quotes a value for an error message: printable, and cut to a readable length.
std::string quote_for_message(std::string_view value);

namespace internal {
// Collects the context of a failed CAPSIM_CHECK and aborts when destroyed.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  CheckFailure(const CheckFailure&) = delete;
  CheckFailure& operator=(const CheckFailure&) = delete;
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return message_; }

 private:
  std::ostringstream message_;
};
}  // namespace internal

}  // namespace capsim

// CAPSIM_CHECK(cond) << "context " << value;  aborts when cond is false.
#define CAPSIM_CHECK(condition)                            \
  if (__builtin_expect(static_cast<bool>(condition), 1)) { \
  } else                                                   \
    ::capsim::internal::CheckFailure(__FILE__, __LINE__, #condition).stream()
