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

#include "core/cluster.hpp"
#include "core/config_tree.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/synthetic.hpp"

namespace capsim {

// A policy named in a scenario, with its parameters still unread: the
// scheduler's registry validates them when it builds the policy.
struct PolicySpec {
  std::string name;
  // The policy's map (its `name` key included), or null when the scenario gave
  // only a name.
  ConfigNodePtr params;
  SourceLocation where;
  std::string field;  // "policies.queue"
};

struct TraceSourceSpec {
  std::string format;          // "csv"
  std::filesystem::path path;  // resolved against the scenario's folder
  GpuTypeId recorded_on = 0;   // GPU type the trace's durations were measured on
  SourceLocation where;
};

struct WorkloadSpec {
  std::optional<SyntheticWorkloadSpec> synthetic;
  std::optional<TraceSourceSpec> trace;
  std::vector<JobSpec> jobs;  // listed in the scenario, sorted by submit time
};

struct RunSpec {
  std::uint64_t seed = 1;
  std::optional<Duration> horizon;  // stop simulating here; none: run until every job ends
  Duration metrics_interval = Duration::hours(1);
  std::string engine = "native";
  std::string output_dir;  // "" = results/<scenario file stem>
};

struct Scenario {
  std::string name;
  std::string description;
  std::filesystem::path file;  // where it was loaded from ("" when built in code)
  std::string text;            // the YAML as written, kept with the results
  GpuCatalog catalog;
  ClusterSpec cluster;
  WorkloadSpec workload;
  PolicySpec queue_policy;
  PolicySpec placement_policy;
  RunSpec run;
};

// Loads and validates a scenario file. Throws InputError.
Scenario load_scenario(const std::filesystem::path& path);
// The same from text; relative paths in it are resolved against `base_dir`.
Scenario parse_scenario(std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir);

// Opens the scenario's workload as one stream in submit order: its listed
// jobs, its trace and its synthetic generator merged (ties: listed jobs, then
// the trace, then synthetic jobs). Throws InputError from the trace reader.
std::unique_ptr<JobSource> open_workload(const Scenario& scenario);

}  // namespace capsim
