// MIG partitions (core/cluster.hpp MigSpec): the built-in profiles, static
// layouts and their errors, the cluster state's instances against a brute
// force, and whole runs where MIG's placement rules decide who waits.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "scheduler/cluster_state.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::run_yaml;
using capsim::testing::scenario_from;

namespace {

const GpuType& type_named(const GpuCatalog& catalog, const char* name) {
  return catalog.at(*catalog.find(name));
}

std::string one_node(const std::string& gpu, int gpus, const std::string& mig) {
  return "cluster: {node_groups: [{gpu: " + gpu + ", gpus_per_node: " + std::to_string(gpus) +
         ", count: 1, mig: " + mig + "}]}\n";
}

// Jobs listed as "submit gpus duration" triples, all recorded and run on
// the H100 (so that each runs exactly its duration).
std::string jobs(const std::vector<std::string>& lines) {
  std::string text = "workload:\n  jobs:\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    text += "    - {id: j" + std::to_string(i) + ", " + lines[i] + ", gpu_type: H100, recorded_on: H100}\n";
  }
  return text + "policies: {queue: {name: fifo, skip_blocked: true}, placement: first_fit}\n";
}

}  // namespace

TEST_CASE("MIG: the built-in profiles follow NVIDIA's tables", "[core][mig]") {
  const GpuCatalog catalog = GpuCatalog::builtin();
  const GpuType& h100 = type_named(catalog, "H100");
  REQUIRE(h100.mig_profile_names() == "1g.10gb, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb");
  const MigProfile& three = h100.mig_profiles[static_cast<std::size_t>(h100.find_mig_profile("3G.40GB"))];
  CHECK(three.compute_slices == 3);
  CHECK(three.memory_slices == 4);
  CHECK(three.memory_mib == 40 * 1024);
  CHECK(three.starts == 0b0001'0001);  // at memory slice 0 or 4
  CHECK(type_named(catalog, "A100-40GB").mig_profile_names() == "1g.5gb, 1g.10gb, 2g.10gb, 3g.20gb, 4g.20gb, 7g.40gb");
  CHECK(type_named(catalog, "A100-80GB").find_mig_profile("1g.20gb") == 1);
  CHECK(type_named(catalog, "H200").find_mig_profile("7g.141gb") == 5);
  CHECK(type_named(catalog, "V100").mig_profiles.empty());
  // A share of mig_milli(k) thousandths needs exactly k compute slices.
  for (std::int32_t k = 1; k <= kMigComputeSlices; ++k) {
    CHECK(mig_slices_for(mig_milli(k)) == k);
    CHECK(mig_slices_for(mig_milli(k) + 1) == std::min(k + 1, 8));
  }
}

TEST_CASE("MIG: a static layout is placed by NVML's rules, and a bad one is an error", "[core][mig]") {
  // 3g + 2g + 2g only fits with the 3g at slice 4: a first-fit placement
  // that puts it at 0 leaves one 2g nowhere to go.
  const Scenario s = scenario_from(one_node("H100", 2, "[[3g.40gb, 2g.20gb, 2g.20gb], [7g.80gb]]") +
                                   jobs({"submit: 0, gpus: 2g, duration: 1h"}));
  const MigSpec& mig = s.cluster.node_groups[0].mig;
  REQUIRE(mig.mode == MigMode::kStatic);
  REQUIRE(mig.layouts.size() == 2);
  const std::vector<MigInstance> expected = {{2, 0}, {2, 2}, {3, 4}};  // by start
  CHECK(mig.layouts[0] == expected);
  CHECK(mig.layouts[1].empty());  // one full-size instance: the whole GPU
  CHECK(s.cluster.node_groups[0].whole_gpus_per_node() == 1);
  CHECK(s.cluster.node_groups[0].largest_share_milli(s.catalog) == 1000);

  const auto error = [](const std::string& layout, const std::string& gpu = "H100", int gpus = 2) {
    return input_error_of(
        [&] { scenario_from(one_node(gpu, gpus, layout) + jobs({"submit: 0, gpus: 1g, duration: 1h"}), "m.yaml"); });
  };
  InputError e = error("[4g.40gb, 4g.40gb]");
  CHECK(e.where().file == "m.yaml");
  CHECK(e.where().line == 1);
  CHECK(e.field() == "cluster.node_groups[0].mig");
  CHECK(e.expected().find("fit one GPU together") != std::string::npos);
  e = error("[1g.10gb, 5g.50gb]");
  CHECK(e.field() == "cluster.node_groups[0].mig[1]");
  CHECK(e.expected() == "a MIG profile of the H100 (1g.10gb, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb)");
  e = error("dynamic", "V100");
  CHECK(e.expected() == "a node group of a MIG-capable GPU type (one with MIG profiles)");
  e = error("[[1g.10gb], [1g.10gb], [1g.10gb]]");
  CHECK(e.expected() == "one layout per GPU (2)");
  e = error("sometimes");
  CHECK(e.expected().find("`dynamic`, `off`") != std::string::npos);
  // Eight 1g instances exceed the 7 compute slices even where memory fits.
  e = error("[1g.10gb, 1g.10gb, 1g.10gb, 1g.10gb, 1g.10gb, 1g.10gb, 1g.10gb, 1g.10gb]");
  CHECK(e.field() == "cluster.node_groups[0].mig");

  // A partitioned group serves no whole-GPU job, and no share larger than
  // its largest instance: both are errors of the job, not endless waits.
  e = input_error_of([&] {
    scenario_from(one_node("H100", 1, "[3g.40gb, 2g.20gb, 2g.20gb]") + jobs({"submit: 0, gpus: 1, duration: 1h"}));
  });
  CHECK(e.field() == "workload.jobs[0].gpus");
  e = input_error_of([&] {
    scenario_from(one_node("H100", 1, "[3g.40gb, 2g.20gb, 2g.20gb]") + jobs({"submit: 0, gpus: 4g, duration: 1h"}));
  });
  CHECK(e.field() == "workload.jobs[0].gpus");
  CHECK(e.expected() ==
        "a share of one GPU of at most 428 thousandths, the largest GPU or MIG instance that serves it");
}

TEST_CASE("MIG: a dynamic GPU's instances never overlap, and a share fits exactly when an instance is free",
          "[scheduler][mig]") {
  const Scenario s = scenario_from(one_node("H100", 2, "dynamic") + jobs({"submit: 0, gpus: 1g, duration: 1h"}));
  const ClusterLayout layout(s.cluster);
  scheduler::ClusterState state(layout, s.catalog);
  const std::vector<MigProfile>& profiles = state.mig_profiles(0);
  RandomStream rng = RandomStream::derive(11, "test.mig");
  struct Held {
    std::int32_t gpu;
    std::int32_t milli;
    scheduler::MigSlot slot;
  };
  std::vector<Held> held;
  std::uint8_t busy[2] = {0, 0};
  // Whether some profile of at least `slices` compute slices is placeable.
  const auto placeable = [&](std::uint8_t mask, std::int32_t slices) {
    for (const MigProfile& p : profiles) {
      for (std::int32_t start = 0; start < kMigMemorySlices; ++start) {
        if (p.compute_slices >= slices && ((p.starts >> start) & 1u) && (p.mask_at(start) & mask) == 0) return true;
      }
    }
    return false;
  };
  for (int step = 0; step < 4000; ++step) {
    const auto gpu = static_cast<std::int32_t>(rng.uniform_below(2));
    const std::int32_t milli = mig_milli(static_cast<std::int32_t>(rng.uniform_below(4)) + 1);
    for (std::int32_t g = 0; g < 2; ++g) {
      REQUIRE(state.mig_busy(0, g) == busy[g]);
      // A GPU without instances is wholly free; otherwise it is held.
      REQUIRE((state.gpu_share_used(0, g) == 0) == (busy[g] == 0));
    }
    REQUIRE(state.free_gpus(0) == (busy[0] == 0) + (busy[1] == 0));
    const bool fits = state.share_fits(0, gpu, milli, 0, 0);
    REQUIRE(fits == placeable(busy[gpu], mig_slices_for(milli)));
    if (fits && (held.empty() || rng.uniform_below(3) > 0)) {
      scheduler::MigSlot slot;
      state.allocate_share(0, gpu, milli, 0, 0, &slot);
      const MigProfile& p = profiles[static_cast<std::size_t>(slot.profile)];
      REQUIRE(p.compute_slices >= mig_slices_for(milli));
      REQUIRE(((p.starts >> slot.start) & 1u) == 1u);
      REQUIRE((p.mask_at(slot.start) & busy[gpu]) == 0);  // no overlap
      busy[gpu] = static_cast<std::uint8_t>(busy[gpu] | p.mask_at(slot.start));
      held.push_back({gpu, milli, slot});
    } else if (!held.empty()) {
      const auto i = static_cast<std::size_t>(rng.uniform_below(held.size()));
      const Held h = held[i];
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
      state.release_share(0, h.gpu, h.milli, 0, 0, h.slot);
      busy[h.gpu] = static_cast<std::uint8_t>(
          busy[h.gpu] & ~profiles[static_cast<std::size_t>(h.slot.profile)].mask_at(h.slot.start));
    }
  }
}

TEST_CASE("MIG: instances pack from the top, and a 3g waits where time-slicing would run it", "[sim][mig]") {
  // Four 1g instances packed from the top (slices 6, 5, 4, then 3 or
  // lower) break both 3g placements (0-3 and 4-7) but time-slicing has
  // 1000 - 4 x 142 thousandths left for the 3g's 428.
  const std::string work = jobs({"submit: 0, gpus: 1g, duration: 1h", "submit: 0, gpus: 1g, duration: 1h",
                                 "submit: 0, gpus: 1g, duration: 1h", "submit: 1s, gpus: 1g, duration: 2h",
                                 "submit: 2s, gpus: 3g, duration: 1h"});
  const sim::RunResults mig = run_yaml(one_node("H100", 1, "dynamic") + work);
  const sim::RunResults sliced = run_yaml(one_node("H100", 1, "off") + work);
  REQUIRE(mig.jobs.size() == 5);
  CHECK(sliced.jobs.start_s[4] == 2);
  // The 3g starts when the three 1-hour 1g instances end.
  CHECK(mig.jobs.start_s[4] == 3600);
  CHECK(mig.jobs.end_s[4] == 7200);
  // Each ran its duration: a MIG share is isolated, whatever interference
  // time-slicing suffers.
  for (std::size_t j = 0; j < 5; ++j) CHECK(mig.jobs.run_time_s[j] == mig.jobs.recorded_duration_s[j]);
}

TEST_CASE("MIG: a static layout's instances serve shares smallest first, and partitioned GPUs no whole job",
          "[sim][mig]") {
  // GPU 0 is 2g + 2g + 3g; GPU 1 is whole. Three 1g shares take the two 2g
  // then the 3g; a 2g share waits for the first to end: GPU 1 is busy with
  // a whole-GPU job, which the partitioned GPU 0 could never have taken.
  const std::string cluster =
      "cluster:\n  performance: {share_interference: 0.5}\n"
      "  node_groups: [{gpu: H100, gpus_per_node: 2, count: 1, mig: [[3g.40gb, 2g.20gb, 2g.20gb], []]}]\n";
  const sim::RunResults r =
      run_yaml(cluster + jobs({"submit: 0, gpus: 1, duration: 4h", "submit: 1s, gpus: 1g, duration: 1h",
                               "submit: 2s, gpus: 1g, duration: 2h", "submit: 3s, gpus: 1g, duration: 3h",
                               "submit: 4s, gpus: 2g, duration: 1h"}));
  CHECK(r.jobs.start_s[0] == 0);
  CHECK(r.jobs.start_s[1] == 1);
  CHECK(r.jobs.start_s[2] == 2);
  CHECK(r.jobs.start_s[3] == 3);
  // The 2g waits for the first 2g instance, free at 1 s + 1 h.
  CHECK(r.jobs.start_s[4] == 3601);
  for (std::size_t j = 1; j < 5; ++j) CHECK(r.jobs.run_time_s[j] == r.jobs.recorded_duration_s[j]);
}

TEST_CASE("MIG: preemption frees instances for a high-priority share, and an undo retakes the very instances",
          "[sim][mig]") {
  // Seven low-priority 1g instances fill a dynamic H100. A high-priority 3g
  // needs four aligned memory slices: the priority policy names victims,
  // and the core stops them one at a time until the 3g fits. Whatever it
  // stopped comes back later, and every instance is given back at the end
  // (the run's own checks stop it otherwise).
  std::string yaml = one_node("H100", 1, "dynamic") +
                     "workload:\n"
                     "  job_classes:\n"
                     "    - {name: low, queues: [batch], priority: 0, restore_overhead: 0s}\n"
                     "    - {name: high, queues: [prod], priority: 1}\n"
                     "  jobs:\n";
  for (int i = 0; i < 7; ++i) {
    yaml += "    - {id: low" + std::to_string(i) + ", submit: " + std::to_string(i) +
            "s, gpus: 1g, duration: 1h, queue: batch, gpu_type: H100, recorded_on: H100}\n";
  }
  yaml +=
      "    - {id: high, submit: 100s, gpus: 3g, duration: 10m, queue: prod, gpu_type: H100, recorded_on: H100}\n"
      "policies: {queue: priority, placement: first_fit}\n";
  const sim::RunResults r = run_yaml(yaml);
  REQUIRE(r.jobs.size() == 8);
  CHECK(r.jobs.start_s[7] == 100);
  CHECK(r.jobs.end_s[7] == 700);
  std::int32_t preempted = 0;
  for (std::size_t j = 0; j < 7; ++j) {
    preempted += r.jobs.preemptions[j];
    CHECK(r.jobs.state[j] == sim::JobEnd::kCompleted);
  }
  // Four 1g instances stand on the 3g's four slices, wherever they are.
  CHECK(preempted >= 3);
  CHECK(preempted <= 4);
}
