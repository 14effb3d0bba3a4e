#include "sim/isolated.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "sim/results_codec.hpp"

namespace capsim::sim {
namespace {

// The child's one message: a tag byte, the payload's length (8 bytes), the
// payload. The length tells the parent the message is complete.
enum class Tag : std::uint8_t {
  kResults = 0,     // encode_results
  kInputError = 1,  // encode_input_error
  kOtherError = 2,  // the exception's what()
};
constexpr std::size_t kHeaderBytes = 1 + sizeof(std::uint64_t);

std::string system_error(std::string_view what, int error) {
  return "cannot run the simulation in its own process: " + std::string(what) + " failed: " + std::strerror(error);
}

// Writes all of `bytes`, through partial writes and interruptions; false on
// an error (the parent gone, say).
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void flush_output() {
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  std::fflush(nullptr);
}

[[noreturn]] void child_main(const std::function<RunResults()>& work, int fd) {
  int status = 1;
  try {
    Tag tag = Tag::kResults;
    std::string payload;
    try {
      payload = encode_results(work());
    } catch (const InputError& e) {
      tag = Tag::kInputError;
      payload = encode_input_error(e);
    } catch (const std::exception& e) {
      tag = Tag::kOtherError;
      payload = e.what();
    } catch (...) {
      tag = Tag::kOtherError;
      payload = "an exception that is not a std::exception";
    }
    char header[kHeaderBytes];
    header[0] = static_cast<char>(tag);
    const std::uint64_t length = payload.size();
    std::memcpy(header + 1, &length, sizeof length);
    flush_output();
    if (write_all(fd, std::string_view(header, sizeof header)) && write_all(fd, payload)) status = 0;
  } catch (...) {
    // Out of memory while encoding: the parent sees no complete message.
  }
  flush_output();
  ::close(fd);
  ::_exit(status);  // not exit(): the parent's atexit handlers and statics are the parent's
}

// The payload length the header announces, once the header has arrived.
std::uint64_t announced_length(std::string_view message) {
  std::uint64_t length = 0;
  std::memcpy(&length, message.data() + 1, sizeof length);
  return length;
}

bool complete(std::string_view message) {
  return message.size() >= kHeaderBytes && message.size() - kHeaderBytes >= announced_length(message);
}

// Reads until end of file or until the message is complete (the write end
// may have leaked into another process forked meanwhile, which would hold
// end of file back). Returns 0 or the read's errno.
int read_message(int fd, std::string& message) {
  constexpr std::size_t kBlock = 1 << 16;
  while (!complete(message)) {
    const std::size_t old_size = message.size();
    message.resize(old_size + kBlock);
    const ssize_t n = ::read(fd, message.data() + old_size, kBlock);
    message.resize(old_size + (n > 0 ? static_cast<std::size_t>(n) : 0));
    if (n == 0) return 0;
    if (n < 0 && errno != EINTR) return errno;
  }
  return 0;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw InternalError(system_error("waitpid()", errno));
  }
  return status;
}

}  // namespace

RunResults run_in_child(const std::function<RunResults()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) throw InternalError(system_error("pipe()", errno));
  // Not inherited by programs another thread may exec meanwhile.
  ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  flush_output();  // else the child would write the parent's buffered output again
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw InternalError(system_error("fork()", error));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(work, fds[1]);
  }
  ::close(fds[1]);

  // Read everything before waiting: a child blocked writing results larger
  // than the pipe's buffer would never exit.
  std::string message;
  int read_error = 0;
  try {
    read_error = read_message(fds[0], message);
  } catch (...) {  // out of memory: do not leave the child behind
    ::close(fds[0]);
    ::kill(pid, SIGKILL);
    wait_for(pid);
    throw;
  }
  ::close(fds[0]);
  const int status = wait_for(pid);

  if (WIFSIGNALED(status)) {
    const int number = WTERMSIG(status);
    throw InternalError("the simulation process was killed by signal " + std::to_string(number) + " (" +
                        ::strsignal(number) + ")");
  }
  if (read_error != 0) throw InternalError(system_error("reading the results from the pipe", read_error));
  if (!complete(message) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw InternalError("the simulation process exited with status " +
                        std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status) +
                        " without a complete result (" + std::to_string(message.size()) + " bytes received)");
  }
  const std::string_view payload = std::string_view(message).substr(kHeaderBytes);
  if (payload.size() != announced_length(message)) {
    throw InternalError("the simulation process sent " + std::to_string(payload.size() - announced_length(message)) +
                        " bytes more than its result");
  }
  switch (static_cast<Tag>(message[0])) {
    case Tag::kResults:
      return decode_results(payload);
    case Tag::kInputError:
      throw decode_input_error(payload);
    case Tag::kOtherError:
      throw InternalError("the simulation process failed: " + std::string(payload));
  }
  throw InternalError("the simulation process sent a message of unknown kind " +
                      std::to_string(static_cast<unsigned>(static_cast<std::uint8_t>(message[0]))));
}

}  // namespace capsim::sim
