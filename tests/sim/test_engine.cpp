// The native engine on a handful of jobs whose completion times are worked
// out by hand in the comments.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "sim/summary.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::sim::JobEnd;
using capsim::testing::run_yaml;

namespace {
// Two V100 nodes of 4 GPUs, and one H100 node of 4 (H100 speed 4.4).
const char* kCluster =
    "cluster:\n"
    "  node_groups:\n"
    "    - {name: v, gpu: V100, gpus_per_node: 4, count: 2}\n"
    "    - {name: h, gpu: H100, gpus_per_node: 4, count: 1}\n";
}  // namespace

TEST_CASE("FIFO on a small cluster, by hand", "[sim][engine]") {
  // a (t=0, 4 GPUs V100, 100 s): runs on node 0 at 0, ends at 100.
  // b (t=0, 4 GPUs V100, 50 s): runs on node 1 at 0, ends at 50.
  // c (t=10, 8 GPUs V100, 20 s): both V100 nodes; node 1 frees at 50, node 0
  //   at 100; starts at 100, ends at 120. Queueing delay 90, JCT 110.
  // d (t=20, 1 GPU V100, 5 s): strict FIFO, waits behind c although node 1
  //   is free from 50; starts at 120 on node 0, ends at 125.
  // e (t=30, 2 GPUs any type, 30 s): waits behind c and d although the H100
  //   node is free; at 120 best fit picks V100 node 0 (3 free, leaves 1)
  //   over the H100 node (leaves 2); ends at 150.
  const auto results = run_yaml(std::string(kCluster) +
                                "workload:\n  jobs:\n"
                                "    - {id: a, submit: 0s, gpus: 4, duration: 100s, gpu_type: V100}\n"
                                "    - {id: b, submit: 0s, gpus: 4, duration: 50s, gpu_type: V100}\n"
                                "    - {id: c, submit: 10s, gpus: 8, duration: 20s, gpu_type: V100}\n"
                                "    - {id: d, submit: 20s, gpus: 1, duration: 5s, gpu_type: V100}\n"
                                "    - {id: e, submit: 30s, gpus: 2, duration: 30s}\n");
  const auto& jobs = results.jobs;
  REQUIRE(jobs.size() == 5);
  CHECK(jobs.name[2] == "c");
  CHECK(jobs.start_s == std::vector<double>{0, 0, 100, 120, 120});
  CHECK(jobs.end_s == std::vector<double>{100, 50, 120, 125, 150});
  CHECK(jobs.queueing_delay_s[2] == 90);
  CHECK(jobs.jct_s[2] == 110);
  CHECK(jobs.jct_s[4] == 120);
  CHECK(jobs.nodes[2] == 2);
  CHECK(jobs.gpu_type_names[static_cast<std::size_t>(jobs.gpu_type[4])] == "V100");
  for (const JobEnd state : jobs.state) CHECK(state == JobEnd::kCompleted);
  // Makespan from the first submit (0) to the last end (150).
  CHECK(results.summary.makespan_s == 150);
  CHECK(results.summary.jobs_completed == 5);
  // GPU-seconds: 400 + 200 + 160 + 5 + 60 = 825, over 12 GPUs x 150 s.
  CHECK(results.summary.gpu_utilisation == Approx(825.0 / 1800));
  // Mean JCT: (100 + 50 + 110 + 105 + 120) / 5 = 97.
  CHECK(results.summary.jct_s.mean == 97);
  CHECK(results.summary.queueing_delay_s.max == 100);
}

TEST_CASE("a job on a faster GPU type ends sooner", "[sim][engine]") {
  // a fills the V100 nodes; b (2 GPUs, 30 s recorded on a V100) can only go to
  // the H100 node, 4.4x faster: 30 / 4.4 = 6.818182 s.
  const auto results = run_yaml(std::string(kCluster) +
                                "workload:\n  jobs:\n"
                                "    - {id: a, submit: 0s, gpus: 8, duration: 100s, gpu_type: V100}\n"
                                "    - {id: b, submit: 1s, gpus: 2, duration: 30s}\n");
  CHECK(results.jobs.start_s[1] == 1);
  CHECK(results.jobs.end_s[1] == Approx(1 + 30 / 4.4).margin(1e-6));
  CHECK(results.jobs.gpu_type_names[static_cast<std::size_t>(results.jobs.gpu_type[1])] == "H100");
}

