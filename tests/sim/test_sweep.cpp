// Running sweeps (sim/sweep.hpp): the combined table is the same whatever
// the thread count, its figures are the runs' own, and they survive the
// trip between processes exactly.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "sim/run.hpp"
#include "sim/sweep.hpp"
#include "tests/support/cli.hpp"
#include "tests/support/helpers.hpp"

using capsim::testing::scenario_from;
using capsim::testing::TempDir;

namespace {

const char* const kSweep = R"(name: sweep
cluster:
  node_groups:
    - {name: v100, gpu: V100, gpus_per_node: 8, count: 4}
workload:
  synthetic: {preset: philly-2017, jobs: 300, jobs_per_hour: 30, max_gpus: 8}
run: {seed: 3}
sweep:
  grid:
    cluster.node_groups[v100].count: [2, 4]
    policies.queue: [fifo, srtf]
    run.seed: [1, 2]
)";

}  // namespace

TEST_CASE("a sweep's table is the same on one thread and on several", "[sweep]") {
  const auto base = scenario_from(kSweep);
  const auto spec = capsim::parse_sweep(base);
  REQUIRE(spec);
  const auto points = capsim::expand_sweep(base, *spec);
  REQUIRE(points.size() == 8);
  capsim::sim::SweepOptions one;
  const auto serial = capsim::sim::run_sweep(points, one);
  capsim::sim::SweepOptions four;
  four.threads = 4;
  const auto parallel = capsim::sim::run_sweep(points, four);
  const auto a = capsim::sim::make_sweep_table(base.name, spec->fields(), points, serial.figures);
  const auto b = capsim::sim::make_sweep_table(base.name, spec->fields(), points, parallel.figures);
  CHECK(capsim::sim::sweep_csv(a) == capsim::sim::sweep_csv(b));
  TempDir dir;
  capsim::sim::write_sweep_h5(a, base.text, dir.path() / "a.h5");
  capsim::sim::write_sweep_h5(b, base.text, dir.path() / "b.h5");
  CHECK(capsim::testing::slurp(dir.path() / "a.h5") == capsim::testing::slurp(dir.path() / "b.h5"));

  // Each row holds that point's own run: point 5 is count 4, fifo, seed 2.
  const auto alone = capsim::sim::run_scenario(points[5].scenario);
  const auto& row = a.rows[5];
  CHECK(row.settings == std::vector<std::string>{"4", "fifo", "2"});
  CHECK(row.status == "complete");
  const auto column = [&](const std::string& name) {
    const auto it = std::find(a.metrics.begin(), a.metrics.end(), name);
    REQUIRE(it != a.metrics.end());
    return static_cast<std::size_t>(it - a.metrics.begin());
  };
  CHECK(row.values[column("jct_mean_s")] == alone.summary.jct_s.mean);
  CHECK(row.values[column("gpus")] == 32);
  CHECK(a.rows[0].values[column("gpus")] == 16);
  // A smaller cluster makes jobs wait longer (same arrivals: seed 1, fifo).
  CHECK(a.rows[0].values[column("queueing_delay_mean_s")] > a.rows[4].values[column("queueing_delay_mean_s")]);
}

TEST_CASE("a sweep runs only the points it is given", "[sweep]") {
  const auto base = scenario_from(kSweep);
  const auto spec = capsim::parse_sweep(base);
  const auto points = capsim::expand_sweep(base, *spec);
  capsim::sim::SweepOptions options;
  options.only = {1, 6};
  std::vector<std::size_t> done;
  options.done = [&](const capsim::SweepPoint& p, const capsim::sim::RunResults&) { done.push_back(p.index); };
  const auto runs = capsim::sim::run_sweep(points, options);
  std::sort(done.begin(), done.end());
  CHECK(done == std::vector<std::size_t>{1, 6});
  CHECK(runs.figures[1].has_value());
  CHECK_FALSE(runs.figures[0].has_value());
  const auto table = capsim::sim::make_sweep_table(base.name, spec->fields(), points, runs.figures);
  CHECK(table.rows[0].status == "not run");
  CHECK(std::isnan(table.rows[0].values[0]));
  // Not-run rows leave their figures empty in the CSV.
  const std::string csv = capsim::sim::sweep_csv(table);
  CHECK(csv.find("\n0,2,fifo,1,not run,,") != std::string::npos);
}

TEST_CASE("point figures cross processes exactly", "[sweep]") {
  capsim::sim::PointFigures f;
  f.point = 17;
  f.status = "partial";
  f.figures = {{"a", 0.1 + 0.2},
               {"chat.slo", 1e-300},
               {"none", std::numeric_limits<double>::quiet_NaN()},
               {"big", 123456789.123456789}};
  const auto back = capsim::sim::decode_point_figures(capsim::sim::encode_point_figures(f));
  CHECK(back.point == 17);
  CHECK(back.status == "partial");
  REQUIRE(back.figures.size() == 4);
  CHECK(back.figures[0].second == 0.1 + 0.2);  // bit for bit
  CHECK(back.figures[1].second == 1e-300);
  CHECK(std::isnan(back.figures[2].second));
  CHECK(back.figure("big") == 123456789.123456789);
  CHECK(std::isnan(back.figure("missing")));
}

TEST_CASE("sweep values with commas are quoted in the CSV", "[sweep]") {
  capsim::sim::SweepTable table;
  table.fields = {"policies.queue"};
  table.metrics = {"x"};
  table.rows.push_back({0, "point-0000", {"{name: tiresias, queue_thresholds: [1h, 4h]}"}, "complete", {1.5}});
  CHECK(capsim::sim::sweep_csv(table) ==
        "point,policies.queue,status,x\n0,\"{name: tiresias, queue_thresholds: [1h, 4h]}\",complete,1.5\n");
}
