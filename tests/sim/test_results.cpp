// results.h5 and summary.json: the layout DESIGN.md promises, read back with
// the HDF5 library; identical bytes for identical runs; atomic writes; and
// partial results marked as such.
#include <hdf5.h>
#include <hdf5_hl.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/results_writer.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::TempDir;

namespace {

const char* kScenario =
    "name: results-test\n"
    "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 4}]}\n"
    "workload:\n"
    "  synthetic: {preset: philly-2017, span: 2d, jobs_per_hour: 3, max_gpus: 16, users: 5}\n"
    "run: {seed: 3, metrics_interval: 2h}\n";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string string_attribute(hid_t object, const char* name) {
  const hid_t attribute = H5Aopen(object, name, H5P_DEFAULT);
  REQUIRE(attribute >= 0);
  const hid_t type = H5Aget_type(attribute);
  std::string value;
  REQUIRE(H5Tis_variable_str(type) > 0);
  char* text = nullptr;
  REQUIRE(H5Aread(attribute, type, &text) >= 0);  // the file's own type: UTF-8, variable length
  REQUIRE(text != nullptr);
  value = text;
  H5free_memory(text);
  H5Tclose(type);
  H5Aclose(attribute);
  return value;
}

std::vector<double> read_doubles(hid_t file, const char* path) {
  const hid_t dataset = H5Dopen2(file, path, H5P_DEFAULT);
  REQUIRE(dataset >= 0);
  const hid_t space = H5Dget_space(dataset);
  hsize_t rows = 0;
  H5Sget_simple_extent_dims(space, &rows, nullptr);
  std::vector<double> values(rows);
  if (rows) H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Sclose(space);
  H5Dclose(dataset);
  return values;
}

}  // namespace

