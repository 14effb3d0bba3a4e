// Alibaba PAI openb pod list (the FGD dataset, ATC'23):
//   name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,
//   creation_time,deletion_time,scheduled_time
// A pod asks for num_gpu GPUs, each gpu_milli thousandths of a GPU (below
// 1000: a share of one GPU; num_gpu 0: a CPU-only pod), cpu_milli and
// memory_mib. gpu_spec limits the GPU models ("A|B": either; empty: any).
// qos (LS, BE, ...) is read as the queue. Times are seconds on the trace's
// own clock. The run time is deletion - scheduled; pod_phase gives the
// state: Succeeded -> completed, Failed -> failed, Running -> running (the
// trace ended first), Pending -> cancelled (never scheduled: not replayed).
// Some variants (multigpuNN) list only the requests, without times or phases:
// they read (for statistics and packing experiments) but do not replay.
#include "core/config_tree.hpp"
#include "core/traces/common.hpp"

namespace capsim::traces {

namespace {

class OpenbReader : public CsvTraceReader {
 public:
  OpenbReader(const TraceSpec& spec, const GpuCatalog& catalog)
      : CsvTraceReader(spec, catalog, {"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"},
                       {"gpu_spec", "qos", "pod_phase", "creation_time", "deletion_time", "scheduled_time"}),
        timed_(csv_.has("creation_time") || csv_.has("deletion_time")) {
    if (timed_ && !(csv_.has("creation_time") && csv_.has("deletion_time"))) {
      throw InputError(csv_.row(), "header", "both creation_time and deletion_time, or neither", "only one");
    }
  }

  bool next(JobSpec& job) override {
    if (!csv_.next()) return false;
    job = JobSpec();
    job.origin = csv_.row();
    job.name = std::string(csv_.field("name"));
    const auto whole = [&](std::string_view column, std::int64_t max, const char* expected) {
      std::int64_t value = 0;
      if (!parse_int(csv_.field(column), value) || value < 0 || value > max) csv_.fail(column, expected);
      return value;
    };
    const std::int64_t num_gpu = whole("num_gpu", kMaxGpusPerJob, "a whole number of GPUs");
    const std::int64_t gpu_milli = whole("gpu_milli", kMilliPerGpu, "thousandths of a GPU, 0 to 1000");
    if (num_gpu > 0 && gpu_milli == 0) csv_.fail("gpu_milli", "a share above 0 for a pod with GPUs");
    if (num_gpu > 1 && gpu_milli != kMilliPerGpu) {
      csv_.fail("gpu_milli", "1000 for a pod of several GPUs (only single-GPU pods share a GPU)");
    }
    job.request.gpu_milli = num_gpu * (num_gpu > 0 ? gpu_milli : 0);
    job.request.cpu_milli = whole("cpu_milli", std::int64_t{1} << 40, "a whole number of thousandths of a core");
    job.request.memory_mib = whole("memory_mib", std::int64_t{1} << 40, "a whole number of MiB");
    if (job.request.gpu_milli == 0 && job.request.cpu_milli == 0) {
      csv_.fail("cpu_milli", "CPU for a pod without GPUs (a pod must ask for something)");
    }
    if (!csv_.field("gpu_spec").empty()) {
      const auto types = gpu_types_of(csv_.field("gpu_spec"), spec_, catalog_);
      if (!types) csv_.fail("gpu_spec", gpu_types_expected(catalog_) + ", or nothing for any");
      job.gpu_types = *types;
    }
    job.queue = std::string(csv_.field("qos"));
    if (!timed_) {
      set_work(job, spec_, catalog_);
      return true;
    }
    const auto seconds = [&](std::string_view column) {
      return Duration::from_seconds(number_field(csv_, column, 0, 9.0e12, "a non-negative number of seconds"));
    };
    job.submit = Time::zero() + seconds("creation_time");
    const Duration deleted = seconds("deletion_time");
    const std::string_view phase = csv_.field("pod_phase");
    if (phase == "Pending" || csv_.field("scheduled_time").empty()) {
      job.outcome = JobOutcome::kCancelled;
    } else {
      const Duration scheduled = seconds("scheduled_time");
      if (deleted < scheduled) csv_.fail("deletion_time", "a time at or after scheduled_time");
      if (scheduled < job.submit.since_start()) csv_.fail("scheduled_time", "a time at or after creation_time");
      job.duration = deleted - scheduled;
      if (phase == "Succeeded" || phase.empty()) {
        job.outcome = JobOutcome::kCompleted;
      } else if (phase == "Failed") {
        job.outcome = JobOutcome::kFailed;
      } else if (phase == "Running") {
        job.outcome = JobOutcome::kRunning;
      } else {
        csv_.fail("pod_phase", "Succeeded, Failed, Running or Pending");
      }
    }
    set_work(job, spec_, catalog_);
    return true;
  }

  bool timed() const override { return timed_; }

 private:
  bool timed_;
};

}  // namespace

std::unique_ptr<TraceReader> open_alibaba_openb(const TraceSpec& spec, const GpuCatalog& catalog) {
  return std::make_unique<OpenbReader>(spec, catalog);
}

}  // namespace capsim::traces
