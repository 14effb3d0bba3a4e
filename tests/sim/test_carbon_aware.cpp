// Carbon-aware deferral (scheduler/energy/carbon_aware.hpp) in the native
// engine: flexible jobs (job classes with a deadline or slack) held back to
// the cleanest window of the grid, worked out by hand from hourly
// intensities; the margin; deadlines counted, met and missed; the errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "sim/summary.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::run_yaml;
using capsim::testing::scenario_from;

namespace {

// One V100 (40 W idle, 300 W peak) on a grid of 400, 300, 100, 200 g/kWh
// hour by hour (repeating); a 1-hour job of class `flex`, over 4 hours.
// (max_share 1: deferred work may book the one GPU.)
std::string scenario(const std::string& flex, const std::string& energy,
                     const std::string& jobs = "[{id: j, submit: 0s, gpus: 1, duration: 1h, class: flex}]") {
  return "cluster:\n"
         "  regions: [{name: grid, carbon: [400, 300, 100, 200]}]\n"
         "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
         "workload:\n"
         "  job_classes: [{name: flex, " +
         flex +
         "}]\n"
         "  jobs: " +
         jobs + "\n" + energy + "run: {horizon: 4h}\n";
}

double grams(const sim::Summary& s) {
  return s.energy_figure("emissions_kg_co2e") * 1000;
}

}  // namespace

