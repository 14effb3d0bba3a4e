// Energy policies together (`policies.energy: [power_off, carbon_aware,
// {name: power_cap, budget_kw: 450}]`): each does its own part, and a list
// may hold at most one policy that powers nodes off and on (scans), one that
// caps power and one that defers jobs, so that no two answer the same
// question. Built by PolicyRegistry::make_energy from a list.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/energy/energy_policy.hpp"

namespace capsim::scheduler {

class CombinedEnergyPolicy final : public EnergyPolicy {
 public:
  // `parts` as checked by the registry (at most one of each kind).
  explicit CombinedEnergyPolicy(std::vector<std::unique_ptr<EnergyPolicy>> parts);
  std::string_view name() const override { return name_; }
  Duration scan_interval() const override { return scanner_ ? scanner_->scan_interval() : Duration(); }
  EnergyActions decide(const EnergyView& view) override { return scanner_ ? scanner_->decide(view) : EnergyActions{}; }
  Time release_at(const FlexibleJob& job) override { return deferrer_ ? deferrer_->release_at(job) : job.submit; }
  bool defers() const override { return deferrer_ != nullptr; }
  bool caps_power() const override { return capper_ != nullptr; }
  double power_cap(const PowerView& view) override { return capper_ ? capper_->power_cap(view) : 1; }
  double power_budget_watts() const override {
    return capper_ ? capper_->power_budget_watts() : EnergyPolicy::power_budget_watts();
  }
  double speed_at_cap(double cap, double idle_watts, double peak_watts) const override {
    return capper_ ? capper_->speed_at_cap(cap, idle_watts, peak_watts) : 1;
  }

  // Which of the three a policy does ("scans", "caps", "defers"), or "" for
  // none (`none`).
  static std::vector<std::string_view> kinds_of(const EnergyPolicy& policy);

 private:
  std::vector<std::unique_ptr<EnergyPolicy>> parts_;
  std::string name_;
  EnergyPolicy* scanner_ = nullptr;
  EnergyPolicy* capper_ = nullptr;
  EnergyPolicy* deferrer_ = nullptr;
};

}  // namespace capsim::scheduler
