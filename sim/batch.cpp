#include "sim/batch.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "sim/run.hpp"

namespace capsim::sim {

bool run_batch(const std::vector<const Scenario*>& scenarios, const BatchOptions& options,
               const std::function<void(std::size_t, const RunResults&)>& done) {
  const std::size_t n = scenarios.size();
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stopped{false};
  std::atomic<bool> failed{false};
  std::mutex done_mutex;
  const auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      if (failed || stopped) continue;  // drain: a failure or a stop skips the runs not yet started
      try {
        RunOptions run_options;
        run_options.registry = options.registry;
        run_options.should_stop = options.should_stop;
        const RunResults results = run_scenario(*scenarios[i], run_options);
        if (results.stats.interrupted) stopped = true;
        const std::lock_guard lock(done_mutex);
        done(i, results);
      } catch (...) {
        errors[i] = std::current_exception();
        failed = true;
      }
    }
  };
  const unsigned threads =
      static_cast<unsigned>(std::clamp<std::size_t>(options.threads, 1, std::max<std::size_t>(n, 1)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);  // the lowest index's error
  }
  return stopped;
}

}  // namespace capsim::sim
