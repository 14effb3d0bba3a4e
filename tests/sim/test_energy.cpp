// Energy, power and carbon of a run (sim/power_meter.hpp, core/energy.hpp):
// every figure worked out by hand from the catalog's watts (V100 and
// V100-32GB: 40 W idle, 300 W peak), the PUE, node watts and hourly carbon
// intensities; elastic nodes that draw nothing while released; the
// scenario's errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/results_codec.hpp"
#include "sim/summary.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::run_yaml;
using capsim::testing::scenario_from;
using capsim::testing::TempDir;

namespace {

const std::vector<double>& series(const sim::RunResults& results, std::string_view name) {
  const sim::TimeSeries::Metric* metric = results.timeseries.find(name);
  REQUIRE(metric != nullptr);
  return metric->values;
}

}  // namespace

TEST_CASE("energy of a hand-worked run equals the closed form to the joule", "[sim][energy]") {
  // One node of 4 V100s drawing 200 W of its own, PUE 1.5. Job a (2 GPUs)
  // runs 0-1h, job b (2 GPUs) 30m-1h30m; the run ends at 5,400 s.
  //   static: 4 x 40 + 200 = 360 W x 5,400 s = 1,944,000 J
  //   busy:   2 jobs x 2 GPUs x 260 W x 3,600 s = 3,744,000 J
  //   IT 5,688,000 J; facility x1.5 = 8,532,000 J = 2.37 kWh
  //   GPUs: 160 W x 5,400 s + 3,744,000 J = 4,608,000 J = 1.28 kWh
  //   peak (30m-1h): (360 + 4 x 260) x 1.5 = 2,100 W; mean 8,532,000 / 5,400 = 1,580 W
  const auto results = run_yaml(
      "cluster:\n"
      "  pue: 1.5\n"
      "  node_groups: [{gpu: V100, gpus_per_node: 4, count: 1, node_watts: 200}]\n"
      "workload:\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 2, duration: 1h}\n"
      "    - {id: b, submit: 30m, gpus: 2, duration: 1h}\n"
      "run: {metrics_interval: 30m}\n");
  const sim::Summary& s = results.summary;
  REQUIRE(s.simulated_s == 5400);
  CHECK(std::fabs(s.energy_figure("facility_energy_kwh") * 3.6e6 - 8'532'000) < 1);
  CHECK(std::fabs(s.energy_figure("it_energy_kwh") * 3.6e6 - 5'688'000) < 1);
  CHECK(std::fabs(s.gpu_energy_kwh * 3.6e6 - 4'608'000) < 1);
  CHECK(s.energy_figure("peak_power_kw") == Approx(2.1));
  CHECK(s.energy_figure("mean_power_kw") == Approx(1.58));
  CHECK(s.energy_figure("pue") == 1.5);
  CHECK(std::isnan(s.energy_figure("emissions_kg_co2e")));  // no carbon series
  CHECK(s.regions.empty());
  // Each job: 2 GPUs x 300 W x 3,600 s x 1.5 = 3,240,000 J = 0.9 kWh.
  CHECK(results.jobs.energy_kwh == std::vector<double>{0.9, 0.9});
  // Facility power by half hour: (360 + 520) x 1.5, (360 + 1,040) x 1.5, then 1,320 W again.
  const std::vector<double>& power = series(results, "power_kw");
  REQUIRE(power.size() == 3);
  CHECK(power[0] == Approx(1.32));
  CHECK(power[1] == Approx(2.1));
  CHECK(power[2] == Approx(1.32));
  CHECK(results.timeseries.find("emissions_kg_co2e") == nullptr);
}

TEST_CASE("emissions: each region's energy times its grid's intensity, hour by hour", "[sim][energy][carbon]") {
  // north: one V100 with hourly intensities 100, 300 (repeating); south: one
  // V100-32GB at a constant 500 g/kWh. A V100-only job runs 0-2h30m in north.
  //   north: 300 W: hour 0 0.3 kWh x 100 = 30 g; hour 1 0.3 x 300 = 90 g;
  //          half of hour 2 (100 again) 0.15 x 100 = 15 g: 135 g, 0.75 kWh
  //   south: 40 W x 9,000 s = 0.1 kWh x 500 = 50 g
  const auto results = run_yaml(
      "cluster:\n"
      "  regions:\n"
      "    - {name: north, carbon: [100, 300]}\n"
      "    - {name: south, carbon: 500}\n"
      "  node_groups:\n"
      "    - {name: n, gpu: V100, gpus_per_node: 1, count: 1, region: north}\n"
      "    - {name: s, gpu: V100-32GB, gpus_per_node: 1, count: 1, region: south}\n"
      "workload:\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 1, gpu_type: V100, duration: 150m}\n"
      "run: {metrics_interval: 1h}\n");
  const sim::Summary& s = results.summary;
  REQUIRE(s.simulated_s == 9000);
  CHECK(s.energy_figure("emissions_kg_co2e") == Approx(0.185));
  CHECK(s.energy_figure("facility_energy_kwh") == Approx(0.85));
  CHECK(s.energy_figure("carbon_intensity_g_per_kwh") == Approx(185 / 0.85));
  REQUIRE(s.regions.size() == 2);
  CHECK(s.regions[0].name == "north");
  CHECK(s.regions[0].figure("emissions_kg_co2e") == Approx(0.135));
  CHECK(s.regions[0].figure("facility_energy_kwh") == Approx(0.75));
  CHECK(s.regions[1].figure("emissions_kg_co2e") == Approx(0.05));
  CHECK(s.regions[1].figure("carbon_intensity_g_per_kwh") == Approx(500));
  // By hour: north 30, 90, 15 g; south 0.04 kWh x 500 = 20 g per hour, 10 g in the last half.
  const std::vector<double>& emissions = series(results, "emissions_kg_co2e");
  REQUIRE(emissions.size() == 3);
  CHECK(emissions[0] == Approx(0.050));
  CHECK(emissions[1] == Approx(0.110));
  CHECK(emissions[2] == Approx(0.025));
  // The summary survives results.h5 and summary.json.
  const nlohmann::ordered_json json = sim::summary_to_json(s);
  CHECK(json["metrics"]["emissions_kg_co2e"].get<double>() == Approx(0.185));
  CHECK(json["regions"][1]["name"] == "south");
}

