// The built-in queue policies, listed once (the Kubernetes in-tree registry
// pattern: explicit, no static-initialisation order). A test checks that every
// policy file of scheduler/queue/ is registered here.
#include "scheduler/queue/fifo.hpp"
#include "scheduler/registry.hpp"

namespace capsim::scheduler {

void register_builtin_queue_policies(PolicyRegistry& registry) {
  registry.add_queue("fifo", "jobs in submit order; strict unless skip_blocked: true", [](const PolicyParams& params) {
    bool skip_blocked = false;
    if (const auto map = params.reader({"skip_blocked"})) {
      if (const ConfigNode* value = map->optional("skip_blocked")) {
        skip_blocked = read_bool(*value, map->field("skip_blocked"));
      }
    }
    return std::make_unique<FifoQueue>(skip_blocked);
  });
}

}  // namespace capsim::scheduler