TEST_CASE("a job on a slower GPU type takes longer", "[sim][engine]") {
  // 1 h recorded on a V100, run on a T4 (speed 0.35): 3600 / 0.35 = 10285.714286 s.
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: T4, gpus_per_node: 4, count: 1}]}\n"
      "workload: {jobs: [{submit: 0s, gpus: 2, duration: 1h}]}\n");
  CHECK(results.jobs.end_s[0] == Approx(10285.714286).margin(1e-6));
}

TEST_CASE("failed and killed jobs run their recorded time and keep their state", "[sim][engine]") {
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
      "workload:\n  jobs:\n"
      "    - {submit: 0s, gpus: 1, duration: 10s, state: failed}\n"
      "    - {submit: 0s, gpus: 1, duration: 20s, state: killed}\n");
  CHECK(results.jobs.state == std::vector<JobEnd>{JobEnd::kFailed, JobEnd::kKilled});
  CHECK(results.jobs.end_s == std::vector<double>{10, 20});
  CHECK(results.summary.jobs_failed == 1);
  CHECK(results.summary.jobs_killed == 1);
  CHECK(results.summary.jct_s.count == 2);
}

TEST_CASE("the horizon stops the run and reports what was left", "[sim][engine]") {
  // a ends at 100 s; b starts at 100 s, still running at the 150 s horizon;
  // c arrives at 120 s and waits; d would arrive at 200 s, past the horizon.
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n"
      "workload:\n  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 4, duration: 100s}\n"
      "    - {id: b, submit: 50s, gpus: 4, duration: 100s}\n"
      "    - {id: c, submit: 120s, gpus: 1, duration: 1s}\n"
      "    - {id: d, submit: 200s, gpus: 1, duration: 1s}\n"
      "run: {horizon: 150s, metrics_interval: 1m}\n");
  CHECK(results.jobs.size() == 3);
  CHECK(results.jobs.state == std::vector<JobEnd>{JobEnd::kCompleted, JobEnd::kRunning, JobEnd::kPending});
  CHECK(results.summary.simulated_s == 150);
  CHECK(results.summary.jobs_running == 1);
  CHECK(results.summary.jobs_pending == 1);
  CHECK(std::isnan(results.jobs.end_s[1]));
  // GPU-seconds: a 400 + b 4 x 50 = 600 over 4 GPUs x 150 s.
  CHECK(results.summary.gpu_utilisation == Approx(1.0));
  CHECK(results.summary.gpu_hours_allocated == Approx(600.0 / 3600));
}

TEST_CASE("zero-length jobs start and end at the same instant", "[sim][engine]") {
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]}\n"
      "workload:\n  jobs:\n"
      "    - {submit: 5s, gpus: 1, duration: 0s}\n"
      "    - {submit: 5s, gpus: 1, duration: 0s}\n"
      "    - {submit: 5s, gpus: 1, duration: 3s}\n");
  CHECK(results.jobs.start_s == std::vector<double>{5, 5, 5});
  CHECK(results.jobs.end_s == std::vector<double>{5, 5, 8});
}

TEST_CASE("jobs too large for the cluster are rejected, not waited for", "[sim][engine]") {
  capsim::testing::TempDir dir;
  // big asks for more GPUs than exist; roomy for more GPU memory than a V100 has.
  dir.write("t.csv",
            "job_id,submit_s,gpus,duration_s,gpu_memory_mib\nbig,0,16,10,\nroomy,0,1,10,40960\nsmall,1,1,10,\n");
  const Scenario scenario = capsim::testing::scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
      "workload: {trace: {format: csv, path: t.csv}}\n",
      "x.yaml", dir.path());
  const auto results = sim::run_scenario(scenario);
  CHECK(results.jobs.state == std::vector<JobEnd>{JobEnd::kRejected, JobEnd::kRejected, JobEnd::kCompleted});
  CHECK(results.summary.jobs_rejected == 2);
  CHECK(results.jobs.end_s[2] == 11);
}