TEST_CASE("a carbon series from a CSV file: the column named, hour by hour", "[sim][energy][carbon]") {
  TempDir dir;
  dir.write("grid.csv",
            "# hourly, from an export\n"
            "datetime,carbon_intensity,renewable_pct\n"
            "2025-01-01T00:00Z,200,40\n"
            "2025-01-01T01:00Z,50,80\n");
  const Scenario scenario = scenario_from(
      "cluster:\n"
      "  regions: [{name: here, carbon: {file: grid.csv, column: carbon_intensity}}]\n"
      "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
      "workload:\n"
      "  jobs: [{id: a, submit: 0s, gpus: 1, duration: 2h}]\n",
      "test.yaml", dir.path());
  REQUIRE(scenario.cluster.regions.size() == 1);
  CHECK(scenario.cluster.regions[0].carbon->values() == std::vector<double>{200, 50});
  // 0.3 kWh x 200 + 0.3 kWh x 50 = 75 g.
  const sim::RunResults results = sim::run_scenario(scenario);
  CHECK(results.summary.energy_figure("emissions_kg_co2e") == Approx(0.075));

  dir.write("bad.csv", "hour,intensity\n0,200\n1,lots\n");
  const InputError e = input_error_of([&] {
    scenario_from(
        "cluster:\n"
        "  regions: [{name: here, carbon: {file: bad.csv}}]\n"
        "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n",
        "test.yaml", dir.path());
  });
  CHECK(e.where().line == 3);
  CHECK(e.field() == "intensity");
  CHECK(std::string(e.what()).find("bad.csv") != std::string::npos);
}

TEST_CASE("released elastic nodes draw nothing", "[sim][energy][cluster]") {
  // Four 8-GPU nodes, none at first: job a's node is billed (and powered)
  // from its request to its release, and only then draws idle power.
  const auto results = run_yaml(
      "cluster:\n"
      "  node_groups:\n"
      "    - {name: burst, gpu: V100, gpus_per_node: 8, count: 4,\n"
      "       autoscaling: {min: 0, initial: 0, provisioning: 5m, scale_down_delay: 10m}}\n"
      "workload:\n"
      "  jobs: [{id: a, submit: 0s, gpus: 8, duration: 1h}]\n");
  REQUIRE(results.summary.node_groups.size() == 1);
  const double node_seconds = results.summary.node_groups[0].figure("node_hours") * 3600;
  REQUIRE(node_seconds > 3600);
  CHECK(results.summary.gpu_energy_kwh * 3.6e6 == Approx(node_seconds * 8 * 40 + 8 * 260 * 3600.0));
}

TEST_CASE("errors in regions and power name the field and what was expected", "[sim][energy][scenario]") {
  const auto error = [](const std::string& cluster) {
    return input_error_of([&] {
      scenario_from("cluster:\n" + cluster + "workload:\n  jobs: [{id: a, submit: 0s, gpus: 1, duration: 1h}]\n");
    });
  };
  const std::string two = "  regions: [{name: a, carbon: 10}, {name: b}]\n";
  InputError e = error(two + "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1, region: c}]\n");
  CHECK(e.field() == "cluster.node_groups[0].region");
  CHECK(e.expected() == "one of the cluster's regions (a, b)");
  e = error(two + "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n");
  CHECK(e.field() == "cluster.node_groups[0].region");
  e = error("  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1, region: a}]\n");
  CHECK(e.field() == "cluster.node_groups[0].region");
  e = error("  pue: 0.8\n  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n");
  CHECK(e.field() == "cluster.pue");
  e = error("  regions: [{name: a, carbon: [10, -1]}]\n  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n");
  CHECK(e.field() == "cluster.regions[0].carbon[1]");
  CHECK(e.where().line == 2);
  e = error("  regions: [{name: a}, {name: a}]\n  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n");
  CHECK(e.field() == "cluster.regions[1].name");
  e = error("  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1, node_watts: lots}]\n");
  CHECK(e.field() == "cluster.node_groups[0].node_watts");
}
