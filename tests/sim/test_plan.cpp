// Capacity plans (core/plan_spec.hpp, sim/plan.hpp): the search finds the
// cheapest cluster a hand count gives, with fewer runs than the grid, per
// quarter; and the plan block's mistakes are reported where they are.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/plan_spec.hpp"
#include "sim/plan.hpp"
#include "tests/support/helpers.hpp"

using capsim::testing::scenario_from;

static std::string message_of(const std::function<void()>& f) {
  return capsim::testing::input_error_of(f).what();
}

namespace {

// Four 8-GPU jobs of an hour, all at time 0. A node holds one; a job that
// waits waits an hour. Group `cheap` is V100 nodes at $3.06/GPU-hour, `dear`
// the same GPUs at $6: no wait needs four nodes, and four cheap ones are
// the cheapest cluster (4 x 8 x 3.06 x 730.5 h = $71,531.56 a month).
const char* const kBase = R"(name: plan-test
cluster:
  node_groups:
    - {name: cheap, gpu: V100, gpus_per_node: 8, count: 1}
    - {name: dear, gpu: V100, gpus_per_node: 8, count: 1, usd_per_gpu_hour: 6}
workload:
  jobs:
    - {id: a, submit: 0s, gpus: 8, duration: 1h}
    - {id: b, submit: 0s, gpus: 8, duration: 1h}
    - {id: c, submit: 0s, gpus: 8, duration: 1h}
    - {id: d, submit: 0s, gpus: 8, duration: 1h}
)";

const char* const kPlan = R"(plan:
  node_groups:
    cheap: {min: 0, max: 8}
    dear: {min: 0, max: 8}
  constraints:
    - {metric: queueing_delay_max_s, max: 0s}
  seeds: [1, 2]
  quarters:
    - {name: now}
    - name: next
      set:
        workload.jobs: [{id: a, submit: 0s, gpus: 8, duration: 1h}, {id: b, submit: 0s, gpus: 8, duration: 1h},
                        {id: c, submit: 0s, gpus: 8, duration: 1h}, {id: d, submit: 0s, gpus: 8, duration: 1h},
                        {id: e, submit: 0s, gpus: 8, duration: 1h}, {id: f, submit: 0s, gpus: 8, duration: 1h}]
)";

}  // namespace

TEST_CASE("a plan finds the cheapest cluster of each quarter with fewer runs than the grid", "[plan]") {
  const auto base = scenario_from(std::string(kBase) + kPlan);
  const auto spec = capsim::parse_plan(base);
  REQUIRE(spec);
  CHECK(spec->grid_size() == 81);
  capsim::sim::PlanOptions options;
  options.threads = 2;
  const auto plan = capsim::sim::run_plan(base, *spec, options);
  REQUIRE(plan.quarters.size() == 2);
  const auto& now = plan.quarters[0];
  REQUIRE(now.recommended);
  const auto& best = now.evaluated[*now.recommended];
  CHECK(best.counts == std::vector<std::int64_t>{4, 0});
  CHECK(best.cost_per_month_usd == Approx(4 * 8 * 3.06 * 730.5));
  CHECK(best.worst[0] == 0);
  CHECK(now.simulations < 81 * 2 / 4);  // under a quarter of the grid's runs
  // Runner-ups: dearer, in order; one dear node instead of a cheap one next.
  REQUIRE_FALSE(now.runner_ups.empty());
  CHECK(now.evaluated[now.runner_ups[0]].counts == std::vector<std::int64_t>{3, 1});
  // Six jobs next quarter: six cheap nodes.
  const auto& next = plan.quarters[1];
  REQUIRE(next.recommended);
  CHECK(next.evaluated[*next.recommended].counts == std::vector<std::int64_t>{6, 0});

  // The whole grid agrees.
  options.exhaustive = true;
  const auto grid = capsim::sim::run_plan(base, *spec, options);
  CHECK(grid.quarters[0].simulations == 80 * 2);  // (0, 0) is not run
  // No nodes at all is no cluster: judged infeasible, not an error.
  CHECK(grid.quarters[0].evaluated[0].counts == std::vector<std::int64_t>{0, 0});
  CHECK_FALSE(grid.quarters[0].evaluated[0].feasible);
  CHECK(grid.quarters[0].evaluated[*grid.quarters[0].recommended].counts == best.counts);
  CHECK(grid.quarters[1].evaluated[*grid.quarters[1].recommended].counts == std::vector<std::int64_t>{6, 0});

  // The files: one CSV row per candidate, the recommendation in JSON.
  const std::string csv = capsim::sim::plan_csv(*spec, plan);
  CHECK(csv.rfind("quarter,candidate,cheap.count,dear.count,cost_per_month_usd,queueing_delay_max_s,feasible,"
                  "recommended,found_by\n",
                  0) == 0);
  const auto json = nlohmann::json::parse(capsim::sim::plan_json(*spec, plan));
  CHECK(json["quarters"][0]["recommended"]["node_counts"]["cheap"] == 4);
  CHECK(json["quarters"][1]["recommended"]["node_counts"]["cheap"] == 6);
  CHECK(json["constraints"][0]["op"] == "<=");
  CHECK(json["quarters"][0]["recommended"]["constraints"][0]["margin"] == 0);
}

