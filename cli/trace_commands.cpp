#include "cli/trace_commands.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>

#include "cli/progress.hpp"
#include "core/config_tree.hpp"
#include "core/error.hpp"
#include "core/scenario.hpp"
#include "core/synthetic.hpp"
#include "core/trace.hpp"
#include "core/trace_fit.hpp"
#include "core/trace_stats.hpp"
#include "core/version.hpp"
#include "sim/atomic_file.hpp"

namespace capsim::cli {

namespace {

constexpr int kExitInterrupted = 130;
const SourceLocation kCommandLine{"command line", 0, 0};

double number_option(const std::string& text, const char* option, double min, double max, const char* expected) {
  double value = 0;
  if (!parse_number(text, value) || !(value >= min) || !(value <= max)) {
    throw InputError(kCommandLine, option, expected, quote_for_message(text));
  }
  return value;
}

std::int64_t int_option(const std::string& text, const char* option, std::int64_t min, std::int64_t max,
                        const char* expected) {
  std::int64_t value = 0;
  if (!parse_int(text, value) || value < min || value > max) {
    throw InputError(kCommandLine, option, expected, quote_for_message(text));
  }
  return value;
}

GpuTypeId gpu_type_option(const std::string& name, const char* option, const GpuCatalog& catalog) {
  const auto id = catalog.find(name);
  if (!id)
    throw InputError(kCommandLine, option, "a GPU type of the catalog (" + catalog.names() + ")",
                     quote_for_message(name));
  return *id;
}

// The TraceSpec the options describe, checking that format-specific options
// go with their format.
TraceSpec trace_spec_of(const TraceArguments& args, const GpuCatalog& catalog) {
  TraceSpec spec;
  const auto format = parse_trace_format(args.format);
  if (!format) {
    throw InputError(kCommandLine, "--format", "a trace format: " + trace_format_names(),
                     quote_for_message(args.format));
  }
  spec.format = *format;
  spec.path = args.path;
  spec.where = kCommandLine;
  spec.skip_bad_rows = args.skip_bad_rows;
  spec.recorded_on = gpu_type_option(args.recorded_on.empty() ? "V100" : args.recorded_on, "--recorded-on", catalog);
  const auto only_for = [&](const std::string& value, const char* option, TraceFormat f) {
    if (!value.empty() && spec.format != f) {
      throw InputError(kCommandLine, option, "an option of the " + std::string(to_string(f)) + " format only",
                       "it with --format " + std::string(to_string(spec.format)));
    }
  };
  only_for(args.processors_per_gpu, "--processors-per-gpu", TraceFormat::kSwf);
  only_for(args.request_gpus, "--request-gpus", TraceFormat::kAzureLlm);
  only_for(args.prefill_tokens_per_s, "--prefill-tokens-per-s", TraceFormat::kAzureLlm);
  only_for(args.decode_tokens_per_s, "--decode-tokens-per-s", TraceFormat::kAzureLlm);
  if (!args.processors_per_gpu.empty()) {
    spec.processors_per_gpu = number_option(args.processors_per_gpu, "--processors-per-gpu", 1e-3, 1e6,
                                            "processors of the log per GPU, from 0.001 to 1000000");
  }
  if (!args.request_gpus.empty()) {
    spec.azure.gpus =
        number_option(args.request_gpus, "--request-gpus", 0.001, 1024, "GPUs per request, from 0.001 to 1024");
  }
  if (!args.prefill_tokens_per_s.empty()) {
    spec.azure.prefill_tokens_per_s =
        number_option(args.prefill_tokens_per_s, "--prefill-tokens-per-s", 1e-3, 1e12, "a positive token rate");
  }
  if (!args.decode_tokens_per_s.empty()) {
    spec.azure.decode_tokens_per_s =
        number_option(args.decode_tokens_per_s, "--decode-tokens-per-s", 1e-3, 1e12, "a positive token rate");
  }
  for (const std::string& mapping : args.gpu_types) {
    const std::size_t equals = mapping.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw InputError(kCommandLine, "--gpu-types", "MODEL=TYPE pairs such as G2=T4,V100M16=V100",
                       quote_for_message(mapping));
    }
    spec.gpu_types[mapping.substr(0, equals)] = gpu_type_option(mapping.substr(equals + 1), "--gpu-types", catalog);
  }
  return spec;
}

bool writes_stdout(const std::string& path) {
  return path.empty() || path == "-";
}

// Writes what `write` puts on a stream to `path`, atomically through
// sim/atomic_file (a temporary file beside it, renamed when complete), or to
// standard output for "" and "-". `write` returns false to abandon the file
// (interrupted): the temporary is removed and nothing is left. Returns
// whether the output is complete.
bool write_output(const std::string& path, const std::function<bool(std::FILE*)>& write) {
  if (writes_stdout(path)) {
    const bool complete = write(stdout);
    if (std::fflush(stdout) != 0) throw std::runtime_error(std::string("cannot write: ") + std::strerror(errno));
    return complete;
  }
  const auto unwritable = [&](int error) {
    return InputError(kCommandLine, "-o", "a file that can be written",
                      quote_for_message(path) + " (" + std::strerror(error) + ")");
  };
  struct Abandoned {};
  try {
    sim::write_atomically(path, [&](const std::filesystem::path& temporary) {
      std::FILE* file = std::fopen(temporary.c_str(), "wb");
      if (!file) throw unwritable(errno);
      std::setvbuf(file, nullptr, _IOFBF, 1 << 20);
      const bool complete = write(file);
      const bool failed = std::ferror(file) != 0;
      const int error = errno;
      if (std::fclose(file) != 0 || failed) throw unwritable(failed ? error : errno);
      if (!complete) throw Abandoned{};
    });
  } catch (const Abandoned&) {
    return false;
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error&) {  // the rename
    throw unwritable(errno);
  }
  return true;
}

// "2025-11-25 06:40:00 UTC": now, or SOURCE_DATE_EPOCH when set (for
// reproducible output, as reproducible builds do).
std::string now_text() {
  std::int64_t seconds = static_cast<std::int64_t>(std::time(nullptr));
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    std::int64_t value = 0;
    if (parse_int(epoch, value) && value >= 0) seconds = value;
  }
  return format_datetime(seconds * 1'000'000) + " UTC";
}

