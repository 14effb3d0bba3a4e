// The Standard Workload Format of the Parallel Workloads Archive (Feitelson):
// header comments starting with ';' ("; UnixStartTime: 1132444805"), then one
// job per line, 18 whitespace-separated integers, -1 for unknown:
//   1 job number  2 submit time  3 wait time  4 run time  5 allocated
//   processors  6 average CPU time  7 used memory (KB per processor)
//   8 requested processors  9 requested time  10 requested memory (KB per
//   processor)  11 status  12 user  13 group  14 executable  15 queue
//   16 partition  17 preceding job  18 think time
// A job asks for its allocated processors (else the requested ones), one GPU
// per `processors_per_gpu` processors of the log, and host memory for all its
// processors (requested, else used); the requested time is its estimate.
// Status: 1 completed, 0 failed, 5 cancelled (killed when it ran), 2 a
// partial execution (killed), 3 and 4 the last partial execution (completed,
// failed), -1 unknown (completed).
#include <cmath>

#include "core/config_tree.hpp"
#include "core/traces/common.hpp"

namespace capsim::traces {

namespace {

constexpr int kFields = 18;

class SwfReader : public TraceReader {
 public:
  SwfReader(const TraceSpec& spec, const GpuCatalog& catalog)
      : spec_(spec), catalog_(catalog), lines_(spec.path.string()) {
    // The header comes before the first job; read it now so that clock()
    // is known before any job.
    std::string_view line;
    while (lines_.next(line)) {
      const std::size_t first = line.find_first_not_of(" \t");
      if (first == std::string_view::npos) continue;
      if (line[first] != ';') {
        pending_ = std::string(line);
        pending_line_ = lines_.line();
        has_pending_ = true;
        break;
      }
      read_header(line.substr(first + 1));
    }
  }

  bool next(JobSpec& job) override {
    std::string_view line;
    int line_number = 0;
    while (true) {
      if (has_pending_) {
        has_pending_ = false;
        line = pending_;
        line_number = pending_line_;
      } else {
        if (!lines_.next(line)) return false;
        line_number = lines_.line();
      }
      const std::size_t first = line.find_first_not_of(" \t");
      if (first == std::string_view::npos || line[first] == ';') continue;
      break;
    }
    ++rows_;
    // Split into the 18 fields, remembering their columns for messages.
    std::int64_t values[kFields];
    int columns[kFields];
    int count = 0;
    std::size_t i = 0;
    while (true) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i >= line.size()) break;
      const std::size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
      if (count == kFields) {
        throw InputError({file(), line_number, static_cast<int>(start) + 1}, "", "18 fields per job", "more");
      }
      columns[count] = static_cast<int>(start) + 1;
      double value = 0;
      const std::string_view text = line.substr(start, i - start);
      // Integers by the format; some logs write decimals (average CPU time).
      if (!parse_number(text, value) || !std::isfinite(value) || std::fabs(value) > 9.0e15) {
        throw InputError({file(), line_number, columns[count]}, kFieldNames[count], "a number (-1 for unknown)",
                         quote_for_message(text));
      }
      values[count++] = std::llround(value);
    }
    if (count != kFields) {
      throw InputError({file(), line_number, 0}, "", "18 fields per job", std::to_string(count));
    }
    const auto fail = [&](int field, const std::string& expected) {
      throw InputError({file(), line_number, columns[field]}, kFieldNames[field], expected,
                       std::to_string(values[field]));
    };

    job = JobSpec();
    job.origin = {file(), line_number, 0};
    job.name = std::to_string(values[0]);
    if (values[1] < 0) fail(1, "a submit time in seconds, 0 or more");
    job.submit = Time::zero() + Duration::seconds(values[1]);
    const std::int64_t status = values[10];
    if (status < -1 || status > 5) fail(10, "a status from -1 to 5");
    const std::int64_t run = values[3];
    if (status == 5 && run <= 0) {
      job.outcome = JobOutcome::kCancelled;
    } else if (run < 0) {
      fail(3, "a run time in seconds (a job that ran must have one)");
    } else {
      job.duration = Duration::seconds(run);
      switch (status) {
        case 0:
        case 4:
          job.outcome = JobOutcome::kFailed;
          break;
        case 2:
        case 5:
          job.outcome = JobOutcome::kKilled;
          break;
        default:
          job.outcome = JobOutcome::kCompleted;
      }
    }
    const std::int64_t processors = values[4] > 0 ? values[4] : values[7];
    const int processor_field = values[4] > 0 ? 4 : 7;
    if (processors <= 0) {
      if (job.outcome != JobOutcome::kCancelled) fail(processor_field, "allocated or requested processors, 1 or more");
    } else {
      const auto milli = gpu_milli_of(static_cast<double>(processors) / spec_.processors_per_gpu, false);
      if (!milli) {
        fail(processor_field, "a processor count that makes whole GPUs (or a fraction of one) at " +
                                  std::to_string(spec_.processors_per_gpu) + " processors per GPU");
      }
      job.request.gpu_milli = *milli;
    }
    const std::int64_t kb_per_processor = values[9] > 0 ? values[9] : values[6];
    if (kb_per_processor > 0 && processors > 0) {
      job.request.memory_mib = (kb_per_processor * processors + 1023) / 1024;
    }
    if (values[8] > 0) job.estimate = Duration::seconds(values[8]);
    if (values[11] >= 0) job.user = std::to_string(values[11]);
    if (values[14] >= 0) job.queue = std::to_string(values[14]);
    set_work(job, spec_, catalog_);
    return true;
  }

  TraceClock clock() const override { return clock_; }
  std::int64_t rows() const override { return rows_; }

 private:
  static constexpr const char* kFieldNames[kFields] = {"job number",
                                                       "submit time",
                                                       "wait time",
                                                       "run time",
                                                       "allocated processors",
                                                       "average CPU time",
                                                       "used memory",
                                                       "requested processors",
                                                       "requested time",
                                                       "requested memory",
                                                       "status",
                                                       "user",
                                                       "group",
                                                       "executable",
                                                       "queue",
                                                       "partition",
                                                       "preceding job",
                                                       "think time"};

  const std::string& file() const { return lines_.file(); }

  void read_header(std::string_view text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return;
    const auto trim = [](std::string_view s) {
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
      return s;
    };
    const std::string_view key = trim(text.substr(0, colon));
    const std::string_view value = trim(text.substr(colon + 1));
    std::int64_t number = 0;
    if (key == "UnixStartTime" && parse_int(value, number)) clock_.unix_origin_s = number;
    if (key == "TimeZone" && parse_int(value, number) && std::llabs(number) <= 86400) {
      clock_.utc_offset_s = static_cast<std::int32_t>(number);
    }
  }

  TraceSpec spec_;
  const GpuCatalog& catalog_;
  LineReader lines_;
  TraceClock clock_;
  std::string pending_;
  int pending_line_ = 0;
  bool has_pending_ = false;
  std::int64_t rows_ = 0;
};

}  // namespace

std::unique_ptr<TraceReader> open_swf(const TraceSpec& spec, const GpuCatalog& catalog) {
  return std::make_unique<SwfReader>(spec, catalog);
}

}  // namespace capsim::traces
