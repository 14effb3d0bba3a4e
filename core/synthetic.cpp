#include "core/synthetic.hpp"

#include <cmath>
#include <cstdio>
#include <numeric>

namespace capsim {

SyntheticWorkloadSpec SyntheticWorkloadSpec::philly_2017() {
  // `capsim trace fit ../shared/traces/philly/philly_jobs.csv --format philly`
  // (82,247 jobs, 2017-09-04 10:30 to 2017-12-22 08:02, hours as recorded),
  // rounded to 3 decimals (rate, profiles) and 4 (lognormals).
  SyntheticWorkloadSpec spec;
  spec.jobs_per_hour = 31.470;
  spec.span = Duration::days(7);
  spec.daily_profile = {1.274, 0.985, 1.119, 1.103, 0.700, 1.153, 1.673, 2.089, 1.109, 1.006, 1.024, 0.869,
                        0.749, 0.705, 0.638, 0.649, 0.882, 0.668, 0.801, 0.728, 1.016, 0.917, 1.134, 1.010};
  spec.weekly_profile = {0.863, 1.066, 1.138, 1.286, 1.443, 0.609, 0.595};
  spec.gpu_weights = {{1, 76627}, {2, 1818}, {4, 1870}, {8, 1643}, {12, 7},
                      {16, 199},  {24, 7},   {32, 67},  {64, 6},   {128, 3}};
  // Maximum-likelihood lognormal fits of ln(duration in seconds) per class.
  spec.duration_classes = {
      {1, 6.7187, 1.9718},        // 76,627 jobs, median 828 s
      {4, 6.8464, 3.7999},        // 3,688 jobs of 2-4 GPUs, median 940 s
      {8, 9.6538, 2.7915},        // 1,643 jobs of 5-8 GPUs, median 15,581 s
      {1 << 30, 8.9429, 3.2023},  // 289 jobs of 9+ GPUs, median 7,654 s
  };
  return spec;
}

namespace {
std::vector<double> normalised(const std::vector<double>& values) {
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  std::vector<double> result(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) result[i] = values[i] * static_cast<double>(values.size()) / sum;
  return result;
}
}  // namespace

SyntheticJobSource::SyntheticJobSource(SyntheticWorkloadSpec spec, std::uint64_t seed)
    : spec_(std::move(spec)),
      arrivals_(RandomStream::derive(seed, "synthetic.arrivals")),
      gpus_(RandomStream::derive(seed, "synthetic.gpus")),
      durations_(RandomStream::derive(seed, "synthetic.durations")),
      users_(RandomStream::derive(seed, "synthetic.users")) {
  CAPSIM_CHECK(spec_.daily_profile.size() == 24 && spec_.weekly_profile.size() == 7);
  CAPSIM_CHECK(!spec_.gpu_weights.empty() && !spec_.duration_classes.empty());
  const std::vector<double> daily = normalised(spec_.daily_profile);
  const std::vector<double> weekly = normalised(spec_.weekly_profile);
  hourly_rate_.resize(168);
  for (std::size_t h = 0; h < 168; ++h) {
    hourly_rate_[h] = spec_.jobs_per_hour / 3600.0 * daily[h % 24] * weekly[h / 24];
  }
  double total = 0;
  for (const auto& [gpus, weight] : spec_.gpu_weights) gpu_cumulative_.push_back(total += weight);
  total = 0;
  for (std::int32_t u = 1; u <= spec_.users; ++u) user_cumulative_.push_back(total += 1.0 / u);
}

double SyntheticJobSource::next_arrival() {
  const double span_s = spec_.span.to_seconds();
  double budget = arrivals_.exponential(1.0);  // integrated rate to the next arrival
  double t = now_s_;
  while (t < span_s) {
    const double hour = std::floor(t / 3600.0);
    const double boundary = (hour + 1) * 3600.0;
    const double rate = hourly_rate_[static_cast<std::size_t>(std::fmod(hour, 168.0))];
    const double mass = rate * (boundary - t);
    if (rate > 0 && budget <= mass) return t + budget / rate;
    budget -= mass;
    t = boundary;
  }
  return -1;
}

bool SyntheticJobSource::next(JobSpec& job) {
  if (spec_.max_jobs > 0 && generated_ >= spec_.max_jobs) return false;
  const double arrival = next_arrival();
  if (arrival < 0 || arrival >= spec_.span.to_seconds()) return false;
  now_s_ = arrival;
  ++generated_;

  job = JobSpec();
  char name[48];
  std::snprintf(name, sizeof name, "%06lld", static_cast<long long>(generated_));
  job.name = spec_.name_prefix + name;
  job.submit = Time::zero() + Duration::from_seconds(arrival);
  job.request = Resources::gpus(spec_.gpu_weights[gpus_.categorical(gpu_cumulative_)].first);

  const DurationClass* cls = &spec_.duration_classes.back();
  for (const auto& c : spec_.duration_classes) {
    if (job.gpus() <= c.max_gpus) {
      cls = &c;
      break;
    }
  }
  // Truncate to [min, max] by redrawing; after 64 draws out of range (a range
  // that holds almost none of the distribution) clamp, so that it terminates.
  const double min_s = spec_.min_duration.to_seconds();
  const double max_s = spec_.max_duration.to_seconds();
  double seconds = 0;
  for (int attempt = 0; attempt < 64; ++attempt) {
    seconds = durations_.lognormal(cls->log_mean, cls->log_sigma) * spec_.duration_scale;
    if (seconds >= min_s && seconds <= max_s) break;
  }
  seconds = std::fmin(std::fmax(seconds, min_s), max_s);
  job.duration = Duration::from_seconds(seconds);
  job.gpu_types = spec_.gpu_type == kAnyGpuType ? GpuTypeSet::any() : GpuTypeSet::of(spec_.gpu_type);
  job.work = static_cast<double>(job.duration.count_us()) * job.gpus() * spec_.recorded_speed;
  if (spec_.users > 0) {
    char user[32];
    std::snprintf(user, sizeof user, "user-%03zu", users_.categorical(user_cumulative_) + 1);
    job.user = user;
  }
  job.origin = {"synthetic", 0, 0};
  return true;
}

}  // namespace capsim
