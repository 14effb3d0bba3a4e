// The synthetic workload: seeded, in submit order, with the rate, GPU counts
// and run times it was given, and with streams independent of each other.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "core/synthetic.hpp"

using namespace capsim;

namespace {
std::vector<JobSpec> draw(const SyntheticWorkloadSpec& spec, std::uint64_t seed) {
  SyntheticJobSource source(spec, seed);
  std::vector<JobSpec> jobs;
  JobSpec job;
  while (source.next(job)) jobs.push_back(job);
  return jobs;
}

SyntheticWorkloadSpec flat(double jobs_per_hour, Duration span) {
  SyntheticWorkloadSpec spec;
  spec.jobs_per_hour = jobs_per_hour;
  spec.span = span;
  spec.daily_profile.assign(24, 1.0);
  spec.weekly_profile.assign(7, 1.0);
  spec.gpu_weights = {{1, 3.0}, {4, 1.0}};
  spec.duration_classes = {{1, std::log(600.0), 1.0}, {8, std::log(3600.0), 0.5}};
  return spec;
}
}  // namespace

TEST_CASE("same seed, same jobs; another seed, other jobs", "[core][synthetic]") {
  const auto spec = flat(100, Duration::days(1));
  const auto a = draw(spec, 5);
  const auto b = draw(spec, 5);
  const auto c = draw(spec, 6);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].submit == b[i].submit);
    REQUIRE(a[i].duration == b[i].duration);
    REQUIRE(a[i].gpus() == b[i].gpus());
  }
  CHECK(c.front().submit != a.front().submit);
}

TEST_CASE("arrivals are sorted, inside the span, at the asked rate", "[core][synthetic]") {
  const auto jobs = draw(flat(100, Duration::days(7)), 1);
  // 100 per hour for 168 hours: 16,800 expected, standard deviation 130.
  CHECK(static_cast<double>(jobs.size()) == Approx(16'800).margin(520));
  for (std::size_t i = 1; i < jobs.size(); ++i) REQUIRE(jobs[i - 1].submit <= jobs[i].submit);
  CHECK(jobs.back().submit < Time::zero() + Duration::days(7));
}

TEST_CASE("the daily profile shapes arrivals by hour", "[core][synthetic]") {
  auto spec = flat(100, Duration::days(7));
  spec.daily_profile.assign(24, 0.0);
  spec.daily_profile[9] = 1.0;   // all arrivals in hour 9
  spec.daily_profile[10] = 3.0;  // three times as many in hour 10
  const auto jobs = draw(spec, 3);
  std::map<int, int> by_hour;
  for (const auto& job : jobs) ++by_hour[static_cast<int>(job.submit.count_us() / 3'600'000'000LL % 24)];
  CHECK(by_hour.size() == 2);
  // Scaled to mean 1 over 24 hours: 100 jobs/h x 24 x 1/4 = 600 a day in hour 9, 1,800 in hour 10.
  CHECK(by_hour[9] == Approx(7 * 600).margin(4 * std::sqrt(7 * 600)));
  CHECK(by_hour[10] == Approx(7 * 1800).margin(4 * std::sqrt(7 * 1800)));
}

TEST_CASE("GPU counts follow the weights; run times their class", "[core][synthetic]") {
  const auto jobs = draw(flat(1000, Duration::days(2)), 9);
  int ones = 0;
  double log_sum_1 = 0, log_sum_4 = 0;
  int fours = 0;
  for (const auto& job : jobs) {
    REQUIRE((job.gpus() == 1 || job.gpus() == 4));
    const double log_s = std::log(job.duration.to_seconds());
    if (job.gpus() == 1) {
      ++ones;
      log_sum_1 += log_s;
    } else {
      ++fours;
      log_sum_4 += log_s;
    }
    // Work: duration x GPUs x recorded speed (1.0).
    REQUIRE(job.work == static_cast<double>(job.duration.count_us()) * job.gpus());
  }
  CHECK(static_cast<double>(ones) / static_cast<double>(jobs.size()) == Approx(0.75).margin(0.01));
  CHECK(log_sum_1 / ones == Approx(std::log(600.0)).margin(0.03));
  CHECK(log_sum_4 / fours == Approx(std::log(3600.0)).margin(0.03));
}

TEST_CASE("run times are truncated to [min, max]", "[core][synthetic]") {
  auto spec = flat(1000, Duration::hours(10));
  spec.min_duration = Duration::minutes(5);
  spec.max_duration = Duration::minutes(20);
  for (const auto& job : draw(spec, 2)) {
    REQUIRE(job.duration >= Duration::minutes(5));
    REQUIRE(job.duration <= Duration::minutes(20));
  }
}

TEST_CASE("changing run times leaves arrivals and GPU counts unchanged", "[core][synthetic]") {
  auto spec = flat(200, Duration::days(1));
  const auto before = draw(spec, 4);
  spec.duration_scale = 3.0;
  spec.duration_classes[0].log_sigma = 2.0;
  const auto after = draw(spec, 4);
  REQUIRE(before.size() == after.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    REQUIRE(before[i].submit == after[i].submit);
    REQUIRE(before[i].gpus() == after[i].gpus());
  }
}

TEST_CASE("a job count limit stops the stream", "[core][synthetic]") {
  auto spec = flat(100, Duration::days(365));
  spec.max_jobs = 250;
  CHECK(draw(spec, 1).size() == 250);
}

TEST_CASE("the philly-2017 preset reproduces its fit", "[core][synthetic]") {
  // The fitted medians per class (`capsim trace fit`): 828 s for 1 GPU,
  // 15,581 s for 5-8 GPUs; and 93.2% of jobs on 1 GPU.
  auto spec = SyntheticWorkloadSpec::philly_2017();
  spec.span = Duration::days(28);
  const auto jobs = draw(spec, 1);
  CHECK(static_cast<double>(jobs.size()) == Approx(31.47 * 24 * 28).epsilon(0.03));
  std::vector<double> one, eight;
  for (const auto& job : jobs) {
    if (job.gpus() == 1) one.push_back(job.duration.to_seconds());
    if (job.gpus() == 8) eight.push_back(job.duration.to_seconds());
  }
  CHECK(static_cast<double>(one.size()) / static_cast<double>(jobs.size()) == Approx(0.9317).margin(0.01));
  std::sort(one.begin(), one.end());
  std::sort(eight.begin(), eight.end());
  CHECK(one[one.size() / 2] == Approx(828).epsilon(0.1));
  CHECK(eight[eight.size() / 2] == Approx(15'581).epsilon(0.35));
}