int stats_command(const TraceArguments& args) {
  const GpuCatalog catalog = GpuCatalog::builtin();
  const TraceStatsSummary summary = trace_stats(trace_spec_of(args, catalog), catalog);
  const std::string text = args.json ? trace_stats_json(summary) : format_trace_stats(summary);
  std::fputs(text.c_str(), stdout);
  return 0;
}

int fit_command(const TraceArguments& args) {
  const GpuCatalog catalog = GpuCatalog::builtin();
  const TraceSpec spec = trace_spec_of(args, catalog);
  TraceFitOptions options;
  options.recorded_on = catalog.at(spec.recorded_on).name;
  if (!args.max_gpus.empty()) {
    options.max_gpus = static_cast<std::int32_t>(
        int_option(args.max_gpus, "--max-gpus", 1, 1'000'000, "a GPU count from 1 to 1000000"));
  }
  if (!args.classes.empty()) {
    options.class_max_gpus.clear();
    for (const std::string& bound : args.classes) {
      options.class_max_gpus.push_back(static_cast<std::int32_t>(
          int_option(bound, "--classes", 1, 1'000'000, "GPU counts such as 1,4,8 (the largest of each class)")));
    }
  }
  std::int64_t rows = 0, bad_rows = 0;
  const TraceFit fit = fit_trace(spec, catalog, options, &rows, &bad_rows);
  TraceFitSource source{args.path, args.format, rows, bad_rows, now_text(), kVersion};
  const std::string yaml = format_fit_yaml(fit, source);
  write_output(args.output, [&](std::FILE* out) { return std::fputs(yaml.c_str(), out) >= 0; });
  if (!writes_stdout(args.output)) {
    std::printf("%s: synthetic workload fitted to %lld jobs of %s (%.3f jobs per hour)\n", args.output.c_str(),
                static_cast<long long>(fit.jobs), args.path.c_str(), fit.spec.jobs_per_hour);
  }
  return 0;
}

