// Sweeps (core/sweep.hpp): which points a sweep block makes, in what order,
// how a field path edits the scenario, and the errors a user sees.
#include <catch2/catch.hpp>

#include "core/sweep.hpp"
#include "tests/support/helpers.hpp"

using capsim::testing::scenario_from;

static std::string message_of(const std::function<void()>& f) {
  return capsim::testing::input_error_of(f).what();
}

namespace {

const char* const kBase = R"(name: base
cluster:
  node_groups:
    - {name: v100, gpu: V100, gpus_per_node: 8, count: 4}
    - {name: t4, gpu: T4, gpus_per_node: 4, count: 2}
workload:
  synthetic: {preset: philly-2017, jobs: 20, jobs_per_hour: 10, max_gpus: 8}
run: {seed: 5}
)";

}  // namespace

TEST_CASE("a field path edits one node and shares the rest", "[sweep]") {
  const auto root = capsim::parse_config_text("a: {b: [x, {name: n, c: 1}], d: 2}", "t.yaml");
  const auto value = capsim::make_config_scalar("7", {"t.yaml", 9, 1});
  const auto edited = capsim::replace_config_value(root, "a.b[n].c", value, {"t.yaml", 9, 1}, "f");
  CHECK(capsim::config_flow_text(*edited) == "{a: {b: [x, {name: n, c: 7}], d: 2}}");
  CHECK(capsim::config_flow_text(*root) == "{a: {b: [x, {name: n, c: 1}], d: 2}}");  // untouched
  // By index, and a key the map lacks is added (with the maps on the way).
  const auto by_index = capsim::replace_config_value(root, "a.b[1].e", value, {"t.yaml", 9, 1}, "f");
  CHECK(capsim::config_flow_text(*by_index) == "{a: {b: [x, {name: n, c: 1, e: 7}], d: 2}}");
  const auto added = capsim::replace_config_value(root, "g.h", value, {"t.yaml", 9, 1}, "f");
  CHECK(capsim::config_flow_text(*added) == "{a: {b: [x, {name: n, c: 1}], d: 2}, g: {h: 7}}");
  // An item that is not there, a scalar in the way, a malformed path.
  CHECK(message_of([&] {
          capsim::replace_config_value(root, "a.b[5].c", value, {"t.yaml", 9, 1}, "f");
        }).find("t.yaml:9:1: f: expected an item of a.b (an index below 2, or the name: of one), got \"5\"") !=
        std::string::npos);
  CHECK(message_of([&] {
          capsim::replace_config_value(root, "a.d.x", value, {"t.yaml", 9, 1}, "f");
        }).find("a.d is \"2\", not a map") != std::string::npos);
  CHECK(message_of([&] {
          capsim::replace_config_value(root, "a..b", value, {"t.yaml", 9, 1}, "f");
        }).find("expected a field path") != std::string::npos);
}

TEST_CASE("a grid makes every combination, the last field fastest", "[sweep]") {
  const auto base = scenario_from(std::string(kBase) + R"(sweep:
  grid:
    cluster.node_groups[v100].count: {from: 2, to: 6, step: 2}
    policies.queue: [fifo, {name: sjf}]
)");
  const auto spec = capsim::parse_sweep(base);
  REQUIRE(spec);
  CHECK(spec->size() == 6);
  CHECK(spec->fields() == std::vector<std::string>{"cluster.node_groups[v100].count", "policies.queue"});
  const auto points = capsim::expand_sweep(base, *spec);
  REQUIRE(points.size() == 6);
  // Worked by hand: counts 2, 4, 6 (slowest) x queue fifo, sjf.
  const std::vector<std::pair<int, std::string>> expected = {{2, "fifo"}, {2, "sjf"},  {4, "fifo"},
                                                             {4, "sjf"},  {6, "fifo"}, {6, "sjf"}};
  for (std::size_t i = 0; i < points.size(); ++i) {
    CHECK(points[i].label == "point-000" + std::to_string(i));
    CHECK(points[i].scenario.cluster.node_groups[0].count == expected[i].first);
    CHECK(points[i].scenario.cluster.node_groups[1].count == 2);  // t4 untouched
    CHECK(points[i].scenario.queue_policy.name == expected[i].second);
    CHECK(points[i].scenario.run.seed == 5);
  }
  CHECK(points[1].settings[1] == std::pair<std::string, std::string>{"policies.queue", "{name: sjf}"});
  // The point's scenario text says what it changed.
  CHECK(points[3].scenario.text.find("# capsim sweep point-0003: cluster.node_groups[v100].count = 4; "
                                     "policies.queue = {name: sjf}") != std::string::npos);
}

