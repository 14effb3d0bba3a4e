// The SimGrid driver against the native engine and against closed forms
// worked out by hand in the comments. Each SimGrid run happens in a child
// process (sim::run_scenario forks for it: one SimGrid simulation per
// process).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/network.hpp"
#include "sim/link_contention.hpp"
#include "sim/network_calibration.hpp"
#include "sim/results_codec.hpp"
#include "sim/run.hpp"
#include "sim/simgrid_engine.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::run_yaml;
using capsim::testing::scenario_from;

namespace {

// 6 V100 nodes of 8 GPUs (speed 1, 40 W idle, 300 W peak), racks of one
// node, every link as given; jobs of one class whose iterations all-reduce
// a gradient.
std::string scenario(const std::string& engine, const std::string& jobs, const std::string& uplink = "25GBps",
                     const std::string& placement = "first_fit") {
  return "cluster:\n"
         "  nodes_per_rack: 1\n"
         "  network:\n"
         "    gpu_link: {bandwidth: 450GBps, latency: 1us}\n"
         "    node_link: {bandwidth: 100GBps, latency: 2us}\n"
         "    rack_uplink: {bandwidth: " +
         uplink +
         ", latency: 1us}\n"
         "    uplinks: 1\n"
         "  node_groups: [{gpu: V100, gpus_per_node: 8, count: 6}]\n"
         "workload:\n"
         "  job_classes: [{name: dp, iteration: {time: 1s, gradient: 4GB}}]\n"
         "  jobs:\n" +
         jobs + "policies: {queue: fifo, placement: " + placement + "}\nrun: {seed: 3, engine: " + engine + "}\n";
}

// `yaml` with its ENGINE placeholder replaced.
std::string with_engine(std::string yaml, const std::string& engine) {
  yaml.replace(yaml.find("ENGINE"), 6, engine);
  return yaml;
}

}  // namespace

TEST_CASE("SimGrid: network specs parse, and bad ones are named", "[simgrid]") {
  double bps = 0;
  CHECK(parse_bandwidth("400Gbps", bps));
  CHECK(bps == 50e9);
  CHECK(parse_bandwidth("50 GB/s", bps));
  CHECK(bps == 50e9);
  CHECK(parse_bandwidth("1GiB/s", bps));
  CHECK(bps == 1024.0 * 1024 * 1024);
  CHECK_FALSE(parse_bandwidth("50GB", bps));
  CHECK_FALSE(parse_bandwidth("fast", bps));
  double bytes = 0;
  CHECK(parse_bytes("1.5GB", bytes));
  CHECK(bytes == 1.5e9);
  CHECK(parse_bytes("4096", bytes));
  CHECK(bytes == 4096);

  const Scenario s = scenario_from(scenario("simgrid", "    - {submit: 0s, gpus: 8, duration: 1h}\n"));
  REQUIRE(s.cluster.network);
  CHECK(s.cluster.network->rack_uplink.bandwidth == 25e9);
  CHECK(s.cluster.network->node_link.latency_s == Approx(2e-6));
  CHECK(s.workload.job_classes.at(0).gradient_bytes == 4e9);

  const auto error_of = [](const std::string& yaml) {
    try {
      scenario_from(yaml);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string yaml = scenario("simgrid", "    - {submit: 0s, gpus: 8, duration: 1h}\n", "lots");
  CHECK_THAT(error_of(yaml), Catch::Contains("cluster.network.rack_uplink.bandwidth") &&
                                 Catch::Contains("a bandwidth such as 400Gbps"));
  CHECK_THAT(error_of("cluster: {network: {topology: ring}, node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
                      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1h}]}\n"),
             Catch::Contains("cluster.network.topology") && Catch::Contains("leaf-spine or fat-tree"));
  CHECK_THAT(error_of("cluster: {network: {racks_per_pod: 2}, node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
                      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1h}]}\n"),
             Catch::Contains("only with topology: fat-tree"));
  CHECK_THAT(error_of("cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
                      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1h}]}\nrun: {simgrid_steps: 5}\n"),
             Catch::Contains("run.simgrid_steps") && Catch::Contains("only with engine: simgrid"));
  CHECK_THAT(error_of("cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1}]}\n"
                      "workload:\n  job_classes: [{name: a, iteration: {gradient: huge}}]\n"
                      "  jobs: [{submit: 0s, gpus: 1, duration: 1h}]\n"),
             Catch::Contains("workload.job_classes[0].iteration.gradient"));
}