// Text for a one-line comment.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// A scalar at a path of keys in a YAML tree, or "".
std::string scalar_at(const ConfigNode& root, std::initializer_list<std::string_view> keys) {
  const ConfigNode* node = &root;
  for (const std::string_view key : keys) {
    if (node->kind() != ConfigNode::Kind::kMap) return "";
    const ConfigNode::Entry* entry = node->find(key);
    if (!entry) return "";
    node = entry->value.get();
  }
  return node->kind() == ConfigNode::Kind::kScalar ? node->scalar() : "";
}

// A YAML double-quoted string.
std::string yaml_quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Loads a scenario, or a file holding only a workload (as `trace fit`
// writes): that one gets a cluster large enough for any job appended, since
// the loader checks jobs against a cluster.
Scenario load_workload(const std::string& path, std::string& recorded_on) {
  const ConfigNodePtr root = parse_config_file(path);
  recorded_on = scalar_at(*root, {"workload", "synthetic", "recorded_on"});
  if (recorded_on.empty()) recorded_on = "V100";
  if (root->kind() != ConfigNode::Kind::kMap || root->find("cluster")) return load_scenario(path);
  std::string text = read_text_file(path, ConfigLimits{}.max_file_bytes);
  std::string gpu = scalar_at(*root, {"workload", "synthetic", "gpu_type"});
  if (gpu.empty()) gpu = "V100";
  text += "\n# (capsim trace generate: a cluster for a workload-only file)\ncluster: {node_groups: [{gpu: " +
          yaml_quoted(gpu) + ", gpus_per_node: 1024, count: 1000}]}\n";
  std::filesystem::path base = std::filesystem::path(path).parent_path();
  if (base.empty()) base = ".";
  Scenario scenario = parse_scenario(text, path, base);
  scenario.file = path;
  return scenario;
}

// Seconds of a Duration exactly: "12.5", "3600", "0.000001".
void append_seconds(std::string& out, std::int64_t us) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(us / 1'000'000));
  out += buffer;
  if (const std::int64_t rest = us % 1'000'000; rest != 0) {
    std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(rest));
    std::size_t length = std::strlen(buffer);
    while (buffer[length - 1] == '0') --length;
    out.append(buffer, length);
  }
}

int generate_command(const TraceArguments& args, const std::atomic<bool>& interrupted) {
  std::string recorded_on;
  const Scenario scenario = load_workload(args.workload_path, recorded_on);
  if (!scenario.workload.synthetic) {
    throw InputError({args.workload_path, 0, 0}, "workload.synthetic", "a synthetic workload to draw jobs from",
                     "a workload without one");
  }
  SyntheticWorkloadSpec spec = *scenario.workload.synthetic;
  if (!args.jobs.empty()) {
    spec.max_jobs = int_option(args.jobs, "--jobs", 1, 1'000'000'000'000, "a number of jobs from 1");
    spec.span = Duration::days(365 * 100'000);  // as many jobs as asked, however long they take to arrive
  }
  std::uint64_t seed = scenario.run.seed;
  if (!args.seed.empty()) {
    seed = static_cast<std::uint64_t>(
        int_option(args.seed, "--seed", 0, std::numeric_limits<std::int64_t>::max(), "a non-negative integer"));
  }
  const bool typed = spec.gpu_type != kAnyGpuType;
  const std::string gpu_type = typed ? scenario.catalog.at(spec.gpu_type).name : "";

  ProgressLine progress(!writes_stdout(args.output) && ProgressLine::should_show(false));
  std::string text = "# Jobs drawn by `capsim trace generate` from the synthetic workload of " +
                     one_line(args.workload_path) + " (seed " + std::to_string(seed) + "); run times as on " +
                     recorded_on + " (replay with recorded_on: " + recorded_on + ")\n";
  text += typed ? "job_id,submit_s,gpus,duration_s,gpu_type,user\n" : "job_id,submit_s,gpus,duration_s,user\n";
  SyntheticJobSource source(spec, seed);
  JobSpec job;
  std::int64_t written = 0;
  std::int64_t flushes = 0;
  Time last_submit;
  const bool complete = write_output(args.output, [&](std::FILE* out) {
    while (source.next(job)) {
      text += job.name;
      text += ',';
      append_seconds(text, job.submit.count_us());
      text += ',';
      text += std::to_string(job.gpus());
      text += ',';
      append_seconds(text, job.duration.count_us());
      text += ',';
      if (typed) {
        text += gpu_type;
        text += ',';
      }
      text += job.user;
      text += '\n';
      ++written;
      last_submit = job.submit;
      if (text.size() >= (1u << 16)) {
        std::fwrite(text.data(), 1, text.size(), out);
        text.clear();
        if (interrupted.load()) return false;
        if (++flushes % 64 == 0) progress.show((std::to_string(written) + " jobs written").c_str());
      }
    }
    std::fwrite(text.data(), 1, text.size(), out);
    return true;
  });
  progress.clear();
  if (!complete) {
    std::fprintf(stderr, "capsim: interrupted; %s not written\n", args.output.c_str());
    return kExitInterrupted;
  }
  if (!writes_stdout(args.output)) {
    std::printf("%s: %lld jobs, %s of arrivals\n", args.output.c_str(), static_cast<long long>(written),
                format_duration(last_submit.since_start()).c_str());
  }
  return 0;
}

}  // namespace

