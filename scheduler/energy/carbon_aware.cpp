#include "scheduler/energy/carbon_aware.hpp"

#include <algorithm>
#include <cmath>

namespace capsim::scheduler {

namespace {
constexpr std::int64_t kHourUs = 3'600'000'000;
}  // namespace

CarbonAwarePolicy::CarbonAwarePolicy(const ClusterSpec& cluster, CarbonAwareParams params)
    : cluster_(cluster), params_(params) {}

CarbonAwarePolicy::Blend& CarbonAwarePolicy::blend_for(RegionSet regions) {
  for (Blend& blend : blends_) {
    if (blend.regions == regions.bits()) return blend;
  }
  Blend blend;
  blend.regions = regions.bits();
  std::vector<double> gpus(cluster_.regions.size(), 0.0);
  double total = 0;
  for (const NodeGroupSpec& group : cluster_.node_groups) {
    if (regions.allows(group.region)) blend.gpus += static_cast<double>(group.count * group.gpus_per_node);
    const auto r = static_cast<std::size_t>(group.region);
    if (r >= cluster_.regions.size() || !cluster_.regions[r].carbon || !regions.allows(group.region)) continue;
    const double n = static_cast<double>(group.count * group.gpus_per_node);
    gpus[r] += n;
    total += n;
  }
  for (std::size_t r = 0; r < gpus.size(); ++r) {
    if (gpus[r] > 0) blend.weights.emplace_back(r, gpus[r] / total);
  }
  blend.cumulative.push_back(0.0);
  blends_.push_back(std::move(blend));
  return blends_.back();
}

double CarbonAwarePolicy::integral_to(Blend& blend, Time t) {
  const std::int64_t us = (t - Time::zero()).count_us();
  const auto hour = static_cast<std::size_t>(us / kHourUs);
  // cumulative[h]: the sum of hours 0 .. h-1's blended intensity.
  while (blend.cumulative.size() <= hour + 1) {
    const auto h = static_cast<std::int64_t>(blend.cumulative.size() - 1);
    double intensity = 0;
    for (const auto& [region, share] : blend.weights) intensity += share * cluster_.regions[region].carbon->at_hour(h);
    blend.cumulative.push_back(blend.cumulative.back() + intensity);
  }
  const double within_s = static_cast<double>(us - static_cast<std::int64_t>(hour) * kHourUs) / 1e6;
  const double this_hour = blend.cumulative[hour + 1] - blend.cumulative[hour];
  return blend.cumulative[hour] * 3600.0 + this_hour * within_s;
}

bool CarbonAwarePolicy::fits(Blend& blend, double gpus, Time start, Duration run, bool book) {
  const std::int64_t from = (start - Time::zero()).count_us();
  const std::int64_t to = from + run.count_us();
  const double limit = params_.max_share * blend.gpus;
  for (std::int64_t hour = from / kHourUs; hour * kHourUs < to; ++hour) {
    const auto h = static_cast<std::size_t>(hour);
    if (blend.booked.size() <= h) blend.booked.resize(h + 1, 0.0);
    const std::int64_t overlap = std::min(to, (hour + 1) * kHourUs) - std::max(from, hour * kHourUs);
    const double gpu_hours = gpus * static_cast<double>(overlap) / static_cast<double>(kHourUs);
    if (book) {
      blend.booked[h] += gpu_hours;
    } else if (blend.booked[h] + gpu_hours > limit + 1e-9) {
      return false;
    }
  }
  return true;
}

Time CarbonAwarePolicy::release_at(const FlexibleJob& job) {
  const Time latest = job.deadline - job.expected_run - params_.margin;
  if (latest <= job.submit) return job.submit;
  Blend& blend = blend_for(job.regions);
  if (blend.weights.empty()) return job.submit;
  // The candidates: the window's ends, and each start at which the start or
  // the end of the run crosses an hour.
  std::vector<Time> candidates{job.submit, latest};
  const auto first_hour_after = [](Time t) {
    const std::int64_t us = (t - Time::zero()).count_us();
    return Time::zero() + Duration::microseconds((us / kHourUs + 1) * kHourUs);
  };
  for (Time t = first_hour_after(job.submit); t < latest; t = t + Duration::hours(1)) candidates.push_back(t);
  for (Time end = first_hour_after(job.submit + job.expected_run); end - job.expected_run < latest;
       end = end + Duration::hours(1)) {
    candidates.push_back(end - job.expected_run);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  // Cleanest first; equal within rounding, the earliest.
  std::vector<std::pair<double, Time>> ranked;
  for (const Time start : candidates) {
    ranked.emplace_back(integral_to(blend, start + job.expected_run) - integral_to(blend, start), start);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first - 1e-9 * std::abs(b.first); });
  for (const auto& [grams, start] : ranked) {
    if (!fits(blend, job.gpus, start, job.expected_run, /*book=*/false)) continue;
    if (start > job.submit) fits(blend, job.gpus, start, job.expected_run, /*book=*/true);
    return start;
  }
  return job.submit;
}

}  // namespace capsim::scheduler