TEST_CASE("listed points are crossed with the grid", "[sweep]") {
  const auto base = scenario_from(std::string(kBase) + R"(sweep:
  points:
    - {policies.queue: fifo}
    - {policies.queue: srtf, policies.placement: worst_fit}
  grid:
    run.seed: [1, 2]
)");
  const auto spec = capsim::parse_sweep(base);
  REQUIRE(spec);
  const auto points = capsim::expand_sweep(base, *spec);
  REQUIRE(points.size() == 4);
  CHECK(spec->fields() == std::vector<std::string>{"policies.queue", "policies.placement", "run.seed"});
  CHECK(points[0].scenario.queue_policy.name == "fifo");
  CHECK(points[0].scenario.placement_policy.name == "best_fit");
  CHECK(points[0].scenario.run.seed == 1);
  CHECK(points[1].scenario.run.seed == 2);
  CHECK(points[3].scenario.queue_policy.name == "srtf");
  CHECK(points[3].scenario.placement_policy.name == "worst_fit");
  CHECK(points[3].scenario.run.seed == 2);
}

TEST_CASE("a bad sweep value is reported at its own line", "[sweep]") {
  // Line 11 holds the value -3, which no node count may be.
  const auto base = scenario_from(std::string(kBase) + R"(sweep:
  grid:
    cluster.node_groups[0].count: [4, -3]
)");
  const auto spec = capsim::parse_sweep(base);
  REQUIRE(spec);
  const std::string message = message_of([&] { capsim::expand_sweep(base, *spec); });
  CHECK(message.find("test.yaml:11:") != std::string::npos);
  CHECK(message.find("cluster.node_groups[0].count") != std::string::npos);
}

TEST_CASE("sweep blocks that make no sense are refused", "[sweep]") {
  const auto sweep_error = [](const std::string& block) {
    return message_of([&] { capsim::parse_sweep(scenario_from(std::string(kBase) + block)); });
  };
  CHECK(sweep_error("sweep: {}\n").find("sweep: expected a map with grid:") != std::string::npos);
  CHECK(sweep_error("sweep: {grid: {run.seed: []}}\n").find("sweep.grid.run.seed: expected at least one value") !=
        std::string::npos);
  CHECK(sweep_error("sweep: {grid: {run.seed: {from: 5, to: 1, step: 1}}}\n")
            .find("expected a value no smaller than from") != std::string::npos);
  CHECK(sweep_error("sweep: {grid: {run.seed: {from: 1, to: 5, step: 0}}}\n").find("a positive step") !=
        std::string::npos);
  CHECK(sweep_error("sweep: {grids: {run.seed: [1]}}\n").find("grid") != std::string::npos);
  CHECK(sweep_error("sweep: {grid: {run.seed: [1, 2]}}\ncompare: {seeds: [1, 2]}\n")
            .find("no compare: block beside sweep:") != std::string::npos);
  CHECK(sweep_error("sweep: {grid: {a: {from: 1, to: 1000000, step: 1}, b: {from: 1, to: 1000000, step: 1}}}\n")
            .find("at most") != std::string::npos);
  // Without a sweep block: nothing.
  CHECK_FALSE(capsim::parse_sweep(scenario_from(kBase)));
}