TEST_CASE("SimGrid: with no shared links, every job ends when the native engine says", "[simgrid]") {
  // Jobs of up to one node each: their all-reduces run on their own GPUs'
  // links, which is the placement the native rate stands for. Two GPU types
  // (V100 speed 1, T4 0.35), shares of one GPU, a CPU-less node set, queueing.
  const std::string jobs =
      "    - {id: a, submit: 0s, gpus: 8, duration: 1h, gpu_type: V100}\n"
      "    - {id: b, submit: 10s, gpus: 4, duration: 30m}\n"
      "    - {id: c, submit: 20s, gpus: 4, duration: 2h}\n"
      "    - {id: d, submit: 30s, gpus: 2, duration: 45m, gpu_type: T4}\n"
      "    - {id: e, submit: 40s, gpus: 0.5, duration: 20m}\n"
      "    - {id: f, submit: 50s, gpus: 8, duration: 3h}\n"
      "    - {id: g, submit: 60s, gpus: 8, duration: 90m}\n"
      "    - {id: h, submit: 70s, gpus: 1, duration: 10m, gpu_type: T4}\n"
      "    - {id: i, submit: 4000s, gpus: 6, duration: 1h}\n";
  const auto yaml = [&](const std::string& engine) {
    return "cluster:\n"
           "  nodes_per_rack: 2\n"
           "  network: {uplinks: 1}\n"
           "  node_groups:\n"
           "    - {gpu: V100, gpus_per_node: 8, count: 3}\n"
           "    - {gpu: T4, gpus_per_node: 4, count: 1}\n"
           "workload:\n"
           "  job_classes: [{name: dp, iteration: {time: 400ms, gradient: 1GB}}]\n"
           "  jobs:\n" +
           jobs + "policies: {queue: fifo, placement: best_fit}\nrun: {seed: 1, engine: " + engine + "}\n";
  };
  const sim::RunResults native = run_yaml(yaml("native"));
  const sim::RunResults simgrid = run_yaml(yaml("simgrid"));
  REQUIRE(simgrid.summary.engine == "simgrid");
  REQUIRE(simgrid.jobs.size() == 9);
  for (std::size_t i = 0; i < native.jobs.size(); ++i) {
    INFO("job " << native.jobs.name[i]);
    CHECK(simgrid.jobs.state[i] == sim::JobEnd::kCompleted);
    CHECK(simgrid.jobs.start_s[i] == native.jobs.start_s[i]);
    CHECK(simgrid.jobs.jct_s[i] == Approx(native.jobs.jct_s[i]).epsilon(0.01));
  }
  // With no communication GPUs compute whenever they are allocated: the
  // energy plugin's joules are the native model's.
  CHECK(simgrid.summary.gpu_energy_kwh < native.summary.gpu_energy_kwh);
  CHECK(simgrid.summary.gpu_energy_kwh == Approx(native.summary.gpu_energy_kwh).epsilon(0.02));
}

TEST_CASE("SimGrid: energy of a lone job is the closed form", "[simgrid]") {
  // One V100 (40 W idle, 300 W peak) computes for 1000 s from t = 0, then
  // the simulation ends: 300 W x 1000 s = 300 kJ; the native engine says
  // the same (idle + (peak - idle) while allocated).
  const std::string yaml =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]}\n"
      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1000s}]}\n"
      "run: {engine: ENGINE}\n";
  const sim::RunResults a = run_yaml(with_engine(yaml, "simgrid")), b = run_yaml(with_engine(yaml, "native"));
  CHECK(a.summary.gpu_energy_kwh * 3.6e6 == Approx(300e3).epsilon(1e-9));
  CHECK(b.summary.gpu_energy_kwh * 3.6e6 == Approx(300e3).epsilon(1e-12));
  CHECK(a.jobs.end_s[0] == 1000);
}

