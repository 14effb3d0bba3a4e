#include "core/csv_trace.hpp"

#include <cmath>

#include "core/config_tree.hpp"
#include "core/traces/common.hpp"

namespace capsim::traces {

namespace {

class NativeCsvReader : public CsvTraceReader {
 public:
  NativeCsvReader(const TraceSpec& spec, const GpuCatalog& catalog)
      : CsvTraceReader(
            spec, catalog, {"submit_s", "gpus", "duration_s"},
            {"job_id", "gpu_type", "user", "queue", "state", "cpus", "memory_mib", "gpu_memory_mib", "estimate_s"},
            /*strict=*/true) {}

  bool next(JobSpec& job) override {
    if (!csv_.next()) return false;
    const auto seconds = [&](std::string_view column) {
      const double value = number_field(csv_, column, 0, 9.0e12, "a non-negative number of seconds");
      return Duration::from_seconds(value);
    };
    job = JobSpec();
    job.origin = csv_.row();
    job.submit = Time::zero() + seconds("submit_s");
    double gpus = 0;
    if (!parse_number(csv_.field("gpus"), gpus)) gpus = -1;
    const auto milli = gpu_milli_of(gpus, /*allow_zero=*/true);
    if (!milli) {
      csv_.fail("gpus", "a whole number of GPUs from 0 (CPU only) to " + std::to_string(kMaxGpusPerJob) +
                            ", or a fraction of one GPU in thousandths (0.25)");
    }
    job.request.gpu_milli = *milli;
    job.duration = seconds("duration_s");
    const std::string_view id = csv_.field("job_id");
    job.name = id.empty() ? "line-" + std::to_string(job.origin.line) : std::string(id);
    if (!csv_.field("gpu_type").empty()) {
      const auto types = gpu_types_of(csv_.field("gpu_type"), spec_, catalog_);
      if (!types) csv_.fail("gpu_type", gpu_types_expected(catalog_) + ", or nothing for any");
      job.gpu_types = *types;
    }
    job.user = std::string(csv_.field("user"));
    job.queue = std::string(csv_.field("queue"));
    if (!csv_.field("state").empty()) {
      const auto outcome = parse_job_outcome(csv_.field("state"));
      if (!outcome) csv_.fail("state", "completed, failed, killed, running or cancelled");
      job.outcome = *outcome;
    }
    if (!csv_.field("cpus").empty()) {
      job.request.cpu_milli = std::llround(number_field(csv_, "cpus", 0, 1e9, "a non-negative number of cores") * 1000);
    }
    const auto mib = [&](std::string_view column) {
      std::int64_t value = 0;
      if (!parse_int(csv_.field(column), value) || value < 0) csv_.fail(column, "a non-negative whole number of MiB");
      return value;
    };
    if (!csv_.field("memory_mib").empty()) job.request.memory_mib = mib("memory_mib");
    if (!csv_.field("gpu_memory_mib").empty()) job.request.gpu_memory_mib = mib("gpu_memory_mib");
    if (!csv_.field("estimate_s").empty()) job.estimate = seconds("estimate_s");
    if (job.request.gpu_milli == 0 && job.request.cpu_milli == 0) {
      csv_.fail("gpus", "GPUs, or cpus for a CPU-only job (a job must ask for something)");
    }
    set_work(job, spec_, catalog_);
    return true;
  }
};

}  // namespace

std::unique_ptr<TraceReader> open_csv_trace(const TraceSpec& spec, const GpuCatalog& catalog) {
  return std::make_unique<NativeCsvReader>(spec, catalog);
}

}  // namespace capsim::traces