TEST_CASE("four quarter-GPU jobs share one GPU; a fifth waits", "[sim][engine][sharing]") {
  // One V100 GPU. a-d ask a quarter each and run 100, 200, 300, 400 s; each
  // runs at a quarter of a V100, as recorded, so exactly its recorded time.
  // e (a quarter, 50 s) finds the GPU full; when a ends at 100 it takes a's
  // quarter and ends at 150.
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]}\n"
      "workload:\n  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 0.25, duration: 100s}\n"
      "    - {id: b, submit: 0s, gpus: 0.25, duration: 200s}\n"
      "    - {id: c, submit: 0s, gpus: 0.25, duration: 300s}\n"
      "    - {id: d, submit: 0s, gpus: 0.25, duration: 400s}\n"
      "    - {id: e, submit: 0s, gpus: 0.25, duration: 50s}\n"
      "run: {metrics_interval: 100s}\n");
  const auto& jobs = results.jobs;
  CHECK(jobs.start_s == std::vector<double>{0, 0, 0, 0, 100});
  CHECK(jobs.end_s == std::vector<double>{100, 200, 300, 400, 150});
  CHECK(jobs.gpus == std::vector<double>{0.25, 0.25, 0.25, 0.25, 0.25});
  CHECK(jobs.nodes == std::vector<std::int32_t>{1, 1, 1, 1, 1});
  // GPU-seconds: a quarter of 100 + 200 + 300 + 400 + 50 = 262.5, over 1 GPU x 400 s.
  CHECK(results.summary.gpu_hours_allocated == 262.5 / 3600);
  CHECK(results.summary.gpu_utilisation == 262.5 / 400);
  // Allocated GPUs per 100 s: [0, 100) four quarters, 1; [100, 200) four
  // quarters until e ends at 150, then three: 0.875; then 0.5 and 0.25.
  CHECK(results.timeseries.find("allocated_gpus")->values == std::vector<double>{1, 0.875, 0.5, 0.25});
  CHECK(results.timeseries.find("gpu_utilisation")->values == std::vector<double>{1, 0.875, 0.5, 0.25});
}

TEST_CASE("a share runs its recorded time on its recorded type, faster on a faster one", "[sim][engine][sharing]") {
  // One H100 (speed 4.4). a: half a GPU, 100 s recorded on an H100: 100 s.
  // b: half a GPU, 44 s recorded on a V100: work 44 x 0.5 x 1 = 22 reference
  // GPU-s at 0.5 x 4.4 = 2.2 per s, 10 s.
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: H100, gpus_per_node: 1, count: 1}]}\n"
      "workload:\n  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 0.5, duration: 100s, recorded_on: H100}\n"
      "    - {id: b, submit: 0s, gpus: 0.5, duration: 44s}\n");
  CHECK(results.jobs.start_s == std::vector<double>{0, 0});
  CHECK(results.jobs.end_s == std::vector<double>{100, 10});
  CHECK(results.jobs.gpu_type_names[static_cast<std::size_t>(results.jobs.gpu_type[1])] == "H100");
  // 0.5 x 100 + 0.5 x 10 GPU-seconds.
  CHECK(results.summary.gpu_hours_allocated == 55.0 / 3600);
}

TEST_CASE("CPU-only jobs run on CPU beside busy GPUs", "[sim][engine][cpu_only]") {
  // One V100 with 8 cores. g takes the GPU (and no CPU) for 100 s. c1 (6
  // cores, 50 s) runs at once; c2 (4 cores, 30 s) waits for c1's cores under
  // strict FIFO: 50 to 80 s. CPU-only jobs run their recorded time.
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 1, count: 1, cpus: 8, memory: 32GiB}]}\n"
      "workload:\n  jobs:\n"
      "    - {id: g, submit: 0s, gpus: 1, duration: 100s}\n"
      "    - {id: c1, submit: 0s, gpus: 0, cpus: 6, duration: 50s}\n"
      "    - {id: c2, submit: 0s, gpus: 0, cpus: 4, memory: 1GiB, duration: 30s}\n");
  const auto& jobs = results.jobs;
  CHECK(jobs.start_s == std::vector<double>{0, 0, 50});
  CHECK(jobs.end_s == std::vector<double>{100, 50, 80});
  CHECK(jobs.gpus == std::vector<double>{1, 0, 0});
  CHECK(jobs.gpu_type == std::vector<GpuTypeId>{*GpuCatalog::builtin().find("V100"), kAnyGpuType, kAnyGpuType});
  CHECK(jobs.nodes[1] == 1);
  // Only g holds a GPU: 100 GPU-seconds.
  CHECK(results.summary.gpu_hours_allocated == 100.0 / 3600);
  CHECK(results.summary.jobs_completed == 3);
  CHECK(results.summary.jct_s.max == 100);
}