TEST_CASE("SimGrid: two jobs sharing a rack uplink slow down by the bandwidth share", "[simgrid]") {
  // Racks of one node (8 V100s). First fit puts job a on node 0 (8 GPUs) and
  // node 1 (4); job b on node 1 (4) and node 2 (8). Each 12-GPU ring has two
  // hops across racks, and both jobs' hops in and out of rack 1 share its
  // uplink (25 GB/s each way): 12.5 GB/s each, where alone a job has 25.
  // One iteration (1 s on one node's links, 4 GB all-reduced):
  //   ring on NVLink (the ideal): 22 hops x (4e9 / 12 / 450e9 + 2 us) = 0.016340 s
  //   ring across racks at B:     22 hops x (4e9 / 12 / B + 8 us)
  //     alone (B = 25e9): 0.293509 s; shared (B = 12.5e9): 0.586843 s
  // 12 GPU-hours of work at 12 GPUs: 3600 iterations.
  //   alone:  3600 x (1 - 0.016340 + 0.293509) = 4597.8 s
  //   shared: 3600 x (1 - 0.016340 + 0.586843) = 5653.8 s   (slowdown 1.2297)
  const double ideal = 22 * (4e9 / 12 / 450e9 + 2e-6);
  const auto jct = [&](double bandwidth) { return 3600 * (1 - ideal + 22 * (4e9 / 12 / bandwidth + 8e-6)); };
  const std::string a = "    - {id: a, submit: 0s, gpus: 12, duration: 1h}\n";
  const std::string b = "    - {id: b, submit: 0s, gpus: 12, duration: 1h}\n";
  const sim::RunResults alone = run_yaml(scenario("simgrid", a));
  const sim::RunResults shared = run_yaml(scenario("simgrid", a + b));
  REQUIRE(alone.jobs.nodes[0] == 2);
  REQUIRE(shared.jobs.nodes[1] == 2);
  CHECK(alone.jobs.jct_s[0] == Approx(jct(25e9)).epsilon(0.01));
  CHECK(shared.jobs.jct_s[0] == Approx(jct(12.5e9)).epsilon(0.01));
  CHECK(shared.jobs.jct_s[1] == Approx(jct(12.5e9)).epsilon(0.01));
  const double slowdown = shared.jobs.jct_s[0] / alone.jobs.jct_s[0];
  CHECK(slowdown == Approx(jct(12.5e9) / jct(25e9)).epsilon(0.05));
  // The native engine, without placement factors, sees neither.
  const sim::RunResults native = run_yaml(scenario("native", a + b));
  CHECK(native.jobs.jct_s[0] == Approx(3600));
}

TEST_CASE("SimGrid: the same scenario gives the same results, run after run", "[simgrid]") {
  const std::string jobs =
      "    - {submit: 0s, gpus: 12, duration: 1h}\n"
      "    - {submit: 5s, gpus: 12, duration: 40m}\n"
      "    - {submit: 7s, gpus: 16, duration: 20m}\n"
      "    - {submit: 9s, gpus: 3, duration: 2h}\n";
  const sim::RunResults first = run_yaml(scenario("simgrid", jobs));
  const sim::RunResults second = run_yaml(scenario("simgrid", jobs));
  CHECK(sim::encode_results(first) == sim::encode_results(second));
  CHECK(first.summary.jobs_completed == 4);
}

