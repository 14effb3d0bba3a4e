// The energy policy that does nothing: every node stays on and every job is
// handed to the scheduler when it arrives (what a run without
// policies.energy does), for comparisons (`compare: {energy: [none, ...]}`).
#pragma once

#include <string_view>

#include "scheduler/energy/energy_policy.hpp"

namespace capsim::scheduler {

class NoEnergyPolicy final : public EnergyPolicy {
 public:
  std::string_view name() const override { return "none"; }
};

}  // namespace capsim::scheduler
