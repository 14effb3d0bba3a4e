// The built-in energy policies, listed once (as the other extension
// points'), with the reading of their parameters. A test checks that every
// policy file of scheduler/energy/ is registered here.
#include <cmath>
#include <limits>
#include <memory>

#include "core/text.hpp"
#include "scheduler/energy/carbon_aware.hpp"
#include "scheduler/energy/none.hpp"
#include "scheduler/energy/power_cap.hpp"
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
      "power_cap",
      "caps every allocated GPU at the highest fraction of its peak watts (min_cap 0.5 to 1) that keeps the "
      "facility within budget_kw; capped GPUs run at ((cap x peak - idle) / (peak - idle)) ^ speed_exponent (1/3)",
      [](const PolicyParams& params) {
        const auto map = params.reader({"budget_kw", "min_cap", "speed_exponent"});
        if (!map) {
          throw InputError(params.where, params.field, "{name: power_cap, budget_kw: N}: a facility power budget",
                           "power_cap without parameters");
        }
        PowerCapParams p;
        const ConfigNode& budget = map->required("budget_kw", "the facility's power budget in kW");
        p.budget_watts = read_number(budget, map->field("budget_kw"), 0.001, 1e9) * 1000;
        p.min_cap = number_or(*map, "min_cap", p.min_cap, 0, 1, /*above_min=*/true);
        p.speed_exponent = number_or(*map, "speed_exponent", p.speed_exponent, 0, 4);
        // A cap below a GPU's idle watts would draw less than idle.
        for (const NodeGroupSpec& group : params.cluster->node_groups) {
          const GpuType& gpu = params.catalog->at(group.gpu_type);
          if (gpu.peak_watts > 0 && p.min_cap * gpu.peak_watts <= gpu.idle_watts) {
            const ConfigNode* node = map->optional("min_cap");
            throw InputError(node ? node->where() : params.where, map->field("min_cap"),
                             "a cap above " + gpu.name + "'s idle watts (" + thousands(std::llround(gpu.idle_watts)) +
                                 " of " + thousands(std::llround(gpu.peak_watts)) + " W at peak)",
                             node ? node->describe() : "0.5 (the default)");
          }
        }
        return std::make_unique<PowerCapPolicy>(p);
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