TEST_CASE("SimGrid: a fat tree routes between pods over the pods' links", "[simgrid]") {
  // Racks of one node, two racks per pod; job 0 takes 4 GPUs of node 0, and
  // the 16-GPU job 1 whole nodes 1 and 2 (pods 0 and 1): it crosses the
  // pods' links, which are the bottleneck (5 GB/s against 25 GB/s uplinks):
  // 30 hops x (4e9 / 16 / 5e9 + 10 us).
  std::string yaml = scenario("simgrid",
                              "    - {submit: 0s, gpus: 4, duration: 1h}\n"
                              "    - {submit: 0s, gpus: 16, duration: 1h}\n");
  yaml.replace(yaml.find("    uplinks: 1\n"), 14,
               "    uplinks: 1\n    topology: fat-tree\n    racks_per_pod: 2\n"
               "    pod_uplink: {bandwidth: 5GBps, latency: 1us}\n    pod_uplinks: 1\n");
  const sim::RunResults results = run_yaml(yaml);
  REQUIRE(results.jobs.nodes[1] == 2);
  const double ideal = 30 * (4e9 / 16 / 450e9 + 2e-6);
  const double across = 30 * (4e9 / 16 / 5e9 + 10e-6);
  CHECK(results.jobs.jct_s[1] == Approx(3600 * (1 - ideal + across)).epsilon(0.01));
}

TEST_CASE("SimGrid: scenarios/topology.yaml shows what spreading costs", "[simgrid]") {
  // The bundled study, its arrivals cut to the first hour (about 1,000 jobs):
  // under SimGrid spread placement's mean JCT is worse than packing's, where
  // the native engine (no network) finds it no worse.
  Scenario base = load_scenario(capsim::testing::source_dir() / "scenarios/topology.yaml");
  REQUIRE(base.workload.synthetic);
  base.workload.synthetic->span = Duration::hours(1);
  const auto mean_jct = [&](const std::string& placement, const std::string& engine) {
    Scenario s = base;
    s.placement_policy.name = placement;
    s.run.engine = engine;
    return sim::run_scenario(s).summary.jct_s.mean;
  };
  const double packed = mean_jct("topology", "simgrid"), spread = mean_jct("spread", "simgrid");
  CHECK(spread > 1.05 * packed);
  CHECK(mean_jct("spread", "native") <= 1.01 * mean_jct("topology", "native"));
}

TEST_CASE("SimGrid: preemption and CPU-only jobs end as under the native engine", "[simgrid]") {
  // SRTF on one node of 8 V100s (and 16 CPUs): a (8 GPUs, 1 h) is stopped at
  // 10 min for b (8 GPUs, 10 min), checkpointing as it stops (the default
  // class), and resumes at 20 min paying the 30 s restore: it ends at
  // 20 min + 30 s + 50 min = 4230 s. c (CPU only, 15 min) runs beside them.
  // Under SimGrid the run cut short keeps the work its time did, so every
  // job ends as the native engine says.
  const std::string yaml =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 1, cpus: 16}]}\n"
      "workload:\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 8, duration: 1h}\n"
      "    - {id: b, submit: 10m, gpus: 8, duration: 10m}\n"
      "    - {id: c, submit: 5m, gpus: 0, cpus: 4, duration: 15m}\n"
      "policies: {queue: srtf, placement: best_fit}\n"
      "run: {engine: ENGINE}\n";
  const sim::RunResults a = run_yaml(with_engine(yaml, "simgrid")), b = run_yaml(with_engine(yaml, "native"));
  REQUIRE(b.jobs.preemptions[0] == 1);
  CHECK(b.jobs.end_s[0] == 4230);
  CHECK(a.jobs.preemptions[0] == 1);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("job " << b.jobs.name[i]);
    CHECK(a.jobs.state[i] == sim::JobEnd::kCompleted);
    CHECK(a.jobs.end_s[i] == Approx(b.jobs.end_s[i]).epsilon(1e-6));
  }
  CHECK(a.summary.lost_gpu_hours == 0);
}