void add_trace_commands(CLI::App& app, TraceArguments& args) {
  args.trace = app.add_subcommand("trace", "look into a trace, fit a synthetic workload to it, or generate one");
  args.trace->require_subcommand(1);

  const auto reading_options = [&](CLI::App* command) {
    command->add_option("trace", args.path, "trace file (.gz, .bz2, .xz, .zip read as they stream)")->required();
    command->add_option("--format", args.format, "trace format: " + trace_format_names())->required();
    command->add_flag("--skip-bad-rows", args.skip_bad_rows, "skip and count rows that do not parse");
    command->add_option("--recorded-on", args.recorded_on, "GPU type the run times were measured on (default V100)");
    command->add_option("--gpu-types", args.gpu_types, "the trace's GPU models as catalog types: G2=T4,...")
        ->delimiter(',');
    command->add_option("--processors-per-gpu", args.processors_per_gpu, "swf: processors of the log per GPU");
    command->add_option("--request-gpus", args.request_gpus, "azure-llm: GPUs per request (default 0.25)");
    command->add_option("--prefill-tokens-per-s", args.prefill_tokens_per_s,
                        "azure-llm: prompt tokens per second (default 10000)");
    command->add_option("--decode-tokens-per-s", args.decode_tokens_per_s,
                        "azure-llm: generated tokens per second (default 30)");
  };

  args.stats = args.trace->add_subcommand("stats", "print what a trace holds: jobs, GPU-hours, run times, arrivals");
  reading_options(args.stats);
  args.stats->add_flag("--json", args.json, "print one JSON object instead of the table");

  args.fit = args.trace->add_subcommand("fit", "fit the synthetic workload generator to a trace; write YAML");
  reading_options(args.fit);
  args.fit->add_option("-o,--output", args.output, "YAML file to write (default: standard output)");
  args.fit->add_option("--max-gpus", args.max_gpus, "leave jobs above this many GPUs out of the fit");
  args.fit->add_option("--classes", args.classes, "largest GPU count of each duration class (default 1,4,8)")
      ->delimiter(',');

  args.generate =
      args.trace->add_subcommand("generate", "write jobs drawn from a synthetic workload as a native CSV trace");
  args.generate->add_option("workload", args.workload_path, "scenario, or workload file from `trace fit`")->required();
  args.generate->add_option("--jobs", args.jobs, "how many jobs (default: as the workload says)");
  args.generate->add_option("-o,--output", args.output, "CSV file to write (default or '-': standard output)");
  args.generate->add_option("--seed", args.seed, "random seed (default: the scenario's run.seed)");
}

int run_trace_command(const TraceArguments& args, const std::atomic<bool>& interrupted) {
  if (*args.stats) return stats_command(args);
  if (*args.fit) return fit_command(args);
  if (*args.generate) return generate_command(args, interrupted);
  return 1;
}

}  // namespace capsim::cli
