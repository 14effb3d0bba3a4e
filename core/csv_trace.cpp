#include "core/csv_trace.hpp"

#include <algorithm>
#include <cmath>

#include "core/config_tree.hpp"

namespace capsim {

namespace {
constexpr const char* kColumnNames[] = {"job_id", "submit_s", "gpus", "duration_s", "gpu_type",
                                        "user",   "state",    "cpus", "memory_mib", "gpu_memory_mib"};
constexpr std::int64_t kMaxGpusPerJob = 1'000'000;

std::string known_columns() {
  std::string text;
  for (const char* name : kColumnNames) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}
}  // namespace

CsvTraceSource::CsvTraceSource(const std::string& path, const GpuCatalog& catalog, GpuTypeId recorded_on)
    : reader_(path), catalog_(catalog), recorded_speed_(catalog.at(recorded_on).relative_speed) {
  std::fill(std::begin(column_index_), std::end(column_index_), -1);
  if (!reader_.next(fields_)) {
    throw InputError({path, 0, 0}, "", "a header line naming the columns (" + known_columns() + ")", "an empty file");
  }
  header_size_ = fields_.size();
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const auto* found = std::find(std::begin(kColumnNames), std::end(kColumnNames), fields_[i]);
    if (found == std::end(kColumnNames)) {
      throw InputError(reader_.where(i), "header", "one of the columns " + known_columns(),
                       quote_for_message(fields_[i]));
    }
    const auto column = static_cast<std::size_t>(found - std::begin(kColumnNames));
    if (column_index_[column] >= 0) {
      throw InputError(reader_.where(i), "header", "each column once", "a second " + quote_for_message(fields_[i]));
    }
    column_index_[column] = static_cast<int>(i);
  }
  for (const Column required : {kSubmit, kGpus, kDuration}) {
    if (column_index_[required] < 0) {
      throw InputError(reader_.where(0), "header", std::string("a column named ") + kColumnNames[required],
                       "a header without it");
    }
  }
}

bool CsvTraceSource::next(JobSpec& job) {
  if (!reader_.next(fields_)) return false;
  if (fields_.size() != header_size_) {
    throw InputError({reader_.file(), reader_.line(), 0}, "", std::to_string(header_size_) + " fields as in the header",
                     std::to_string(fields_.size()));
  }
  const auto field = [&](Column c) -> std::string_view {
    return column_index_[c] < 0 ? std::string_view() : fields_[static_cast<std::size_t>(column_index_[c])];
  };
  const auto fail = [&](Column c, const std::string& expected) {
    throw InputError(reader_.where(static_cast<std::size_t>(column_index_[c])), kColumnNames[c], expected,
                     quote_for_message(field(c)));
  };
  const auto seconds = [&](Column c) {
    double value = 0;
    if (!parse_number(field(c), value) || value < 0 || !Duration::seconds_fit(value)) {
      fail(c, "a non-negative number of seconds");
    }
    return Duration::from_seconds(value);
  };

  job = JobSpec();
  job.origin = {reader_.file(), reader_.line(), 0};
  job.submit = Time::zero() + seconds(kSubmit);
  if (job.submit < last_submit_) {
    fail(kSubmit, "rows sorted by submit_s (line " + std::to_string(last_submit_line_) + " submits at " +
                      std::to_string(last_submit_.to_seconds()) + " s)");
  }
  last_submit_ = job.submit;
  last_submit_line_ = reader_.line();

  std::int64_t gpus = 0;
  if (!parse_int(field(kGpus), gpus) || gpus < 1 || gpus > kMaxGpusPerJob) {
    double fractional = 0;
    if (parse_number(field(kGpus), fractional) && fractional > 0 && fractional < 1) {
      fail(kGpus, "a whole number of GPUs (fractional GPU sharing is not modelled by this version)");
    }
    fail(kGpus, "a whole number of GPUs from 1 to " + std::to_string(kMaxGpusPerJob));
  }
  job.request = Resources::gpus(static_cast<std::int32_t>(gpus));
  job.duration = seconds(kDuration);
  job.work = static_cast<double>(job.duration.count_us()) * static_cast<double>(gpus) * recorded_speed_;

  if (column_index_[kJobId] >= 0 && !field(kJobId).empty()) {
    job.name = std::string(field(kJobId));
  } else {
    job.name = "line-" + std::to_string(reader_.line());
  }
  if (column_index_[kGpuType] >= 0 && !field(kGpuType).empty()) {
    const auto type = catalog_.find(field(kGpuType));
    if (!type) fail(kGpuType, "a GPU type of the catalog (" + catalog_.names() + ") or nothing for any");
    job.gpu_type = *type;
  }
  if (column_index_[kUser] >= 0) job.user = std::string(field(kUser));
  if (column_index_[kState] >= 0 && !field(kState).empty()) {
    const auto outcome = parse_job_outcome(field(kState));
    if (!outcome) fail(kState, "completed, failed or killed");
    job.outcome = *outcome;
  }
  if (column_index_[kCpus] >= 0 && !field(kCpus).empty()) {
    double cores = 0;
    if (!parse_number(field(kCpus), cores) || cores < 0 || cores > 1e9) fail(kCpus, "a non-negative number of cores");
    job.request.cpu_milli = std::llround(cores * 1000);
  }
  const auto mib = [&](Column c) {
    std::int64_t value = 0;
    if (!parse_int(field(c), value) || value < 0) fail(c, "a non-negative whole number of MiB");
    return value;
  };
  if (column_index_[kMemory] >= 0 && !field(kMemory).empty()) job.request.memory_mib = mib(kMemory);
  if (column_index_[kGpuMemory] >= 0 && !field(kGpuMemory).empty()) job.request.gpu_memory_mib = mib(kGpuMemory);
  return true;
}

}  // namespace capsim
