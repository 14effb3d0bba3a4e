// A scenario: the cluster, the workload, the policies and how to run them,
// loaded from YAML with strict validation (DESIGN.md, "Files"). Every error
// names the file, line, column and field and says what was expected; unknown
// keys are errors. The README's "Scenario reference" documents every key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/calibration_profile.hpp"
#include "core/cluster.hpp"
#include "core/config_tree.hpp"
#include "core/failures.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/job_class.hpp"
#include "core/service.hpp"
#include "core/synthetic.hpp"
#include "core/trace.hpp"

namespace capsim {

struct WorkloadSpec {
  JobClasses job_classes;  // always at least one (core/job_class.hpp)
  std::optional<SyntheticWorkloadSpec> synthetic;
  std::optional<TraceSpec> trace;     // its path resolved against the scenario's folder
  std::vector<JobSpec> jobs;          // listed in the scenario, sorted by submit time
  std::vector<ServiceSpec> services;  // inference services (core/service.hpp)
};

struct RunSpec {
  std::uint64_t seed = 1;
  std::optional<Duration> horizon;                 // stop simulating here; none: run until every job ends
  Duration metrics_interval = Duration::hours(1);  // 1 s by default for run.engine real
  std::string engine = "native";  // "native", "simgrid" (sim/simgrid_engine.hpp) or "real" (kernels/executor.hpp)
  // engine simgrid: a job's iterations are simulated in at most this many
  // steps (each step: the compute of several iterations on every GPU, then
  // their ring all-reduces as one); more steps follow rate changes finer.
  std::int32_t simgrid_steps = 20;
  std::string output_dir;  // "" = results/<scenario file stem>
};

// `policies.reaping` (native engine): a job that has held its GPUs idle
// (its class's idle_tail) for `idle` is stopped, and ends reaped: the
// forgotten notebook reclaimed. Without it, an idle job holds its GPUs to
// the end of its tail.
struct ReapingSpec {
  Duration idle;
  SourceLocation where;
  friend bool operator==(const ReapingSpec& a, const ReapingSpec& b) { return a.idle == b.idle; }
};

// Several policies (and seeds) run on the same world and shown side by side
// (scenario key `compare:`, or `capsim run --policy a,b,c`). An empty list
// keeps the scenario's own policy (or seed).
struct CompareSpec {
  std::vector<PolicySpec> queue;
  std::vector<PolicySpec> placement;
  // Each replaces the autoscaler of every service (workload.services).
  std::vector<PolicySpec> autoscaling;
  // Each replaces policies.energy (native engine).
  std::vector<PolicySpec> energy;
  // Each replaces policies.reaping (native engine); nullopt: no reaping.
  std::vector<std::optional<ReapingSpec>> reaping;
  std::vector<std::uint64_t> seeds;
  SourceLocation where;
  bool empty() const {
    return queue.empty() && placement.empty() && autoscaling.empty() && energy.empty() && reaping.empty() &&
           seeds.empty();
  }
};

// How a scenario runs for real (`run.engine: real`, scenario key
// `executor:`): on this machine's devices, each split into slots that the
// scheduler core sees as GPUs of one node per device (GPU type "slot",
// speed 1: a slot alone on an idle device is the reference). A job's GPUs
// become slots (a share of one GPU, or none, takes one slot), and its work
// becomes iterations of its class's kernel mix.
struct ExecutorSpec {
  std::string backend = "auto";  // auto, cpu or cuda
  std::int32_t devices = 1;
  std::int32_t slots_per_device = 2;
  // Submit times and run times are multiplied by this (a trace's hours
  // become seconds); 1: as recorded.
  double time_scale = 1.0;
  // The mix of classes that name none.
  KernelMix kernels = {{KernelOp::kGemmF32, 128, 1}, {KernelOp::kTriad, 1 << 18, 1}};
  SourceLocation where;
};

// What the command line may change in a scenario as it loads.
struct ScenarioOverrides {
  // Replaces workload.trace.path (the scenario must have a trace; its own
  // path may then be absent or missing on disk).
  std::optional<std::filesystem::path> trace_path;
  // Replaces run.engine: native or simgrid, for a scenario of either.
  std::optional<std::string> engine;
  // Replaces cluster.calibration (a scenario with a cluster).
  std::optional<std::filesystem::path> calibration_path;
};

struct Scenario {
  std::string name;
  std::string description;
  std::filesystem::path file;  // where it was loaded from ("" when built in code)
  std::string text;            // the YAML as written, kept with the results
  // The parsed document and what it was read with, so that a sweep or a plan
  // can edit a field and read the scenario again (core/sweep.hpp).
  ConfigNodePtr document;
  std::filesystem::path base_dir;
  ScenarioOverrides overrides;
  GpuCatalog catalog;
  ClusterSpec cluster;
  WorkloadSpec workload;
  PolicySpec queue_policy;
  PolicySpec placement_policy;
  // `policies.energy` (scheduler/energy/energy_policy.hpp); none: every node
  // stays on and every job is handed to the scheduler when it arrives.
  std::optional<PolicySpec> energy_policy;
  // `policies.reaping`; none: idle jobs hold their GPUs to the end of their tail.
  std::optional<ReapingSpec> reaping;
  RunSpec run;
  CompareSpec compare;
  FailureSpec failures;  // none: nothing fails (core/failures.hpp)
  // run.engine real: how (its cluster above is built from it).
  std::optional<ExecutorSpec> executor;
  // `cluster.calibration` or `executor.calibration`: the profile loaded
  // (its node_contention and scaling fill cluster.performance where the
  // scenario gives none), and where the scenario named it.
  std::optional<CalibrationProfile> calibration;
  SourceLocation calibration_where;
  std::string calibration_field;
};

// Loads and validates a scenario file. Throws InputError.
Scenario load_scenario(const std::filesystem::path& path, const ScenarioOverrides& overrides = {});
// The same from text; relative paths in it are resolved against `base_dir`.
Scenario parse_scenario(std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir,
                        const ScenarioOverrides& overrides = {});
// The same from a parsed document (a sweep point's edited tree); `text` is
// what the results record as the scenario.
Scenario parse_scenario_tree(const ConfigNodePtr& root, std::string text, const std::string& file_name,
                             const std::filesystem::path& base_dir, const ScenarioOverrides& overrides = {});

// A policy as a scenario gives it: a name, or a map with `name:` and the
// policy's parameters (`field`: where it stands, "policies.queue"). Throws
// InputError.
PolicySpec parse_policy_node(const ConfigNodePtr& value, std::string field);
// An energy policy: one (as parse_policy_node), or a list of them that do
// different things (scheduler/energy/combined.hpp): named by their names
// joined with "+", its params the list.
PolicySpec parse_energy_policy_node(const ConfigNodePtr& value, std::string field);

// `policies.reaping` or an entry of `compare.reaping`: `none`, or
// `{idle: DURATION}` (positive). Throws InputError.
std::optional<ReapingSpec> parse_reaping(const ConfigNode& node, const std::string& field);

// Opens the scenario's workload as one stream in submit order: its listed
// jobs, its trace and its synthetic generator merged (ties: listed jobs, then
// the trace, then synthetic jobs). Throws InputError from the trace reader.
// `report` (optional) receives what the trace pipeline read and left out.
std::unique_ptr<JobSource> open_workload(const Scenario& scenario, std::shared_ptr<TraceReport> report = nullptr);

}  // namespace capsim