TEST_CASE("SimGrid: calibrate --network fits placement factors the native engine then follows", "[simgrid][network]") {
  // Job a alone spans two racks (12 GPUs: node 0's 8 and node 1's 4), as in
  // the uplink test above: 4597.8 s where the ideal placement takes 3600 s.
  const double ideal = 22 * (4e9 / 12 / 450e9 + 2e-6);
  const double alone_s = 3600 * (1 - ideal + 22 * (4e9 / 12 / 25e9 + 8e-6));
  const std::string a = "    - {id: a, submit: 0s, gpus: 12, duration: 1h}\n";
  const Scenario sc = scenario_from(scenario("simgrid", a));
  const sim::RunResults run = sim::run_scenario(sc);
  // The job table says where it ran and how long it would have taken ideally.
  CHECK(run.jobs.nodes[0] == 2);
  CHECK(run.jobs.racks[0] == 2);
  CHECK(run.jobs.ideal_run_time_s[0] == Approx(3600));

  const sim::NetworkCalibration fit = sim::calibrate_network(sc, "test.yaml");
  // The probe of 12 GPUs packed by node (two racks of one node) is job a alone.
  CHECK(fit.profile.backend == "simgrid");
  CHECK(fit.profile.across_racks.at(12) == Approx(3600 / alone_s).epsilon(0.01));
  REQUIRE(fit.checks.size() == 1);
  CHECK(fit.checks[0].simgrid_jct_s == Approx(alone_s).epsilon(0.01));
  CHECK(fit.checks[0].native_jct_s == Approx(3600));
  CHECK(fit.checks[0].fitted_jct_s == Approx(alone_s).epsilon(0.01));
  CHECK(std::abs(fit.checks[0].error()) < 0.01);

  // The profile reads back, and a scenario that loads it runs the native
  // engine with its factors.
  const std::string profile_text = calibration_profile_text(fit.profile);
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "capsim-network-profile.yaml";
  { std::ofstream(path) << profile_text; }
  const CalibrationProfile back = read_calibration_profile(path);
  CHECK(back.across_racks == fit.profile.across_racks);
  CHECK(back.across_nodes == fit.profile.across_nodes);
  ScenarioOverrides overrides;
  overrides.engine = "native";
  overrides.calibration_path = path;
  const std::filesystem::path scenario_path = std::filesystem::temp_directory_path() / "capsim-network.yaml";
  { std::ofstream(scenario_path) << scenario("simgrid", a); }
  const Scenario native = load_scenario(scenario_path, overrides);
  CHECK(native.run.engine == "native");
  CHECK(native.cluster.performance.across_racks == fit.profile.across_racks);
  CHECK(sim::run_scenario(native).jobs.jct_s[0] == Approx(alone_s).epsilon(0.01));
  std::filesystem::remove(path);
  std::filesystem::remove(scenario_path);

  // Bad overrides are named.
  overrides.engine = "real";
  CHECK_THROWS_AS(load_scenario(scenario_path, overrides), InputError);
  overrides.engine.reset();
  overrides.calibration_path = "/nonexistent/profile.yaml";
  try {
    { std::ofstream(scenario_path) << scenario("native", a); }
    load_scenario(scenario_path, overrides);
    FAIL("a missing profile was accepted");
  } catch (const InputError& e) {
    CHECK(e.field() == "--calibration");
  }
  std::filesystem::remove(scenario_path);
}

