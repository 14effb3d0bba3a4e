// Power capping under a facility power budget (issue 9): whenever the work
// running changes, every allocated GPU is capped at the highest fraction of
// its peak watts, from `min_cap` to 1, that keeps the facility within
// `budget_kw`; below the budget nothing is capped. When even `min_cap`
// cannot keep it within budget (too many powered nodes for the budget), the
// cap stays at `min_cap` and the run counts the time over budget.
//
// The slowdown (documented, not measured): a GPU's dynamic power, above
// idle, goes roughly as the cube of its clock (voltage scales with
// frequency), and a compute-bound job's speed with its clock, so a GPU
// capped at `cap` runs at ((cap x peak - idle) / (peak - idle)) ^
// `speed_exponent` (1/3 by default) of its uncapped speed: an H100 (70 W
// idle, 700 W peak) at 70% of its peak runs at 87%. Memory-bound work slows
// less; `speed_exponent` lower models it (0: caps cost no speed), and a
// calibration run on real hardware can measure it.
#pragma once

#include <string_view>

#include "scheduler/energy/energy_policy.hpp"

namespace capsim::scheduler {

struct PowerCapParams {
  double budget_watts = 0;  // the facility's (IT x PUE)
  double min_cap = 0.5;     // the lowest cap, a fraction of peak watts
  double speed_exponent = 1.0 / 3;
};

class PowerCapPolicy final : public EnergyPolicy {
 public:
  explicit PowerCapPolicy(PowerCapParams params) : params_(params) {}
  std::string_view name() const override { return "power_cap"; }
  bool caps_power() const override { return true; }
  double power_cap(const PowerView& view) override;
  double power_budget_watts() const override { return params_.budget_watts; }
  double speed_at_cap(double cap, double idle_watts, double peak_watts) const override;

 private:
  PowerCapParams params_;
};

}  // namespace capsim::scheduler