TEST_CASE("jobs still running when the trace ended run their time and end unfinished", "[sim][engine]") {
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
      "workload:\n  jobs:\n"
      "    - {submit: 0s, gpus: 2, duration: 10s, state: running}\n"
      "    - {submit: 0s, gpus: 0.5, duration: 20s, state: running}\n"
      "    - {submit: 5s, gpus: 1, duration: 5s}\n");
  CHECK(results.jobs.state == std::vector<JobEnd>{JobEnd::kUnfinished, JobEnd::kUnfinished, JobEnd::kCompleted});
  CHECK(results.jobs.end_s == std::vector<double>{10, 20, 10});
  CHECK(results.summary.jobs_unfinished == 2);
  CHECK(results.summary.jobs_completed == 1);
  CHECK(results.summary.jct_s.count == 3);  // counted like failed and killed jobs
  CHECK(sim::to_string(JobEnd::kUnfinished) == "unfinished");
  CHECK(sim::format_summary(results.summary).find("1 completed, 2 unfinished (still running when the trace ended)") !=
        std::string::npos);
  // Ends counted in the series too: all three in the one interval.
  CHECK(results.timeseries.find("job_ends")->values == std::vector<double>{3});
}

TEST_CASE("the decision log shows shares, CPU-only jobs and why a job is rejected", "[sim][engine][sharing]") {
  capsim::testing::TempDir dir;
  // On nodes without CPU modelled, the CPU-only job c can never run. (Jobs of
  // more than one GPU in other than whole GPUs are refused by the readers;
  // the core's test covers their rejection.)
  dir.write("t.csv",
            "job_id,submit_s,gpus,duration_s,cpus\n"
            "q,0,0.25,10,\n"
            "c,0,0,10,2\n"
            "h,1,0.5,10,\n");
  const Scenario scenario = capsim::testing::scenario_from(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 2, count: 1}]}\n"
      "workload: {trace: {format: csv, path: t.csv}}\n",
      "x.yaml", dir.path());
  std::ostringstream log;
  sim::RunOptions options;
  options.decision_log = &log;
  const auto results = sim::run_scenario(scenario, options);
  CHECK(results.jobs.state == std::vector<JobEnd>{JobEnd::kCompleted, JobEnd::kRejected, JobEnd::kCompleted});
  const std::string text = log.str();
  INFO(text);
  CHECK(text.find("arrive job 0 q gpus=0.25 recorded=10000000us") != std::string::npos);
  CHECK(text.find("arrive job 1 c gpus=0 cpus=2 recorded=10000000us") != std::string::npos);
  CHECK(text.find("start  job 0 on V100 node0(rack0)gpu0x0.25 rate=0.25") != std::string::npos);
  CHECK(text.find("reject job 1 rejected: it is CPU-only, and no node group that serves it models CPU") !=
        std::string::npos);
  // h packs onto q's GPU (best fit: the shared GPU with the least room).
  CHECK(text.find("start  job 2 on V100 node0(rack0)gpu0x0.5 rate=0.5") != std::string::npos);
}

TEST_CASE("the decision log shows a CPU-only job's node", "[sim][engine][cpu_only]") {
  std::ostringstream log;
  sim::RunOptions options;
  options.decision_log = &log;
  const auto results = sim::run_scenario(
      capsim::testing::scenario_from("cluster: {node_groups: [{gpu: V100, gpus_per_node: 2, count: 2, cpus: 4}]}\n"
                                     "workload: {jobs: [{submit: 0s, gpus: 0, cpus: 3, duration: 2s}]}\n"),
      options);
  CHECK(results.jobs.end_s == std::vector<double>{2});
  CHECK(log.str().find("start  job 0 on CPU node0(rack0) rate=1\n") != std::string::npos);
}

TEST_CASE("a job across nodes or racks pays its placement factor", "[sim][engine][performance]") {
  // Two racks of two V100 nodes of 4 GPUs. A 100 s job of 8 GPUs fits one
  // rack (best fit takes whole free nodes 0 and 1): x 0.8 -> 125 s. A second
  // 8-GPU job arriving at 1 s then takes nodes 2 and 3 (the other rack): also
  // 125 s. With one node per rack, an 8-GPU job crosses racks: x 0.5 -> 200 s.
  const std::string perf = "  performance: {across_nodes: 0.8, across_racks: 0.5}\n";
  const std::string jobs =
      "workload:\n  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 8, duration: 100s}\n"
      "    - {id: b, submit: 1s, gpus: 8, duration: 100s}\n";
  const auto one_rack = run_yaml("cluster:\n" + perf +
                                 "  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 4, count: 4, "
                                 "nodes_per_rack: 2}\n" +
                                 jobs);
  CHECK(one_rack.jobs.end_s == std::vector<double>{125, 126});
  const auto racks = run_yaml("cluster:\n" + perf +
                              "  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 4, count: 4, "
                              "nodes_per_rack: 1}\n" +
                              jobs);
  CHECK(racks.jobs.end_s == std::vector<double>{200, 201});
  CHECK(racks.jobs.run_time_s == std::vector<double>{200, 200});
}