TEST_CASE("SimGrid: calibrate --network fits link sharing on jobs that share a link", "[simgrid][network]") {
  // Jobs a and b share rack 1's uplink (the bandwidth-share test above):
  // SimGrid runs each in 5653.8 s. Alone, each runs at f = 3600 / 4597.8;
  // with the other's flow on its bottleneck at weight w, the native engine
  // stretches its network time 1 / f - 1 by 1 + w. Even w = 1 (every flow,
  // all the time) leaves it short of SimGrid (which also slows the part of
  // the ring the ideal placement pays), so the fit takes 1, and its JCT is
  // 3600 x (1 + 2 (1 / f - 1)) = 5595.6 s, 1.0% under SimGrid's.
  const double ideal = 22 * (4e9 / 12 / 450e9 + 2e-6);
  const double alone_s = 3600 * (1 - ideal + 22 * (4e9 / 12 / 25e9 + 8e-6));
  const std::string jobs =
      "    - {id: a, submit: 0s, gpus: 12, duration: 1h}\n"
      "    - {id: b, submit: 0s, gpus: 12, duration: 1h}\n";
  const sim::NetworkCalibration fit = sim::calibrate_network(scenario_from(scenario("simgrid", jobs)), "test.yaml");
  CHECK(fit.profile.across_racks.at(12) == Approx(3600 / alone_s).epsilon(0.01));
  CHECK(fit.profile.link_sharing == 1);
  CHECK(fit.simgrid_in_place == Approx(3600 / 5653.8).epsilon(0.01));
  REQUIRE(fit.checks.size() == 1);
  CHECK(fit.checks[0].fitted_jct_s == Approx(3600 + 2 * (alone_s - 3600)).epsilon(0.01));
  CHECK(std::abs(fit.checks[0].error()) < 0.02);
  CHECK(std::abs(fit.checks[0].native_jct_s / fit.checks[0].simgrid_jct_s - 1) > 0.3);
  // Written and read back.
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "capsim-sharing-profile.yaml";
  { std::ofstream(path) << calibration_profile_text(fit.profile); }
  CHECK(read_calibration_profile(path).link_sharing == 1);
  std::filesystem::remove(path);
}

TEST_CASE("native engine: link sharing stretches a job's network time by its share of a shared link", "[network]") {
  // a (1 h) and b (30 min), 12 GPUs each, share rack 1's uplink (25 GB/s,
  // the bottleneck of both: the nodes' links carry 100 GB/s). Alone each
  // runs at f = 0.8, its network taking 1 / f - 1 = 0.25 of the ideal time.
  // With the other's flow weighed w, its bottleneck share is 25 / (1 + w):
  // the network part stretches by 1 + w. b ends at 1800 x (1 + 0.25 (1 + w));
  // a has done as much, and runs its other half alone: + 1800 x 1.25.
  const auto yaml = [](const std::string& sharing) {
    return "cluster:\n"
           "  nodes_per_rack: 1\n"
           "  performance: {across_racks: 0.8, link_sharing: " +
           sharing +
           "}\n"
           "  network: {node_link: {bandwidth: 100GBps}, rack_uplink: {bandwidth: 25GBps}, uplinks: 1}\n"
           "  node_groups: [{gpu: V100, gpus_per_node: 8, count: 6}]\n"
           "workload:\n"
           "  jobs:\n"
           "    - {id: a, submit: 0s, gpus: 12, duration: 1h}\n"
           "    - {id: b, submit: 0s, gpus: 12, duration: 30m}\n"
           "policies: {queue: fifo, placement: first_fit}\n";
  };
  for (const double w : {1.0, 0.5, 0.0}) {
    INFO("link sharing " << w);
    std::ostringstream text;
    text << w;
    const sim::RunResults r = run_yaml(yaml(text.str()));
    REQUIRE(r.jobs.racks[1] == 2);
    const double b_end = 1800 * (1 + 0.25 * (1 + w));
    CHECK(r.jobs.jct_s[1] == Approx(b_end).epsilon(1e-9));
    CHECK(r.jobs.jct_s[0] == Approx(b_end + 1800 * 1.25).epsilon(1e-9));
  }
  // Out of range: named.
  try {
    scenario_from(yaml("1.5"));
    FAIL("link_sharing 1.5 was accepted");
  } catch (const InputError& e) {
    CHECK(e.field() == "cluster.performance.link_sharing");
  }
}

