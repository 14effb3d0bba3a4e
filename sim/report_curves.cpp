#include "sim/report_curves.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace capsim::sim {

Curve empirical_cdf(std::span<const double> values, std::size_t max_points) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (const double v : values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  Curve curve;
  if (sorted.empty()) return curve;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  const std::size_t keep = std::max<std::size_t>(2, std::min(n, max_points));
  curve.x.push_back(sorted.front());
  curve.y.push_back(0);
  std::size_t previous = n;  // none yet
  for (std::size_t k = 0; k < keep; ++k) {
    // Rank of the k-th kept point, first and last included.
    const std::size_t rank = (k * (n - 1) + (keep - 1) / 2) / (keep - 1);
    if (rank == previous) continue;
    previous = rank;
    curve.x.push_back(sorted[rank]);
    curve.y.push_back(static_cast<double>(rank + 1) / static_cast<double>(n));
  }
  return curve;
}

Curve cumulative_energy_kwh(std::span<const double> time_s, std::span<const double> power_kw, double interval_s,
                            double end_s) {
  Curve curve;
  double total = 0;
  const std::size_t n = std::min(time_s.size(), power_kw.size());
  for (std::size_t k = 0; k < n; ++k) {
    double stop = time_s[k] + interval_s;
    if (std::isfinite(end_s)) stop = std::min(stop, std::max(end_s, time_s[k]));
    if (std::isfinite(power_kw[k])) total += power_kw[k] * (stop - time_s[k]) / 3600;
    curve.x.push_back(stop);
    curve.y.push_back(total);
  }
  return curve;
}

namespace {

// sum over (point, rate) of rate * min(t, point), for every t of `at`
// (ascending), by sweeping the points in order.
std::vector<double> sum_of_ramps(std::vector<std::pair<double, double>> points, std::span<const double> at) {
  std::sort(points.begin(), points.end());
  double rate_after = 0;  // sum of the rates of the points not yet passed
  for (const auto& point : points) rate_after += point.second;
  double passed = 0;  // sum of rate * point over the points passed
  std::vector<double> sums;
  sums.reserve(at.size());
  std::size_t next = 0;
  for (const double t : at) {
    while (next < points.size() && points[next].first <= t) {
      passed += points[next].second * points[next].first;
      rate_after -= points[next].second;
      ++next;
    }
    sums.push_back(passed + t * rate_after);
  }
  return sums;
}

}  // namespace

Curve accrued_cost(std::span<const double> start_s, std::span<const double> end_s, std::span<const double> cost,
                   std::span<const double> at_s, double run_end_s) {
  // A job's accrued cost at t is rate * (clamp(t, start, end) - start)
  //   = rate * min(t, end) - rate * min(t, start),
  // so the total is a difference of two sums of ramps. Jobs with no
  // duration add their cost at once, at their end.
  std::vector<std::pair<double, double>> ends, starts, instants;
  const std::size_t n = std::min({start_s.size(), end_s.size(), cost.size()});
  for (std::size_t j = 0; j < n; ++j) {
    const double start = start_s[j];
    const double end = std::isfinite(end_s[j]) ? end_s[j] : run_end_s;
    if (!std::isfinite(start) || !std::isfinite(end) || !std::isfinite(cost[j]) || cost[j] == 0) continue;
    if (end <= start) {
      instants.emplace_back(end, cost[j]);
      continue;
    }
    const double rate = cost[j] / (end - start);
    ends.emplace_back(end, rate);
    starts.emplace_back(start, rate);
  }
  const std::vector<double> to_end = sum_of_ramps(std::move(ends), at_s);
  const std::vector<double> to_start = sum_of_ramps(std::move(starts), at_s);
  std::sort(instants.begin(), instants.end());
  Curve curve;
  double at_once = 0;
  std::size_t next = 0;
  for (std::size_t k = 0; k < at_s.size(); ++k) {
    while (next < instants.size() && instants[next].first <= at_s[k]) at_once += instants[next++].second;
    curve.x.push_back(at_s[k]);
    curve.y.push_back(to_end[k] - to_start[k] + at_once);
  }
  return curve;
}

}  // namespace capsim::sim
