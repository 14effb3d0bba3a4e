// Running a simulation in a child process and getting its results back.
// SimGrid (the second engine) can run one simulation per process: its clock
// and platform never reset. So each run that needs a fresh SimGrid happens in
// a fork()ed child, which encodes its RunResults (sim/results_codec.hpp) into
// a pipe and exits; the parent decodes them. POSIX only.
#pragma once

#include <functional>

#include "sim/results.hpp"

namespace capsim::sim {

// Runs `work` in a forked child and returns what it returned, bit for bit.
//
// - `work` throws InputError: the parent throws an InputError with the same
//   location, field, expected and got (so the same what()).
// - `work` throws anything else: the parent throws InternalError with the
//   child's what().
// - The child dies by a signal, or exits without a complete message (it
//   called exit(), or was killed while writing): InternalError saying so,
//   "the simulation process was killed by signal 11 (Segmentation fault)".
// - fork() or pipe() fails: InternalError with the system's reason.
//
// The parent flushes stdio and iostreams before forking, so that buffered
// output is not written twice, and the child flushes them before _exit();
// the child skips atexit handlers and static destructors. The child runs
// only the calling thread: `work` must not need a lock another thread of the
// parent held at the fork. The parent blocks until the child has exited.
RunResults run_in_child(const std::function<RunResults()>& work);

}  // namespace capsim::sim
