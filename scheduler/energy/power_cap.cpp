#include "scheduler/energy/power_cap.hpp"

#include <algorithm>
#include <cmath>

namespace capsim::scheduler {

double PowerCapPolicy::power_cap(const PowerView& view) {
  if (view.busy_peak_watts <= 0) return 1;
  // pue x (base - busy_idle + cap x busy_peak) <= budget
  const double cap = (params_.budget_watts / view.pue - view.base_watts + view.busy_idle_watts) / view.busy_peak_watts;
  return std::clamp(cap, params_.min_cap, 1.0);
}

double PowerCapPolicy::speed_at_cap(double cap, double idle_watts, double peak_watts) const {
  if (cap >= 1 || peak_watts <= idle_watts) return 1;
  const double dynamic = std::max(0.0, (cap * peak_watts - idle_watts) / (peak_watts - idle_watts));
  return std::pow(dynamic, params_.speed_exponent);
}

}  // namespace capsim::scheduler