TEST_CASE("shares of one GPU slow each other down", "[sim][engine][sharing][performance]") {
  // One V100 of one GPU; share_interference 0.2. a (half a GPU, 100 s) runs
  // alone from 0 at rate 0.5: by 50 s it has done 25 of its 50 GPU-s. b (half
  // a GPU, 100 s) joins at 50: both run at 0.5 x 0.8 = 0.4. a's last 25 take
  // 62.5 s: a ends at 112.5. b has then done 25 of 50 and runs alone again at
  // 0.5: 50 s more, ending at 162.5.
  const auto results = run_yaml(
      "cluster:\n  performance: {share_interference: 0.2}\n"
      "  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 1, count: 1}\n"
      "workload:\n  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 0.5, duration: 100s}\n"
      "    - {id: b, submit: 50s, gpus: 0.5, duration: 100s}\n");
  CHECK(results.jobs.end_s == std::vector<double>{112.5, 162.5});
  // A share alone on its GPU runs at its own pace, and ends.
  const auto lone = run_yaml(
      "cluster:\n  performance: {share_interference: 0.2}\n"
      "  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 1, count: 1}\n"
      "workload:\n  jobs:\n    - {id: a, submit: 0s, gpus: 0.5, duration: 100s}\n");
  CHECK(lone.jobs.end_s == std::vector<double>{100});
  CHECK(lone.jobs.state[0] == JobEnd::kCompleted);
  // Without interference each runs its recorded 100 s.
  const auto alone = run_yaml(
      "cluster:\n  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 1, count: 1}\n"
      "workload:\n  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 0.5, duration: 100s}\n"
      "    - {id: b, submit: 50s, gpus: 0.5, duration: 100s}\n");
  CHECK(alone.jobs.end_s == std::vector<double>{100, 150});
}

TEST_CASE("performance factors are checked", "[sim][engine][performance]") {
  const auto e = capsim::testing::input_error_of([] {
    capsim::testing::scenario_from(
        "cluster:\n  performance: {across_racks: 1.5}\n"
        "  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 1, count: 1}\n"
        "workload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n");
  });
  CHECK(e.field() == "cluster.performance.across_racks");
  CHECK(e.where().line == 2);
}

TEST_CASE("two shares of measured classes run at Gavel's co-located fractions", "[sim][engine][sharing][gavel]") {
  // Gavel's shape: alone, A does 10 steps/s on a V100 and B 4; sharing the
  // GPU, A does 8 (0.8 of alone) and B 2.4 (0.6). Class other has no pairs.
  const capsim::testing::TempDir dir;
  const auto gavel = dir.write("pairs.json", R"json({"v100": {
      "('A', 1)": {"null": 10.0, "('B', 1)": [8.0, 2.4], "('A', 1)": [5.0, 5.0]},
      "('B', 1)": {"null": 4.0, "('A', 1)": [2.4, 8.0]}}})json");
  const std::string head =
      "cluster:\n  performance: {share_interference: 0.2}\n"
      "  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 1, count: 1}\n"
      "workload:\n  job_classes: [{gavel: " +
      gavel.string() + "}, {name: other, weight: 0}]\n  jobs:\n";
  // a (A) and b (B), half a GPU and 50 GPU-s of work each, share the V100
  // from 0: a at 0.8 x its speed alone (1, a V100 is the reference) x the
  // whole GPU the pair holds = 0.8, b at 0.6 (the scalar factor would give
  // 0.4 each). a ends at 50 / 0.8 = 62.5 s; b has done 37.5 and runs alone
  // at 0.5: 25 s more, ending at 87.5 s.
  const auto pair = run_yaml(head +
                             "    - {id: a, submit: 0s, gpus: 0.5, duration: 100s, class: A}\n"
                             "    - {id: b, submit: 0s, gpus: 0.5, duration: 100s, class: B}\n");
  CHECK(pair.jobs.end_s == std::vector<double>{62.5, 87.5});
  // A pair never measured (A with other) falls back to share_interference:
  // 0.5 x 0.8 = 0.4 each, both end at 125 s.
  const auto unmeasured = run_yaml(head +
                                   "    - {id: a, submit: 0s, gpus: 0.5, duration: 100s, class: A}\n"
                                   "    - {id: c, submit: 0s, gpus: 0.5, duration: 100s, class: other}\n");
  CHECK(unmeasured.jobs.end_s == std::vector<double>{125, 125});
  // Three shares (0.25 each, 25 GPU-s): the scalar model, 0.25 x 0.8^2 =
  // 0.16 each, ending at 156.25 s, even though every pair was measured.
  const auto three = run_yaml(head +
                              "    - {id: a, submit: 0s, gpus: 0.25, duration: 100s, class: A}\n"
                              "    - {id: b, submit: 0s, gpus: 0.25, duration: 100s, class: B}\n"
                              "    - {id: d, submit: 0s, gpus: 0.25, duration: 100s, class: A}\n");
  CHECK(three.jobs.end_s == std::vector<double>{156.25, 156.25, 156.25});
  // colocation: false keeps the speeds and drops the pairs.
  std::string off = head +
                    "    - {id: a, submit: 0s, gpus: 0.5, duration: 100s, class: A}\n"
                    "    - {id: b, submit: 0s, gpus: 0.5, duration: 100s, class: B}\n";
  off.replace(off.find("}, {name"), 1, ", colocation: false}");
  CHECK(run_yaml(off).jobs.end_s == std::vector<double>{125, 125});
}