TEST_CASE("native engine: link sharing counts flows on a fat tree's pod links", "[network]") {
  // Four racks of one node, two racks per pod. Jobs on nodes {0, 2} and
  // {1, 3} each cross from pod 0 to pod 1 and back: one flow each way on
  // each pod's link (10 GB/s) per job, where their racks' uplinks (40 GB/s)
  // and nodes' links (100 GB/s) carry one. Alone: 10 GB/s; together:
  // 10 / (1 + w). A third job on nodes {0, 1} stays in pod 0: it shares
  // node 0's and node 1's links and the racks' uplinks with them, but not
  // their bottleneck.
  ClusterSpec spec;
  spec.node_groups.push_back({});
  spec.node_groups[0].gpus_per_node = 8;
  spec.node_groups[0].count = 4;
  spec.node_groups[0].nodes_per_rack = 1;
  const ClusterLayout layout(spec);
  NetworkSpec net;
  net.topology = NetworkTopology::kFatTree;
  net.racks_per_pod = 2;
  net.node_link.bandwidth = 100e9;
  net.rack_uplink.bandwidth = 40e9;
  net.uplinks = 1;
  net.pod_uplink.bandwidth = 10e9;
  net.pod_uplinks = 1;
  sim::LinkContention links(layout, net, 0.5);
  const auto on = [](std::vector<NodeId> nodes) {
    std::vector<scheduler::NodeShare> shares;
    for (const NodeId n : nodes) shares.push_back(scheduler::NodeShare{n, 4});
    return shares;
  };
  CHECK_FALSE(links.join(0, on({3}), 0.5));  // one node: no flow
  REQUIRE(links.join(1, on({0, 2}), 0.5));
  CHECK(links.factor(1) == Approx(0.5));
  REQUIRE(links.join(2, on({1, 3}), 0.5));
  // Network time 1 / 0.5 - 1 = 1, stretched by 1.5.
  CHECK(links.factor(1) == Approx(1 / 2.5));
  CHECK(links.factor(2) == Approx(1 / 2.5));
  REQUIRE(links.join(3, on({0, 1}), 0.8));
  // Job 3's bottleneck is its racks' uplinks: 40 GB/s alone, 40 / 1.5 with
  // job 1's (rack 0) or 2's (rack 1) flow; the nodes' links (100 / 1.5) are
  // not. Its network time 1 / 0.8 - 1 stretches by 1.5. Jobs 1 and 2 keep
  // their pod links as bottleneck.
  CHECK(links.factor(3) == Approx(1 / (1 + 0.25 * 1.5)));
  CHECK(links.factor(1) == Approx(1 / 2.5));
  CHECK(links.neighbours(3) == std::vector<std::uint32_t>{1, 2, 3});
  links.leave(2);
  CHECK(links.factor(1) == Approx(0.5));
  CHECK_FALSE(links.joined(2));
}

TEST_CASE("placement factors by GPU count interpolate between the counts listed", "[network]") {
  GpuCountFactors f;
  CHECK(f.at(8) == 1.0);
  f.points = {{2, 0.9}, {8, 0.6}};
  CHECK(f.at(1) == 0.9);
  CHECK(f.at(2) == 0.9);
  CHECK(f.at(4) == Approx(0.8));
  CHECK(f.at(64) == 0.6);
  CHECK(GpuCountFactors(0.7).at(16) == 0.7);
  const std::string yaml = scenario("native", "    - {id: a, submit: 0s, gpus: 12, duration: 1h}\n");
  const std::string with = "cluster:\n  performance: {across_racks: {2: 0.9, 16: 0.5}}\n";
  const Scenario sc = scenario_from(with + yaml.substr(std::string("cluster:\n").size()));
  CHECK(sc.cluster.performance.across_racks.at(9) == Approx(0.7));
  // 12 GPUs across two racks: 0.9 + (0.5 - 0.9) x 10 / 14.
  CHECK(sim::run_scenario(sc).jobs.jct_s[0] == Approx(3600 / (0.9 - 0.4 * 10 / 14)).epsilon(1e-6));
  const std::string bad = "cluster:\n  performance: {across_racks: {8: 0.9, 2: 0.5}}\n";
  try {
    scenario_from(bad + yaml.substr(std::string("cluster:\n").size()));
    FAIL("counts out of order were accepted");
  } catch (const InputError& e) {
    CHECK(e.field() == "cluster.performance.across_racks.2");
  }
}