TEST_CASE("results.h5 has /jobs and /timeseries with units", "[sim][results]") {
  TempDir dir;
  const auto results = capsim::testing::run_yaml(kScenario);
  sim::write_results(results, dir.path());
  const hid_t file = H5Fopen((dir.path() / "results.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  CHECK(string_attribute(file, "status") == "complete");
  CHECK(string_attribute(file, "scenario_name") == "results-test");
  CHECK(string_attribute(file, "scenario") == kScenario);
  CHECK(string_attribute(file, "capsim_version") == "0.1.0");
  std::uint64_t seed = 0;
  const hid_t seed_attribute = H5Aopen(file, "seed", H5P_DEFAULT);
  H5Aread(seed_attribute, H5T_NATIVE_UINT64, &seed);
  H5Aclose(seed_attribute);
  CHECK(seed == 3);

  const auto submit = read_doubles(file, "/jobs/submit_time");
  CHECK(submit.size() == results.jobs.size());
  CHECK(submit == results.jobs.submit_s);
  for (const char* column :
       {"/jobs/id", "/jobs/name", "/jobs/user", "/jobs/start_time", "/jobs/end_time", "/jobs/queueing_delay",
        "/jobs/jct", "/jobs/gpus", "/jobs/nodes", "/jobs/gpu_type", "/jobs/requested_gpu_type", "/jobs/region",
        "/jobs/preemptions", "/jobs/state", "/jobs/recorded_duration"}) {
    INFO(column);
    CHECK(H5Lexists(file, column, H5P_DEFAULT) > 0);
  }
  const hid_t jct = H5Dopen2(file, "/jobs/jct", H5P_DEFAULT);
  CHECK(string_attribute(jct, "units") == "s");
  // Chunked, shuffled and gzipped.
  const hid_t dcpl = H5Dget_create_plist(jct);
  CHECK(H5Pget_layout(dcpl) == H5D_CHUNKED);
  CHECK(H5Pget_nfilters(dcpl) == 2);
  H5Pclose(dcpl);
  H5Dclose(jct);

  const auto time = read_doubles(file, "/timeseries/time");
  CHECK(time.size() == results.timeseries.time_s.size());
  CHECK(time[1] == 7200);
  const hid_t utilisation = H5Dopen2(file, "/timeseries/gpu_utilisation", H5P_DEFAULT);
  const hid_t time_dataset = H5Dopen2(file, "/timeseries/time", H5P_DEFAULT);
  CHECK(H5DSis_attached(utilisation, time_dataset, 0) > 0);
  CHECK(H5DSis_scale(time_dataset) > 0);
  H5Dclose(time_dataset);
  H5Dclose(utilisation);
  H5Fclose(file);

  const auto summary = nlohmann::json::parse(slurp(dir.path() / "summary.json"));
  CHECK(summary["scenario"] == "results-test");
  CHECK(summary["metrics"]["jobs_submitted"] == results.summary.jobs_submitted);
  CHECK(summary["metrics"]["gpu_utilisation"].get<double>() == results.summary.gpu_utilisation);
  // Nothing but the two results is left behind (no temporary files).
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
  CHECK(files == 2);
}

TEST_CASE("the same scenario and seed give identical bytes", "[sim][results][determinism]") {
  TempDir first;
  TempDir second;
  sim::write_results(capsim::testing::run_yaml(kScenario), first.path());
  sim::write_results(capsim::testing::run_yaml(kScenario), second.path());
  CHECK(slurp(first.path() / "results.h5") == slurp(second.path() / "results.h5"));
  CHECK(slurp(first.path() / "summary.json") == slurp(second.path() / "summary.json"));

  // Another seed gives other jobs.
  Scenario other = capsim::testing::scenario_from(kScenario);
  other.run.seed = 4;
  TempDir third;
  sim::write_results(sim::run_scenario(other), third.path());
  CHECK(slurp(first.path() / "summary.json") != slurp(third.path() / "summary.json"));
}

TEST_CASE("an interrupted run writes what it has, marked partial", "[sim][results]") {
  const Scenario scenario = capsim::testing::scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 100}]}\n"
      "workload: {synthetic: {preset: philly-2017, jobs: 200000, jobs_per_hour: 2000, max_gpus: 64}}\n");
  sim::RunOptions options;
  options.should_stop = [] { return true; };  // as if SIGINT arrived at once
  const auto results = sim::run_scenario(scenario, options);
  CHECK(results.stats.interrupted);
  CHECK(results.summary.partial);
  CHECK(results.jobs.size() < 200'000);
  CHECK(results.jobs.size() > 0);
  TempDir dir;
  sim::write_results(results, dir.path());
  const hid_t file = H5Fopen((dir.path() / "results.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(string_attribute(file, "status") == "partial");
  H5Fclose(file);
  CHECK(slurp(dir.path() / "summary.json").find("\"status\": \"partial\"") != std::string::npos);
}

TEST_CASE("writing into a folder that cannot be made fails cleanly", "[sim][results]") {
  TempDir dir;
  const auto blocker = dir.write("file", "x");
  const auto results = capsim::testing::run_yaml(kScenario);
  CHECK_THROWS(sim::write_results(results, blocker / "sub"));
}

TEST_CASE("shares of GPUs and CPU-only jobs in results.h5: gpus as float64, unfinished jobs, identical bytes",
          "[sim][results][sharing]") {
  const char* scenario =
      "name: sharing\n"
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 2, count: 1, cpus: 8}]}\n"
      "workload:\n  jobs:\n"
      "    - {id: q, submit: 0s, gpus: 0.25, duration: 1h}\n"
      "    - {id: c, submit: 0s, gpus: 0, cpus: 2, duration: 30m}\n"
      "    - {id: w, submit: 0s, gpus: 2, duration: 10m, state: running}\n"
      "run: {metrics_interval: 1h}\n";
  TempDir first;
  TempDir second;
  const auto results = capsim::testing::run_yaml(scenario);
  sim::write_results(results, first.path());
  sim::write_results(capsim::testing::run_yaml(scenario), second.path());
  CHECK(slurp(first.path() / "results.h5") == slurp(second.path() / "results.h5"));
  CHECK(slurp(first.path() / "summary.json") == slurp(second.path() / "summary.json"));

  const hid_t file = H5Fopen((first.path() / "results.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const hid_t gpus = H5Dopen2(file, "/jobs/gpus", H5P_DEFAULT);
  const hid_t type = H5Dget_type(gpus);
  CHECK(H5Tget_class(type) == H5T_FLOAT);
  CHECK(H5Tget_size(type) == 8);
  CHECK(string_attribute(gpus, "units") == "GPUs");
  H5Tclose(type);
  H5Dclose(gpus);
  // w needs both GPUs, q holds a share of one: w waits for q (1 h), runs its
  // recorded 10 min and ends unfinished.
  CHECK(read_doubles(file, "/jobs/gpus") == std::vector<double>{0.25, 0, 2});
  CHECK(read_doubles(file, "/jobs/end_time") == std::vector<double>{3600, 1800, 4200});
  // Hour 0: a quarter GPU; hour 1 (10 min long): 2 GPUs.
  CHECK(read_doubles(file, "/timeseries/allocated_gpus") == std::vector<double>{0.25, 2});
  // The state column is fixed-width strings: the third is "unfinished".
  const hid_t state = H5Dopen2(file, "/jobs/state", H5P_DEFAULT);
  const hid_t state_type = H5Dget_type(state);
  const std::size_t width = H5Tget_size(state_type);
  std::string cells(3 * width, '\0');
  REQUIRE(H5Dread(state, state_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, cells.data()) >= 0);
  CHECK(std::string(cells.substr(2 * width, width).c_str()) == "unfinished");
  CHECK(std::string(cells.substr(1 * width, width).c_str()) == "completed");
  H5Tclose(state_type);
  H5Dclose(state);
  H5Fclose(file);

  const auto summary = nlohmann::json::parse(slurp(first.path() / "summary.json"));
  CHECK(summary["metrics"]["jobs_unfinished"] == 1);
  CHECK(summary["metrics"]["jobs_completed"] == 2);
  // 0.25 x 1 h + 2 x 10 min.
  CHECK(summary["metrics"]["gpu_hours_allocated"].get<double>() == Approx(0.25 + 2.0 / 6).epsilon(1e-15));
}