TEST_CASE("busy GPUs of one node contend, and a job's step barrier costs scaling", "[sim][engine][performance]") {
  // One node of 4 V100s; node_contention [1, 0.8, 0.5]: with two GPUs busy
  // each job runs at 0.8, with three or more at 0.5.
  // a (1 GPU, 100 s) starts at 0 alone at rate 1; b (1 GPU, 100 s) joins at
  // 20: both at 0.8. c (1 GPU, 40 s) joins at 40: all at 0.5.
  // By 40 a has done 20 + 16 = 36, b 16, c 0. At 0.5: c ends after 80 s at
  // 120, when a has done 76 and b 56. Then two busy at 0.8: a's last 24 take
  // 30 s (a ends at 150), b has then done 80 and runs alone: 20 s, ending at 170.
  const std::string cluster =
      "cluster:\n  performance: {node_contention: [1, 0.8, 0.5]}\n"
      "  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 4, count: 1}\n";
  const auto results = run_yaml(cluster +
                                "workload:\n  jobs:\n"
                                "    - {id: a, submit: 0s, gpus: 1, duration: 100s}\n"
                                "    - {id: b, submit: 20s, gpus: 1, duration: 100s}\n"
                                "    - {id: c, submit: 40s, gpus: 1, duration: 40s}\n");
  CHECK(results.jobs.end_s == std::vector<double>{150, 170, 120});
  // A job of two GPUs keeps two busy: alone it runs at 2 x 0.8 = 1.6, so
  // 200 GPU-s of work (100 s on 2 GPUs) take 125 s. With scaling [1, 0.9]
  // as well: 2 x 0.9 x 0.8 = 1.44, 138.888... s.
  const auto pair = run_yaml(cluster + "workload:\n  jobs:\n    - {id: p, submit: 0s, gpus: 2, duration: 100s}\n");
  CHECK(pair.jobs.end_s == std::vector<double>{125});
  std::string scaled = cluster;
  scaled.replace(scaled.find("node_contention"), 0, "scaling: [1, 0.9], ");
  const auto both = run_yaml(scaled + "workload:\n  jobs:\n    - {id: p, submit: 0s, gpus: 2, duration: 100s}\n");
  CHECK(both.jobs.end_s[0] == Approx(200.0 / 1.44).margin(1e-6));
  // Beyond the list the last factor holds: four busy GPUs run at 0.5.
  const auto four = run_yaml(cluster + "workload:\n  jobs:\n    - {id: q, submit: 0s, gpus: 4, duration: 100s}\n");
  CHECK(four.jobs.end_s == std::vector<double>{200});
  // Factors are checked, naming the field.
  const auto e = capsim::testing::input_error_of([] {
    capsim::testing::scenario_from(
        "cluster:\n  performance: {node_contention: [1, 0]}\n"
        "  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 1, count: 1}\n"
        "workload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n");
  });
  CHECK(e.field() == "cluster.performance.node_contention[1]");
  CHECK(e.where().line == 2);
}
