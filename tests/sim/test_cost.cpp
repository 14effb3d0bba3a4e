// What the cluster cost (sim/summary.hpp, add_cost): node groups billed by
// pool, the jobs' share by tenant, and idle capacity, worked out by hand.
#include <catch2/catch.hpp>

#include "sim/summary.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::run_yaml;

TEST_CASE("cost by pool and by tenant, and the cost of idle capacity, by hand", "[sim][cost]") {
  // An on-demand node of 4 V100s at the catalog's $3.06 per GPU-hour and a
  // reserved node of 4 V100-32GBs at $2.00. Job a (queue vision, 4 GPUs,
  // V100-32GB only) runs 0-1h; job b (user ann, no queue, 2 V100s) 0-2h.
  //   billed over 2 h: 4 x 2 x 3.06 = 24.48 on demand, 4 x 2 x 2 = 16 reserved: 40.48
  //   a: 4 x 1 h x 2.00 = 8.00; b: 2 x 2 h x 3.06 = 12.24; used 20.24, idle 20.24 (50%)
  const auto results = run_yaml(
      "cluster:\n"
      "  node_groups:\n"
      "    - {name: od, gpu: V100, gpus_per_node: 4, count: 1}\n"
      "    - {name: rsv, gpu: V100-32GB, gpus_per_node: 4, count: 1, pool: reserved, usd_per_gpu_hour: 2.0}\n"
      "workload:\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 4, gpu_type: V100-32GB, duration: 1h, queue: vision, user: bob}\n"
      "    - {id: b, submit: 0s, gpus: 2, gpu_type: V100, duration: 2h, user: ann}\n");
  const sim::Summary& s = results.summary;
  REQUIRE(s.simulated_s == 7200);
  CHECK(results.jobs.cost_usd[0] == Approx(8.0));
  CHECK(results.jobs.cost_usd[1] == Approx(12.24));
  CHECK(results.jobs.tenant[0] == "vision");
  CHECK(results.jobs.tenant[1] == "ann");
  CHECK(s.cost_figure("cluster_cost_usd") == Approx(40.48));
  CHECK(s.cost_figure("used_cost_usd") == Approx(20.24));
  CHECK(s.cost_figure("idle_cost_usd") == Approx(20.24));
  CHECK(s.cost_figure("idle_cost_pct") == Approx(50));
  REQUIRE(s.pools.size() == 2);
  CHECK(s.pools[0].name == "on-demand");
  CHECK(s.pools[0].figure("cost_usd") == Approx(24.48));
  CHECK(s.pools[1].name == "reserved");
  CHECK(s.pools[1].figure("cost_usd") == Approx(16.0));
  CHECK(s.pools[1].figure("gpu_hours") == Approx(8.0));
  // Tenants by cost, the most first.
  REQUIRE(s.tenants.size() == 2);
  CHECK(s.tenants[0].name == "ann");
  CHECK(s.tenants[0].figure("cost_usd") == Approx(12.24));
  CHECK(s.tenants[0].figure("gpu_hours") == Approx(4.0));
  CHECK(s.tenants[1].name == "vision");
  CHECK(s.tenants[1].figure("jobs") == 1);
  CHECK(s.tenants[1].figure("energy_kwh") == Approx(4 * 300 * 1.0 / 1000));
  const nlohmann::ordered_json json = sim::summary_to_json(s);
  CHECK(json["metrics"]["idle_cost_usd"].get<double>() == Approx(20.24));
  CHECK(json["tenants"][1]["name"] == "vision");
  CHECK(json["pools"][1]["name"] == "reserved");
}

TEST_CASE("elastic groups cost what the cluster autoscaler billed", "[sim][cost]") {
  // A group whose nodes come and go is billed from request to release
  // (node_groups); the cluster's cost is that, and the job's share of it is
  // its own GPU-hours.
  const auto results = run_yaml(
      "cluster:\n"
      "  node_groups:\n"
      "    - {name: burst, gpu: V100, gpus_per_node: 8, count: 2,\n"
      "       autoscaling: {min: 0, initial: 0, provisioning: 5m, scale_down_delay: 10m}}\n"
      "workload:\n"
      "  jobs: [{id: a, submit: 0s, gpus: 8, duration: 1h}]\n");
  const sim::Summary& s = results.summary;
  REQUIRE(s.node_groups.size() == 1);
  CHECK(s.cost_figure("cluster_cost_usd") == Approx(s.node_groups[0].figure("cost_usd")));
  // The job: 8 GPUs x 1 h x $3.06.
  CHECK(results.jobs.cost_usd[0] == Approx(8 * 3.06));
  CHECK(s.cost_figure("idle_cost_usd") == Approx(s.node_groups[0].figure("cost_usd") - 8 * 3.06));
}

TEST_CASE("a spot notice after the work is done neither stretches the run nor its bills", "[sim][cost]") {
  // The spot node's lifetime is drawn with a mean of 100 h (this seed: ~22
  // h). Jobs a and b end about 1h 05m in; nothing is left to do, so the run
  // ends there, not at the notice, and the reserved node is billed to that
  // end.
  const auto results = run_yaml(
      "cluster:\n"
      "  node_groups:\n"
      "    - {name: base, gpu: V100, gpus_per_node: 8, count: 1, pool: reserved, usd_per_gpu_hour: 2.0}\n"
      "    - {name: cheap, gpu: V100, gpus_per_node: 8, count: 1, pool: spot, usd_per_gpu_hour: 1.0,\n"
      "       autoscaling: {min: 0, initial: 0, provisioning: 5m, scale_down_delay: 10m},\n"
      "       spot: {interruptions_per_hour: 0.01}}\n"
      "workload:\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 8, duration: 1h}\n"
      "    - {id: b, submit: 0s, gpus: 8, duration: 1h}\n");
  const sim::Summary& s = results.summary;
  REQUIRE(s.node_groups.size() == 2);
  CHECK(s.node_groups[1].figure("spot_interruptions") == 0);
  CHECK(s.simulated_s < 2 * 3600);
  CHECK(s.node_groups[0].figure("cost_usd") == Approx(8 * 2.0 * s.simulated_s / 3600));
}

TEST_CASE("service replicas pay their node group's price, and count as used capacity", "[sim][cost][service]") {
  // Two 1-GPU replicas for 1 h on a node of 4 V100s priced at $1.50 per
  // GPU-hour: the service costs 2 x 1 x 1.50 = $3.00 of the node's $6.00;
  // the other two GPUs, $3.00, are idle.
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1, usd_per_gpu_hour: 1.5}]}\n"
      "workload:\n"
      "  services:\n"
      "    - name: chat\n"
      "      model: {work: 1s, step: 20ms, step_per_request: 2ms, max_batch: 8}\n"
      "      slo: {latency: 5s}\n"
      "      replicas: 2\n"
      "      load: {base: 3, span: 1h}\n");
  const sim::Summary& s = results.summary;
  REQUIRE(s.services.size() == 1);
  CHECK(s.services[0].figure("cost_usd") == Approx(3.0));
  CHECK(s.cost_figure("cluster_cost_usd") == Approx(6.0));
  CHECK(s.cost_figure("used_cost_usd") == Approx(3.0));
  CHECK(s.cost_figure("idle_cost_pct") == Approx(50));
}