TEST_CASE("carbon_aware: a job with slack runs in the cleanest hour of its window", "[sim][energy][carbon]") {
  // Slack 3h: deadline 4h, latest start 3h. A start at 0, 1h, 2h or 3h
  // meets 400, 300, 100 or 200 g/kWh: it starts at 2h.
  //   emissions: 40 W in hours 0, 1, 3 (0.04 kWh x 400, 300, 200 = 36 g)
  //              + 300 W in hour 2 (0.3 kWh x 100 = 30 g) = 66 g
  const auto results = run_yaml(scenario("slack: 3h", "policies: {energy: {name: carbon_aware, max_share: 1}}\n"));
  const sim::Summary& s = results.summary;
  CHECK(results.jobs.start_s[0] == 7'200);
  CHECK(results.jobs.queueing_delay_s[0] == 7'200);  // the wait counts from its submission
  CHECK(grams(s) == Approx(66));
  CHECK(s.energy_figure("jobs_with_deadline") == 1);
  CHECK(s.energy_figure("jobs_deferred") == 1);
  CHECK(s.energy_figure("mean_deferral_h") == Approx(2));
  CHECK(s.energy_figure("deadlines_missed") == 0);
  CHECK(sim::format_summary(s).find("1 of 1 jobs with a deadline deferred (mean 2.0 h), 0 deadlines missed") !=
        std::string::npos);

  // At once, without the policy: 300 W in hour 0 (120 g) + 40 W in hours
  // 1-3 (0.04 x 600 = 24 g) = 144 g.
  const auto at_once = run_yaml(scenario("slack: 3h", ""));
  CHECK(at_once.jobs.start_s[0] == 0);
  CHECK(grams(at_once.summary) == Approx(144));
  CHECK(at_once.summary.energy_figure("jobs_deferred") == 0);
  CHECK(at_once.summary.energy_figure("deadlines_missed") == 0);
}

TEST_CASE("carbon_aware: within an hour's crossing, a deadline and a margin", "[sim][energy][carbon]") {
  // Deadline 2h30m: latest start 1h30m. A start at t meets 300 g/kWh until
  // 2h and 100 after: from 1h30m, half an hour of each, 200 on average:
  // better than 0 (400) or 1h (300).
  const auto results =
      run_yaml(scenario("deadline: 2h30m", "policies: {energy: {name: carbon_aware, max_share: 1}}\n"));
  CHECK(results.jobs.start_s[0] == 5'400);
  CHECK(results.jobs.end_s[0] == 9'000);  // on its deadline: met
  CHECK(results.summary.energy_figure("deadlines_missed") == 0);
  // 300 W x 1 h at 200 g/kWh on average = 60 g; 40 W over the other 3 h:
  // hour 0 (16 g), half hours of hours 1 and 2 (6 + 2 g), hour 3 (8 g).
  CHECK(grams(results.summary) == Approx(60 + 16 + 6 + 2 + 8));
  // A margin of 30 minutes: latest start 1h, the better of 0 and 1h.
  const auto margin =
      run_yaml(scenario("deadline: 2h30m", "policies: {energy: {name: carbon_aware, margin: 30m, max_share: 1}}\n"));
  CHECK(margin.jobs.start_s[0] == 3'600);
}

TEST_CASE("carbon_aware: deferred work books its GPUs, the next job takes the next cleanest hour",
          "[sim][energy][carbon]") {
  // Two 1-hour jobs with 3 hours of slack on the one GPU: the first books
  // hour 2 (100 g/kWh); the second would overflow it and takes hour 3 (200).
  const std::string jobs =
      "[{id: j, submit: 0s, gpus: 1, duration: 1h, class: flex}, {id: k, submit: 0s, gpus: 1, duration: 1h, class: "
      "flex}]";
  const std::string two = scenario("slack: 3h", "policies: {energy: {name: carbon_aware, max_share: 1}}\n", jobs);
  const auto results = run_yaml(two);
  CHECK(results.jobs.start_s == std::vector<double>{7'200, 10'800});
  CHECK(results.summary.energy_figure("deadlines_missed") == 0);
  // With half the GPU for deferred work (the default), neither fits: both
  // start at once, one after the other.
  const std::string half = scenario("slack: 3h", "policies: {energy: carbon_aware}\n", jobs);
  CHECK(run_yaml(half).jobs.start_s == std::vector<double>{0, 3'600});
}

TEST_CASE("carbon_aware: jobs without a deadline or a grid without a series start at once", "[sim][energy][carbon]") {
  std::string no_series = scenario("slack: 3h", "policies: {energy: {name: carbon_aware, max_share: 1}}\n");
  no_series.replace(no_series.find("carbon: [400, 300, 100, 200]"), 28, "carbon: 300");
  // A constant intensity: every start is as clean; the earliest wins.
  CHECK(run_yaml(no_series).jobs.start_s[0] == 0);
  std::string rigid = scenario("priority: 1", "policies: {energy: {name: carbon_aware, max_share: 1}}\n");
  const auto results = run_yaml(rigid);
  CHECK(results.jobs.start_s[0] == 0);
  CHECK(std::isnan(results.summary.energy_figure("jobs_with_deadline")));
}

TEST_CASE("deadlines: a full cluster misses them, and they are counted", "[sim][energy][carbon]") {
  // One GPU, two 1-hour jobs with 30 minutes of slack at time 0: the second
  // ends at 2h, after its 1h30m deadline.
  const auto results = run_yaml(
      "cluster:\n"
      "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
      "workload:\n"
      "  job_classes: [{name: flex, slack: 30m}]\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 1, duration: 1h}\n"
      "    - {id: b, submit: 0s, gpus: 1, duration: 1h}\n");
  CHECK(results.summary.energy_figure("jobs_with_deadline") == 2);
  CHECK(results.summary.energy_figure("deadlines_missed") == 1);
  // Still waiting when a horizon stops the run past its deadline: missed.
  const auto cut = run_yaml(
      "cluster:\n"
      "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
      "workload:\n"
      "  job_classes: [{name: flex, slack: 30m}]\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 1, duration: 3h}\n"
      "    - {id: b, submit: 0s, gpus: 1, duration: 1h}\n"
      "run: {horizon: 2h}\n");
  CHECK(cut.summary.energy_figure("deadlines_missed") == 1);
}

TEST_CASE("carbon_aware and deadlines: bad input names the field", "[sim][energy][carbon]") {
  auto error = input_error_of([] { scenario_from(scenario("slack: 1h, deadline: 2h", "")); });
  CHECK(error.field() == "workload.job_classes[0].slack");
  error = input_error_of([] { scenario_from(scenario("slack: 0s", "")); });
  CHECK(error.field() == "workload.job_classes[0].slack");
  error = input_error_of([] { scenario_from(scenario("deadline: soon", "")); });
  CHECK(error.field() == "workload.job_classes[0].deadline");
  error = input_error_of(
      [] { run_yaml(scenario("slack: 1h", "policies: {energy: {name: carbon_aware, margin: -1h}}\n")); });
  CHECK(error.field() == "policies.energy.margin");
  error = input_error_of(
      [] { run_yaml(scenario("slack: 1h", "policies: {energy: {name: carbon_aware, max_share: 0}}\n")); });
  CHECK(error.field() == "policies.energy.max_share");
}