TEST_CASE("a constraint no cluster meets gives no recommendation and says why", "[plan]") {
  // Every job at once needs four nodes; a power cap of 2 kW allows fewer
  // (a V100 draws 300 W busy: four nodes, 9.6 kW).
  const auto base = scenario_from(std::string(kBase) + R"(plan:
  node_groups: {cheap: {max: 6}}
  constraints:
    - {metric: queueing_delay_max_s, max: 0}
    - {metric: peak_power_kw, max: 2}
)");
  const auto spec = capsim::parse_plan(base);
  REQUIRE(spec);
  CHECK(capsim::sim::grows_with_capacity("peak_power_kw"));
  CHECK_FALSE(capsim::sim::grows_with_capacity("queueing_delay_max_s"));
  const auto plan = capsim::sim::run_plan(base, *spec, {});
  CHECK_FALSE(plan.quarters[0].recommended);
  CHECK(capsim::sim::format_plan(base, *spec, plan).find("no candidate meets every constraint") != std::string::npos);
}

TEST_CASE("plan blocks that make no sense are refused where they are", "[plan]") {
  const auto error = [](const std::string& block) {
    return message_of([&] {
      const auto base = scenario_from(std::string(kBase) + block);
      const auto spec = capsim::parse_plan(base);
      capsim::sim::run_plan(base, *spec, {});
    });
  };
  CHECK(error("plan: {node_groups: {chepa: {max: 3}}}\n").find("did you mean cheap?") != std::string::npos);
  CHECK(error("plan: {node_groups: {cheap: {min: 4, max: 3}}}\n").find("expected at least min (4)") !=
        std::string::npos);
  CHECK(error("plan: {node_groups: {cheap: {max: 3}}, constraints: [{metric: x, max: 1, min: 0}]}\n")
            .find("exactly one of max: and min:") != std::string::npos);
  CHECK(error("plan: {node_groups: {cheap: {max: 3}}, constraints: [{metric: queueing_dely_p95_s, max: 1h}]}\n")
            .find("did you mean queueing_delay_p95_s?") != std::string::npos);
  CHECK(error("plan: {node_groups: {cheap: {max: 3}}, objective: cost_per_mont_usd}\n").find("plan.objective") !=
        std::string::npos);
  CHECK(error("plan: {node_groups: {cheap: {max: 3}}, constraints: [{metric: x, max: soon}]}\n")
            .find("a number, or a duration") != std::string::npos);
  CHECK(
      error("plan: {node_groups: {cheap: {max: 3}}, quarters: [{name: q, set: {cluster.nodes: 3}}]}\n").find("nodes") !=
      std::string::npos);
  CHECK(error("plan: {node_groups: {cheap: {max: 3}}}\ncompare: {seeds: [1, 2]}\n")
            .find("no compare: block beside plan:") != std::string::npos);
}
