// Gavel's round-based max-min fairness (scheduler/queue/gavel.hpp): the
// allocation and the moves between GPU types worked out by hand, through
// the engine, and the scenario's parameters.
#include <catch2/catch.hpp>

#include <algorithm>

#include "scheduler/queue/gavel.hpp"
#include "tests/scheduler/policy_driver.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::run_yaml;

namespace {
// One K80 and one V100, one GPU each, the K80 listed first. Class cnn runs
// at a quarter of its V100 speed on a K80, class rec as fast on both; no
// restore overhead, so the times stay round.
const std::string kCluster =
    "cluster:\n"
    "  node_groups:\n"
    "    - {name: k, gpu: K80, gpus_per_node: 1, count: 1}\n"
    "    - {name: v, gpu: V100, gpus_per_node: 1, count: 1}\n"
    "workload:\n"
    "  job_classes:\n"
    "    - {name: cnn, speed: {K80: 0.25, V100: 1}, restore_overhead: 0s}\n"
    "    - {name: rec, speed: {K80: 1, V100: 1}, restore_overhead: 0s}\n"
    "  jobs:\n"
    "    - {id: c, submit: 0s, gpus: 1, duration: 1h, class: cnn}\n"
    "    - {id: r, submit: 0s, gpus: 1, duration: 1h, class: rec}\n";
}  // namespace

TEST_CASE("gavel queue: the first round moves each job to the type max-min fairness gives it",
          "[scheduler][queue][gavel][sim]") {
  // Before the first round nothing is allocated: best fit puts c (first) on
  // the K80 and r on the V100. Equal shares (half of each GPU) give c 0.625
  // and r 1; normalised rates c (0.4, 1.6), r (1, 1). Max-min: r can reach
  // only 1 (first level, frozen), c then takes the whole V100 (1.6) and r
  // the K80. At the round at 6 min both move: c has done 360 x 0.25 = 90 of
  // its 3,600 s and ends 3,510 s later, at 3,870 s; r has done 360 on the
  // V100 and runs its last 3,240 on the K80 at the same pace: 3,600 s.
  const auto gavel = run_yaml(kCluster + "policies: {queue: gavel, placement: best_fit}\n");
  CHECK(gavel.jobs.end_s == std::vector<double>{3870, 3600});
  CHECK(gavel.jobs.preemptions == std::vector<std::int32_t>{1, 1});
  CHECK(gavel.jobs.gpu_type_names[static_cast<std::size_t>(gavel.jobs.gpu_type[0])] == "V100");
  CHECK(gavel.jobs.gpu_type_names[static_cast<std::size_t>(gavel.jobs.gpu_type[1])] == "K80");
  // FIFO with best fit leaves c on the K80: 4 h.
  const auto fifo = run_yaml(kCluster + "policies: {queue: fifo, placement: best_fit}\n");
  CHECK(fifo.jobs.end_s == std::vector<double>{14400, 3600});
  // A round of 1 min moves them at 60 s: c ends at 60 + 3,585 = 3,645 s.
  const auto short_round = run_yaml(kCluster + "policies: {queue: {name: gavel, round: 1m}, placement: best_fit}\n");
  CHECK(short_round.jobs.end_s == std::vector<double>{3645, 3600});
}

TEST_CASE("gavel queue: more jobs than GPUs take turns by their gaps", "[scheduler][queue][gavel][sim]") {
  // One V100, three 1-GPU jobs of 1 h at 0: each is owed a third of the
  // GPU. The first runs until the first round (6 min: nothing is allocated
  // before it); from then on each round gives the GPU to the job owed most
  // (target time minus time received; ties: the one running). FIFO ends
  // them at 1, 2 and 3 h; here they take turns and all end in the last
  // hour, the last at 3 h exactly (no GPU idle, no restore overhead).
  const auto results = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]}\n"
      "workload:\n"
      "  job_classes: [{name: x, restore_overhead: 0s}]\n"
      "  jobs:\n"
      "    - {id: a, submit: 0s, gpus: 1, duration: 1h}\n"
      "    - {id: b, submit: 0s, gpus: 1, duration: 1h}\n"
      "    - {id: c, submit: 0s, gpus: 1, duration: 1h}\n"
      "policies: {queue: gavel, placement: best_fit}\n");
  const std::vector<double>& end = results.jobs.end_s;
  CHECK(*std::max_element(end.begin(), end.end()) == 10800);
  CHECK(*std::min_element(end.begin(), end.end()) > 7200);
  for (const std::int32_t p : results.jobs.preemptions) CHECK(p >= 3);
}

TEST_CASE("gavel queue: parameters are checked", "[scheduler][queue][gavel]") {
  const auto e = capsim::testing::input_error_of([] { capsim::testing::queue_policy("{name: gavel, round: 0s}"); });
  CHECK(e.field() == "policies.queue.round");
  const auto e2 = capsim::testing::input_error_of([] { capsim::testing::queue_policy("{name: gavel, lease: 1m}"); });
  CHECK(e2.field() == "policies.queue.lease");
}
