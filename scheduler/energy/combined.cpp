#include "scheduler/energy/combined.hpp"

#include "core/error.hpp"

namespace capsim::scheduler {

std::vector<std::string_view> CombinedEnergyPolicy::kinds_of(const EnergyPolicy& policy) {
  std::vector<std::string_view> kinds;
  if (policy.scan_interval() > Duration()) kinds.push_back("powers nodes off and on");
  if (policy.caps_power()) kinds.push_back("caps power");
  if (policy.defers()) kinds.push_back("defers jobs");
  return kinds;
}

CombinedEnergyPolicy::CombinedEnergyPolicy(std::vector<std::unique_ptr<EnergyPolicy>> parts)
    : parts_(std::move(parts)) {
  for (const auto& part : parts_) {
    if (!name_.empty()) name_ += "+";
    name_ += part->name();
    for (EnergyPolicy** kind : {&scanner_, &capper_, &deferrer_}) {
      const bool does = kind == &scanner_  ? part->scan_interval() > Duration()
                        : kind == &capper_ ? part->caps_power()
                                           : part->defers();
      if (!does) continue;
      CAPSIM_CHECK(*kind == nullptr) << "two energy policies of one kind: " << (*kind)->name() << ", " << part->name();
      *kind = part.get();
    }
  }
}

}  // namespace capsim::scheduler
