// The built-in queue policies, listed once (the Kubernetes in-tree registry
// pattern: explicit, no static-initialisation order). A test checks that every
// policy file of scheduler/queue/ is registered here.
#include <cmath>
#include <limits>
#include <string>

#include "scheduler/queue/fifo.hpp"
#include "scheduler/queue/helios.hpp"
#include "scheduler/queue/preemption.hpp"
#include "scheduler/queue/sjf.hpp"
#include "scheduler/queue/srtf.hpp"
#include "scheduler/registry.hpp"

namespace capsim::scheduler {

namespace {

bool read_skip_blocked(const std::optional<MapReader>& map) {
  if (!map) return false;
  const ConfigNode* value = map->optional("skip_blocked");
  return value != nullptr && read_bool(*value, map->field("skip_blocked"));
}

bool read_by_gpu_time(const std::optional<MapReader>& map) {
  return read_choice(map, "by", {"time", "gpu_time"}, 0) == 1;
}

// A positive duration.
Duration read_positive_duration(const MapReader& map, std::string_view key) {
  const ConfigNode& value = *map.optional(key);
  const Duration d = read_duration(value, map.field(key));
  if (d <= Duration()) throw InputError(value.where(), map.field(key), "a positive duration", value.describe());
  return d;
}

}  // namespace

void register_builtin_queue_policies(PolicyRegistry& registry) {
  registry.add_queue("fifo", "jobs in submit order; strict unless skip_blocked: true", [](const PolicyParams& params) {
    return std::make_unique<FifoQueue>(read_skip_blocked(params.reader({"skip_blocked"})));
  });
  registry.add_queue("sjf",
                     "shortest job first, non-preemptive: duration oracle|estimate, by time|gpu_time; strict unless "
                     "skip_blocked: true",
                     [](const PolicyParams& params) {
                       const auto map = params.reader({"duration", "missing_estimate", "by", "skip_blocked"});
                       return std::make_unique<SjfQueue>(SjfQueue::Options{.duration = read_duration_choice(map),
                                                                           .gpu_time = read_by_gpu_time(map),
                                                                           .skip_blocked = read_skip_blocked(map)});
                     });
  registry.add_queue(
      "srtf",
      "shortest remaining time first, preemptive (stops only strictly longer jobs): duration oracle|estimate, "
      "by time|gpu_time",
      [](const PolicyParams& params) {
        const auto map = params.reader({"duration", "missing_estimate", "by"});
        return std::make_unique<SrtfQueue>(
            SrtfQueue::Options{.duration = read_duration_choice(map), .gpu_time = read_by_gpu_time(map)});
      });
  registry.add_queue("helios",
                     "Helios' quasi-shortest-service-first (SC'21): estimated GPU time from the user's ended jobs, "
                     "non-preemptive; strict unless skip_blocked: true",
                     [](const PolicyParams& params) {
                       HeliosQueue::Options options;
                       if (const auto map = params.reader({"default_duration", "skip_blocked"})) {
                         if (map->has("default_duration"))
                           options.default_duration = read_positive_duration(*map, "default_duration");
                         options.skip_blocked = read_skip_blocked(map);
                       }
                       return std::make_unique<HeliosQueue>(options);
                     });
}

}  // namespace capsim::scheduler
