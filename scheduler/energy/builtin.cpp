// The built-in energy policies, listed once (as the other extension
// points'), with the reading of their parameters. A test checks that every
// policy file of scheduler/energy/ is registered here.
#include <limits>
#include <memory>

#include "scheduler/energy/carbon_aware.hpp"
#include "scheduler/energy/none.hpp"
#include "scheduler/energy/power_off.hpp"
#include "scheduler/registry.hpp"

namespace capsim::scheduler {

void register_builtin_energy_policies(PolicyRegistry& registry) {
  registry.add_energy(
      "carbon_aware",
      "holds jobs with a deadline or slack (job classes) to the start within their window where the grid is "
      "cleanest over their run, booking at most `max_share` (0.5) of their regions' GPUs in any hour; `margin` "
      "(default 0) kept before the latest start",
      [](const PolicyParams& params) {
        CarbonAwareParams p;
        if (const auto map = params.reader({"margin", "max_share"})) {
          p.margin = duration_or(*map, "margin", p.margin, Duration(), Duration::hours(24 * 365));
          p.max_share = number_or(*map, "max_share", p.max_share, 0, 1, /*above_min=*/true);
        }
        return std::make_unique<CarbonAwarePolicy>(*params.cluster, p);
      });
  registry.add_energy("none", "every node stays on; jobs start when they arrive", [](const PolicyParams& params) {
    params.reader({});  // no parameters
    return std::make_unique<NoEnergyPolicy>();
  });
  registry.add_energy(
      "power_off",
      "powers off nodes idle for `idle` (default 15m), keeping `min_on` per group; boots them when work waits",
      [](const PolicyParams& params) {
        PowerOffParams p;
        if (const auto map = params.reader({"idle", "min_on"})) {
          p.idle = duration_or(*map, "idle", p.idle, Duration(), Duration::hours(24 * 365));
          if (const ConfigNode* node = map->optional("min_on"))
            p.min_on = read_int(*node, map->field("min_on"), 0, std::numeric_limits<std::int32_t>::max());
        }
        return std::make_unique<PowerOffPolicy>(*params.catalog, p);
      });
}

}  // namespace capsim::scheduler
