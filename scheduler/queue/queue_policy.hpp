// Extension point: the order of the pending queue (Kubernetes' QueueSort).
//
// Contract. A queue policy sees one pending job at a time, read-only, and
// returns its sort key: lower keys are tried first, equal keys in arrival
// order. It says whether a job that cannot be placed holds back the jobs
// behind it. It must not keep pointers into scheduler or engine state, build
// engine objects, read a clock or draw randomness of its own; the key of a
// job must not change while it waits (policies whose order changes over time
// come with the timer events of issue 4).
#pragma once

#include <string_view>

#include "scheduler/types.hpp"

namespace capsim::scheduler {

struct QueueKey {
  double primary = 0;
  double secondary = 0;
  friend auto operator<=>(const QueueKey&, const QueueKey&) = default;
};

class QueuePolicy {
 public:
  virtual ~QueuePolicy() = default;
  virtual std::string_view name() const = 0;
  // The job's place in the queue: lower first.
  virtual QueueKey key(const JobRequest& job) const = 0;
  // True: the first job that does not fit stops the pass (strict order).
  // False: the pass goes on to the jobs behind it.
  virtual bool blocks_queue() const = 0;
};

}  // namespace capsim::scheduler
