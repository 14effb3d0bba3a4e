#include "scheduler/energy/power_off.hpp"

#include <algorithm>
#include <vector>

namespace capsim::scheduler {

EnergyActions PowerOffPolicy::decide(const EnergyView& view) {
  std::vector<NodeGroupStatus> groups(view.groups.begin(), view.groups.end());
  for (NodeGroupStatus& g : groups) {
    g.min = std::min(params_.min_on, g.max);
    g.scale_down_delay = params_.idle;
  }
  ClusterScaling scaling = autoscaler_.decide(view.now, groups, view.waiting, view.idle);
  return {std::move(scaling.add), std::move(scaling.release)};
}

}  // namespace capsim::scheduler
