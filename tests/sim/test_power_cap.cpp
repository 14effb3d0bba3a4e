// The power_cap energy policy (scheduler/energy/power_cap.hpp) in the
// native engine: GPUs capped to keep the facility within a power budget,
// jobs slowed by the documented factor, energy to the joule, time over
// budget; the errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "sim/compare.hpp"
#include "sim/summary.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::run_yaml;
using capsim::testing::scenario_from;

namespace {

// One node of two V100s (40 W idle, 300 W peak each), nothing else drawing,
// PUE 1; job a (1 GPU, 1 h) and job b (1 GPU, 2 h) at time 0.
std::string two_jobs(const std::string& energy) {
  return "cluster:\n"
         "  node_groups: [{gpu: V100, gpus_per_node: 2, count: 1}]\n"
         "workload:\n"
         "  jobs:\n"
         "    - {id: a, submit: 0s, gpus: 1, duration: 1h}\n"
         "    - {id: b, submit: 0s, gpus: 1, duration: 2h}\n"
         "policies: {energy: " +
         energy + "}\n";
}

}  // namespace

TEST_CASE("power_cap: GPUs capped to the budget, jobs slowed, energy to the joule", "[sim][energy][power_cap]") {
  // Uncapped, both busy: 600 W, over the 500 W budget. The cap c keeps
  // 80 - 80 + 600 c = 500 W: c = 5/6 (250 W a GPU). Each job runs at
  // ((250 - 40) / 260)^(1/3) of its speed; a ends at t1 = 3,600 s / that.
  // b, half done, runs alone uncapped (340 W, within budget): 3,600 s more.
  const double speed = std::cbrt(210.0 / 260.0);
  const double t1 = 3'600 / speed;
  const auto results = run_yaml(two_jobs("{name: power_cap, budget_kw: 0.5}"));
  const sim::Summary& s = results.summary;
  CHECK(results.jobs.end_s[0] == Approx(t1).epsilon(1e-9));
  CHECK(results.jobs.end_s[1] == Approx(t1 + 3'600).epsilon(1e-9));
  CHECK(s.energy_figure("facility_energy_kwh") * 3.6e6 == Approx(500 * t1 + 340 * 3'600).epsilon(1e-9));
  CHECK(s.energy_figure("peak_power_kw") == Approx(0.5));
  CHECK(s.energy_figure("power_budget_kw") == 0.5);
  CHECK(s.energy_figure("capped_hours") * 3'600 == Approx(t1));
  CHECK(s.energy_figure("mean_cap_pct") == Approx(100.0 * 5 / 6));
  CHECK(s.energy_figure("over_budget_hours") == 0);
  // Each job's energy at the cap it ran under: a at 250 W, b at 250 W then 300 W.
  CHECK(results.jobs.energy_kwh[0] * 3.6e6 == Approx(250 * t1));
  CHECK(results.jobs.energy_kwh[1] * 3.6e6 == Approx(250 * t1 + 300 * 3'600));
  CHECK(sim::format_summary(s).find("budget 0.50 kW") != std::string::npos);

  // speed_exponent 0: capping costs no speed; the same power for 1 h.
  const auto free = run_yaml(two_jobs("{name: power_cap, budget_kw: 0.5, speed_exponent: 0}"));
  CHECK(free.jobs.end_s[0] == 3'600);
  CHECK(free.summary.energy_figure("facility_energy_kwh") * 3.6e6 == Approx(500 * 3'600 + 340 * 3'600));
}

TEST_CASE("power_cap: a budget below what even the lowest cap draws is counted as over budget",
          "[sim][energy][power_cap]") {
  // 0.25 kW: at the lowest cap (0.5: 150 W a GPU) both busy draw 300 W,
  // over budget until a ends; b alone is capped at 0.7 (40 W + 210 W).
  const auto results = run_yaml(two_jobs("{name: power_cap, budget_kw: 0.25}"));
  const sim::Summary& s = results.summary;
  const double speed = std::cbrt((150.0 - 40) / 260);
  const double t1 = 3'600 / speed;
  CHECK(results.jobs.end_s[0] == Approx(t1));
  CHECK(s.energy_figure("over_budget_hours") * 3'600 == Approx(t1));
  CHECK(s.energy_figure("mean_cap_pct") > 50);
}

TEST_CASE("compare: policies with different figures line up by name", "[sim][energy][power_cap][compare]") {
  // power_cap reports figures none does not: the table aligns them, blank
  // where a policy has none, whichever comes first.
  const Scenario scenario =
      scenario_from(two_jobs("none") + "compare: {energy: [{name: power_cap, budget_kw: 0.5}, none]}\n");
  const sim::Comparison comparison = sim::run_comparison(sim::expand_variants(scenario), {});
  REQUIRE(comparison.columns.size() == 2);
  REQUIRE(comparison.columns[0].mean.size() == comparison.columns[1].mean.size());
  CHECK(sim::figure_of(comparison.columns[0].mean, "capped_hours") > 0);
  CHECK(std::isnan(sim::figure_of(comparison.columns[1].mean, "capped_hours")));
  for (std::size_t k = 0; k < comparison.columns[0].mean.size(); ++k)
    CHECK(comparison.columns[0].mean[k].name == comparison.columns[1].mean[k].name);
  CHECK(sim::format_comparison(comparison).find("hours capped") != std::string::npos);
}

TEST_CASE("power_cap: a notebook's idle tail draws idle watts, uncapped", "[sim][energy][power_cap][reaping]") {
  // One V100, a 4-hour notebook job computing half of it. Computing, it
  // would draw 340 W: capped at 2/3 (200 W, 40 W idle + 160 W), it runs at
  // (160 / 260)^(1/3) for 2 h of work; its 2-hour idle tail draws 40 W,
  // under the budget: uncapped.
  const double speed = std::cbrt(160.0 / 260.0);
  const double computing = 7'200 / speed;
  const auto results = run_yaml(
      "cluster:\n"
      "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
      "workload:\n"
      "  job_classes: [{name: notebook, idle_tail: 0.5}]\n"
      "  jobs: [{id: n, submit: 0s, gpus: 1, duration: 4h, class: notebook}]\n"
      "policies: {energy: {name: power_cap, budget_kw: 0.2}}\n");
  CHECK(results.jobs.end_s[0] == Approx(computing + 7'200));
  CHECK(results.summary.energy_figure("facility_energy_kwh") * 3.6e6 == Approx(200 * computing + 40 * 7'200));
  CHECK(results.jobs.energy_kwh[0] * 3.6e6 == Approx(200 * computing + 40 * 7'200));
  CHECK(results.summary.energy_figure("capped_hours") * 3'600 == Approx(computing));
}

TEST_CASE("power_cap: bad input names the field", "[sim][energy][power_cap]") {
  auto error = input_error_of([] { run_yaml(two_jobs("power_cap")); });
  CHECK(error.field() == "policies.energy");
  error = input_error_of([] { run_yaml(two_jobs("{name: power_cap, min_cap: 0.6}")); });
  CHECK(error.field() == "policies.energy.budget_kw");
  error = input_error_of([] { run_yaml(two_jobs("{name: power_cap, budget_kw: 0}")); });
  CHECK(error.field() == "policies.energy.budget_kw");
  // 10% of a V100's 300 W is below its 40 W idle.
  error = input_error_of([] { run_yaml(two_jobs("{name: power_cap, budget_kw: 1, min_cap: 0.1}")); });
  CHECK(error.field() == "policies.energy.min_cap");
  CHECK(std::string(error.what()).find("V100") != std::string::npos);
}
