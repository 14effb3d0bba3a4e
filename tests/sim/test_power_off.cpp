// The power_off energy policy (scheduler/energy/power_off.hpp) in the native
// engine: nodes idle for the policy's `idle` are powered off and draw their
// group's off_watts, nodes are booted when work waits and take it after
// their boot time; energy worked out by hand to the joule; the minimum kept
// on; the scenario's errors.
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

// Two nodes of one V100 (40 W idle, 300 W peak) drawing 100 W of their own,
// 10 W when off, booting in 5 minutes. Job j1 (1 GPU) runs 0-1h; j2 (2
// GPUs) arrives at 3h.
const std::string kTwoNodes =
    "cluster:\n"
    "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 2, node_watts: 100, off_watts: 10, boot: 5m}]\n"
    "workload:\n"
    "  jobs:\n"
    "    - {id: j1, submit: 0s, gpus: 1, duration: 1h}\n"
    "    - {id: j2, submit: 3h, gpus: 2, duration: 1h}\n";

double joules(const sim::Summary& s, std::string_view figure) {
  return s.energy_figure(figure) * 3.6e6;
}

}  // namespace

TEST_CASE("power_off: idle nodes sleep, waiting work boots them; energy to the joule", "[sim][energy][power_off]") {
  // Scans every 10 s. node1 is idle from 0: off at 600 s. j1 ends at 3,600 s:
  // node0 off at 4,200 s. j2 arrives at 10,800 s; the scan at 10,810 s boots
  // both nodes; they take it at 11,110 s; it ends at 14,710 s, the run's end.
  //   node0: 140 W x (4,200 + 3,900) s + 10 W x 6,610 s + 260 W x 7,200 s
  //        = 1,134,000 + 66,100 + 1,872,000 = 3,072,100 J
  //   node1: 140 W x (600 + 3,900) s + 10 W x 10,210 s + 260 W x 3,600 s
  //        = 630,000 + 102,100 + 936,000 = 1,668,100 J
  const auto results = run_yaml(kTwoNodes + "policies: {energy: {name: power_off, idle: 10m}}\n");
  const sim::Summary& s = results.summary;
  REQUIRE(s.simulated_s == 14'710);
  CHECK(results.jobs.start_s[1] == 11'110);
  CHECK(results.jobs.jct_s[1] == 3'910);
  CHECK(std::fabs(joules(s, "facility_energy_kwh") - 4'740'200) < 1e-3);
  CHECK(s.energy_figure("nodes_powered_off") == 2);
  CHECK(s.energy_figure("node_boots") == 2);
  CHECK(s.energy_figure("node_hours_off") * 3600 == Approx(6'610 + 10'210));
  CHECK(sim::format_summary(s).find("2 nodes powered off, 2 booted") != std::string::npos);

  // Without the policy both nodes stay on (140 W) to 14,400 s and j2 waits
  // for nothing: 2 x 140 W x 14,400 s + 3 x 260 W x 3,600 s = 6,840,000 J.
  const auto always_on = run_yaml(kTwoNodes);
  CHECK(always_on.summary.simulated_s == 14'400);
  CHECK(std::fabs(joules(always_on.summary, "facility_energy_kwh") - 6'840'000) < 1e-3);
  CHECK(std::isnan(always_on.summary.energy_figure("nodes_powered_off")));
}

TEST_CASE("compare: energy policies side by side", "[sim][energy][power_off][compare]") {
  const Scenario scenario = scenario_from(kTwoNodes + "compare: {energy: [none, {name: power_off, idle: 10m}]}\n");
  const auto variants = sim::expand_variants(scenario);
  REQUIRE(variants.size() == 2);
  CHECK(variants[0].label == "fifo+best_fit+none/seed-1");
  CHECK(variants[1].label == "fifo+best_fit+power_off/seed-1");
  const sim::Comparison comparison = sim::run_comparison(variants, {});
  REQUIRE(comparison.columns.size() == 2);
  const auto figure = [&](std::size_t column, std::string_view name) {
    return sim::figure_of(comparison.columns[column].mean, name);
  };
  CHECK(std::fabs(figure(0, "facility_energy_kwh") * 3.6e6 - 6'840'000) < 1e-3);
  CHECK(std::fabs(figure(1, "facility_energy_kwh") * 3.6e6 - 4'740'200) < 1e-3);
  CHECK(figure(0, "node_hours_off") == 0);
  CHECK(figure(1, "node_hours_off") * 3600 == Approx(16'820));
  CHECK(sim::format_comparison(comparison).find("node-hours off") != std::string::npos);
}

TEST_CASE("power_off: a job of no length on a node just booted", "[sim][energy][power_off]") {
  // j2 takes no time: it starts on the nodes booted at 10,810 s as they come
  // up at 11,110 s and ends at that instant.
  std::string yaml = kTwoNodes + "policies: {energy: {name: power_off, idle: 10m}}\n";
  yaml.replace(yaml.find("gpus: 2, duration: 1h"), 21, "gpus: 2, duration: 0s");
  const auto results = run_yaml(yaml);
  CHECK(results.jobs.start_s[1] == 11'110);
  CHECK(results.jobs.end_s[1] == 11'110);
  CHECK(results.jobs.state[1] == sim::JobEnd::kCompleted);
}

TEST_CASE("power_off: min_on keeps nodes of each group powered", "[sim][energy][power_off]") {
  // node1, idle the longest, goes off at 600 s; node0, idle from 3,600 s, is
  // the one kept on; at 10,810 s one boot suffices for j2's second GPU.
  const auto results = run_yaml(kTwoNodes + "policies: {energy: {name: power_off, idle: 10m, min_on: 1}}\n");
  const sim::Summary& s = results.summary;
  CHECK(s.energy_figure("nodes_powered_off") == 1);
  CHECK(s.energy_figure("node_boots") == 1);
  CHECK(results.jobs.start_s[1] == 11'110);
  CHECK(s.energy_figure("node_hours_off") * 3600 == Approx(10'810 - 600));
}

TEST_CASE("power_off: elastic groups are the cluster autoscaler's, never powered off", "[sim][energy][power_off]") {
  // A fixed group and an autoscaled one: only the fixed group's idle node
  // sleeps (the autoscaled node is released by the cluster autoscaler).
  const auto results = run_yaml(
      "cluster:\n"
      "  node_groups:\n"
      "    - {name: owned, gpu: V100, gpus_per_node: 1, count: 1}\n"
      "    - {name: cloud, gpu: V100, gpus_per_node: 1, count: 1,\n"
      "       autoscaling: {min: 0, initial: 1, provisioning: 1m, scale_down_delay: 30m}}\n"
      "workload:\n"
      "  jobs: [{id: j, submit: 0s, gpus: 1, duration: 2h}]\n"
      "policies: {energy: {name: power_off, idle: 10m}}\n");
  const sim::Summary& s = results.summary;
  // The job takes the owned node (best fit, lowest id); the cloud node is
  // released after 30 minutes, the owned one never idles.
  CHECK(s.energy_figure("nodes_powered_off") == 0);
  CHECK(s.node_groups.at(1).figure("nodes_released") == 1);
}

TEST_CASE("energy policies together: each does its part", "[sim][energy][power_off][compare]") {
  // power_off and power_cap (1 kW: never binding here) together do what
  // power_off does alone, and name the run by both.
  const std::string both = "policies: {energy: [{name: power_off, idle: 10m}, {name: power_cap, budget_kw: 1}]}\n";
  const auto results = run_yaml(kTwoNodes + both);
  CHECK(std::fabs(joules(results.summary, "facility_energy_kwh") - 4'740'200) < 1e-3);
  CHECK(results.summary.energy_figure("nodes_powered_off") == 2);
  CHECK(results.summary.energy_figure("capped_hours") == 0);
  const Scenario scenario =
      scenario_from(kTwoNodes + "compare: {energy: [none, [{name: power_off, idle: 10m}, carbon_aware]]}\n");
  const auto variants = sim::expand_variants(scenario);
  REQUIRE(variants.size() == 2);
  CHECK(variants[1].label == "fifo+best_fit+power_off+carbon_aware/seed-1");
  // Two policies that do the same thing: an error naming the second.
  const auto error =
      input_error_of([&] { run_yaml(kTwoNodes + "policies: {energy: [power_off, {name: power_off}]}\n"); });
  CHECK(error.field() == "policies.energy[1]");
  CHECK(std::string(error.what()).find("powers nodes off and on") != std::string::npos);
}

TEST_CASE("power_off: bad input names the field", "[sim][energy][power_off]") {
  const std::string cluster =
      "cluster:\n"
      "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 2}]\n"
      "workload:\n"
      "  jobs: [{id: j, submit: 0s, gpus: 1, duration: 1h}]\n";
  // The scenario parses; the registry rejects the name when the run builds it.
  auto error = input_error_of([&] { run_yaml(cluster + "policies: {energy: {name: power_of}}\n"); });
  CHECK(error.field() == "policies.energy.name");
  CHECK(std::string(error.what()).find("power_off") != std::string::npos);
  error = input_error_of([&] { run_yaml(cluster + "policies: {energy: {name: power_off, idle: -5m}}\n"); });
  CHECK(error.field() == "policies.energy.idle");
  error = input_error_of([&] { run_yaml(cluster + "policies: {energy: {name: power_off, sleep: 5m}}\n"); });
  CHECK(error.field() == "policies.energy.sleep");
  error = input_error_of([&] { scenario_from(cluster + "policies: {energy: power_off}\nrun: {engine: simgrid}\n"); });
  CHECK(error.field() == "policies.energy");
  error = input_error_of([&] {
    run_yaml(cluster +
             "policies: {energy: [carbon_aware, power_off]}\nfailures: {outages: [{at: 1h, duration: 1h, node: 0}]}\n");
  });
  CHECK(error.field() == "policies.energy");
  // Policies that power nothing off run with failures.
  const auto with_failures = run_yaml(
      cluster +
      "policies: {energy: {name: power_cap, budget_kw: 1}}\nfailures: {outages: [{at: 30m, duration: 1h, node: 0}]}\n");
  CHECK(with_failures.summary.jobs_completed == 1);
  CHECK(sim::figure_of(with_failures.summary.failures, "failure_interruptions") == 1);
  error = input_error_of([&] {
    scenario_from(
        "cluster:\n"
        "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 2, off_watts: 5,\n"
        "                 autoscaling: {min: 0, initial: 1}}]\n"
        "workload:\n"
        "  jobs: [{id: j, submit: 0s, gpus: 1, duration: 1h}]\n");
  });
  CHECK(error.field() == "cluster.node_groups[0].off_watts");
  error = input_error_of([&] {
    scenario_from(
        "cluster:\n"
        "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 2, boot: 2d}]\n"
        "workload:\n"
        "  jobs: [{id: j, submit: 0s, gpus: 1, duration: 1h}]\n");
  });
  CHECK(error.field() == "cluster.node_groups[0].boot");
}
