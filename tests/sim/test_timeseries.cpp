// Time series: levels are exact averages over each interval.
#include <catch2/catch.hpp>

#include "sim/timeseries_recorder.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using namespace capsim::sim;

TEST_CASE("levels are averaged over each interval, by hand", "[sim][timeseries]") {
  // 10 GPUs, 60 s intervals. Allocated: 0 until 30 s, 4 until 90 s, 10 until
  // 100 s, where the run ends.
  // Interval [0, 60): 4 GPUs for 30 s -> 2.0 on average.
  // Interval [60, 100): 4 for 30 s + 10 for 10 s over 40 s -> 5.5.
  TimeSeriesRecorder recorder(Duration::seconds(60), 10);
  EngineCounters c;
  recorder.on_instant_end(Time::from_us(0), c);
  c.allocated_gpu_milli = 4000;
  c.running_jobs = 1;
  recorder.on_instant_end(Time::zero() + Duration::seconds(30), c);
  c.allocated_gpu_milli = 10000;
  c.running_jobs = 2;
  recorder.on_instant_end(Time::zero() + Duration::seconds(90), c);
  recorder.on_run_end(Time::zero() + Duration::seconds(100));
  const TimeSeries series = recorder.result();
  CHECK(series.time_s == std::vector<double>{0, 60});
  CHECK(series.find("allocated_gpus")->values == std::vector<double>{2.0, 5.5});
  CHECK(series.find("gpu_utilisation")->values == std::vector<double>{0.2, 0.55});
  CHECK(series.find("running_jobs")->values == std::vector<double>{0.5, 1.25});
  CHECK(series.find("gpu_utilisation")->units == "1");
}

TEST_CASE("a run ending on an interval boundary has no empty last interval", "[sim][timeseries]") {
  // One job of 4 GPUs from 0 to exactly 2 h: two full hours, and its end is
  // counted in the second hour.
  const auto results = capsim::testing::run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n"
      "workload: {jobs: [{submit: 0s, gpus: 4, duration: 2h}]}\n");
  const TimeSeries& s = results.timeseries;
  CHECK(s.time_s == std::vector<double>{0, 3600});
  CHECK(s.find("allocated_gpus")->values == std::vector<double>{4, 4});
  CHECK(s.find("job_ends")->values == std::vector<double>{0, 1});
}

TEST_CASE("a run's series matches its summary", "[sim][timeseries]") {
  const auto results = capsim::testing::run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n"
      "workload:\n  jobs:\n"
      "    - {submit: 0s, gpus: 4, duration: 90m}\n"
      "    - {submit: 30m, gpus: 2, duration: 1h}\n"
      "run: {metrics_interval: 1h}\n");
  // Job 0 runs 0-90m on 4 GPUs; job 1 waits 30m-90m, runs 90m-150m on 2.
  // Hour 0: 4 GPUs; pending 0.5 on average. Hour 1: 4 for 30m + 2 for 30m = 3;
  // pending 0.5. Hour 2 (150m - 120m = 30 min long): 2 GPUs.
  const TimeSeries& s = results.timeseries;
  CHECK(s.time_s == std::vector<double>{0, 3600, 7200});
  CHECK(s.find("allocated_gpus")->values == std::vector<double>{4, 3, 2});
  CHECK(s.find("pending_jobs")->values == std::vector<double>{0.5, 0.5, 0});
  CHECK(s.find("arrivals")->values == std::vector<double>{2, 0, 0});
  CHECK(s.find("job_ends")->values == std::vector<double>{0, 1, 1});
}
