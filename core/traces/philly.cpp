// Microsoft Philly job list (as derived by the Sia artifact):
//   timestamp,duration,num_gpus,gpu_time,cluster
// `timestamp` is the submit time as a date; `cluster` the virtual cluster,
// read as the job's queue. The file has no user, GPU type or final state:
// jobs count as completed, on the trace's recorded_on GPU type. Rows are not
// sorted by time (the pipeline sorts them).
#include "core/config_tree.hpp"
#include "core/traces/common.hpp"

namespace capsim::traces {

namespace {

class PhillyReader : public CsvTraceReader {
 public:
  PhillyReader(const TraceSpec& spec, const GpuCatalog& catalog)
      : CsvTraceReader(spec, catalog, {"timestamp", "duration", "num_gpus"}, {"cluster"}) {}

  bool next(JobSpec& job) override {
    if (!csv_.next()) return false;
    job = JobSpec();
    job.origin = csv_.row();
    job.name = "philly-" + std::to_string(csv_.rows());
    const auto submit = parse_datetime_us(csv_.field("timestamp"));
    if (!submit) csv_.fail("timestamp", std::string(kDatetimeExpected));
    job.submit = Time::from_us(*submit);
    job.duration =
        Duration::from_seconds(number_field(csv_, "duration", 0, 9.0e12, "a non-negative number of seconds"));
    std::int64_t gpus = 0;
    if (!parse_int(csv_.field("num_gpus"), gpus) || gpus < 1 || gpus > kMaxGpusPerJob) {
      csv_.fail("num_gpus", "a whole number of GPUs from 1 to " + std::to_string(kMaxGpusPerJob));
    }
    job.request = Resources::gpus(static_cast<std::int32_t>(gpus));
    job.queue = std::string(csv_.field("cluster"));
    set_work(job, spec_, catalog_);
    return true;
  }

  // Dates without a zone: read as they are (hours of day in the trace's clock).
  TraceClock clock() const override { return {0, 0}; }
};

}  // namespace

std::unique_ptr<TraceReader> open_philly(const TraceSpec& spec, const GpuCatalog& catalog) {
  return std::make_unique<PhillyReader>(spec, catalog);
}

}  // namespace capsim::traces
