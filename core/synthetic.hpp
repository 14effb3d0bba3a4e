// A seeded synthetic training workload, so that a scenario runs with no trace
// at hand: Poisson arrivals whose rate follows a daily and a weekly cycle,
// GPU counts from a categorical distribution, and lognormal run times per
// GPU-count class. The `philly-2017` preset carries parameters fitted to the
// Microsoft Philly trace by `capsim trace fit` (core/trace_fit.hpp says how;
// tests/traces/test_trace_tools.cpp re-derives the preset from the trace).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/random.hpp"

namespace capsim {

// Run times of jobs with up to `max_gpus` GPUs (and more than the previous
// class's): ln(seconds) ~ Normal(log_mean, log_sigma).
struct DurationClass {
  std::int32_t max_gpus = 1;
  double log_mean = 0;
  double log_sigma = 0;
  friend bool operator==(const DurationClass&, const DurationClass&) = default;
};

struct SyntheticWorkloadSpec {
  double jobs_per_hour = 0;   // mean arrival rate over a week
  Duration span;              // jobs arrive in [0, span)
  std::int64_t max_jobs = 0;  // stop after this many jobs; 0: no limit
  // Relative arrival rates per hour of day (24) and day of week (7, Monday
  // first); each is scaled to mean 1. Simulated time 0 is Monday 00:00.
  std::vector<double> daily_profile;
  std::vector<double> weekly_profile;
  // GPU count -> weight, sorted by GPU count, weights > 0.
  std::vector<std::pair<std::int32_t, double>> gpu_weights;
  std::vector<DurationClass> duration_classes;  // sorted by max_gpus
  double duration_scale = 1.0;                  // multiplies every run time
  Duration min_duration = Duration::seconds(1);
  Duration max_duration = Duration::days(365);
  GpuTypeId gpu_type = kAnyGpuType;  // GPU type the jobs require
  double recorded_speed = 1.0;       // speed of the GPU type run times are for
  std::int32_t users = 0;            // > 0: users drawn with Zipf(1) weights
  std::string name_prefix = "job-";

  // Parameters fitted to the Philly trace (2017-09-04 to 2017-12-22), with
  // its rate of 31.47 jobs per hour on about 2,490 GPUs; a scenario scales
  // jobs_per_hour to its own cluster.
  static SyntheticWorkloadSpec philly_2017();

  friend bool operator==(const SyntheticWorkloadSpec&, const SyntheticWorkloadSpec&) = default;
};

// Draws jobs from a SyntheticWorkloadSpec. Arrivals, GPU counts, run times and
// users come from separate streams of the seed, so changing one distribution
// leaves the others' draws unchanged.
class SyntheticJobSource : public JobSource {
 public:
  SyntheticJobSource(SyntheticWorkloadSpec spec, std::uint64_t seed);
  bool next(JobSpec& job) override;

 private:
  // The next arrival after now_s_ by inverting the piecewise-constant rate,
  // or a negative value when it falls past the span.
  double next_arrival();

  SyntheticWorkloadSpec spec_;
  std::vector<double> hourly_rate_;  // per second, 168 hours of a week
  std::vector<double> gpu_cumulative_;
  std::vector<double> user_cumulative_;
  RandomStream arrivals_;
  RandomStream gpus_;
  RandomStream durations_;
  RandomStream users_;
  double now_s_ = 0;
  std::int64_t generated_ = 0;
};

}  // namespace capsim
