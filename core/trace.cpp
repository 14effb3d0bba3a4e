#include "core/trace.hpp"

namespace capsim {

namespace {
constexpr TraceFormat kFormats[] = {TraceFormat::kPhilly, TraceFormat::kAlibabaOpenb, TraceFormat::kAzureLlm,
                                    TraceFormat::kSwf, TraceFormat::kCsv};
}

std::string_view to_string(TraceFormat format) {
  switch (format) {
    case TraceFormat::kPhilly:
      return "philly";
    case TraceFormat::kAlibabaOpenb:
      return "alibaba-openb";
    case TraceFormat::kAzureLlm:
      return "azure-llm";
    case TraceFormat::kSwf:
      return "swf";
    case TraceFormat::kCsv:
      return "csv";
  }
  return "unknown";
}

std::optional<TraceFormat> parse_trace_format(std::string_view text) {
  for (const TraceFormat format : kFormats) {
    if (text == to_string(format)) return format;
  }
  return std::nullopt;
}

std::string trace_format_names() {
  std::string names;
  for (const TraceFormat format : kFormats) {
    if (!names.empty()) names += ", ";
    names += to_string(format);
  }
  return names;
}

}  // namespace capsim

// ---------------------------------------------------------------------------
// Reading and the replay pipeline.

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "core/random.hpp"
#include "core/trace_sort.hpp"
#include "core/traces/common.hpp"

namespace capsim {

std::unique_ptr<TraceReader> open_trace_reader(const TraceSpec& spec, const GpuCatalog& catalog) {
  switch (spec.format) {
    case TraceFormat::kPhilly:
      return traces::open_philly(spec, catalog);
    case TraceFormat::kAlibabaOpenb:
      return traces::open_alibaba_openb(spec, catalog);
    case TraceFormat::kAzureLlm:
      return traces::open_azure_llm(spec, catalog);
    case TraceFormat::kSwf:
      return traces::open_swf(spec, catalog);
    case TraceFormat::kCsv:
      return traces::open_csv_trace(spec, catalog);
  }
  CAPSIM_CHECK(false) << "unknown trace format";
  return nullptr;
}

namespace {

constexpr std::size_t kBadRowsKept = 10;

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The trace, sorted, windowed, filtered and scaled (see open_trace).
class TraceJobSource : public JobSource {
 public:
  TraceJobSource(const TraceSpec& spec, const GpuCatalog& catalog, std::uint64_t seed,
                 std::shared_ptr<TraceReport> report)
      : spec_(spec),
        reader_(open_trace_reader(spec, catalog)),
        report_(report ? std::move(report) : std::make_shared<TraceReport>()),
        random_(RandomStream::derive(seed, "trace.scale")),
        sample_random_(RandomStream::derive(seed, "trace.sample")) {
    if (!reader_->timed() && !spec.sample) {
      throw InputError(spec.where, "path",
                       "a trace with submit and run times to replay (" + spec.path.string() + " lists only requests)",
                       "a file without time columns");
    }
    const TraceClock clock = reader_->clock();
    if ((spec.window.start_at_us || spec.window.end_at_us) && !clock.unix_origin_s) {
      throw InputError(spec.where, "window", "offsets from the trace's first job (such as 14d)",
                       "a date, but the times of this " + std::string(to_string(spec.format)) + " trace are not dates");
    }
  }

  bool next(JobSpec& job) override {
    if (spec_.sample) {
      const bool more = next_sampled(job);
      if (more) ++report_->jobs;
      return more;
    }
    if (!sorted_) sort_all();
    const bool more = spec_.scale == 1.0 ? next_in_window(job) : next_scaled(job);
    if (more) ++report_->jobs;
    return more;
  }

 private:
  // The next row that parses, skipping (and counting) bad rows when the
  // spec says so; false at the end of the file.
  bool next_good_row(JobSpec& job) {
    while (true) {
      try {
        return reader_->next(job);
      } catch (const InputError& e) {
        if (!spec_.skip_bad_rows) throw;
        ++report_->bad_rows;
        if (report_->first_bad_rows.size() < kBadRowsKept) report_->first_bad_rows.emplace_back(e.what());
      }
    }
  }

  // The sample's rows: every row that passes the filters, in file order,
  // pods that never ran included (their requests are requests all the same).
  void read_sample_rows() {
    sorted_ = true;
    JobSpec job;
    while (next_good_row(job)) {
      if (!passes_filters(job)) {
        ++report_->filtered_out;
        continue;
      }
      rows_.push_back(job);
    }
    report_->rows = reader_->rows();
    report_->sampled_from = static_cast<std::int64_t>(rows_.size());
  }

  // The next drawn job: a row at random (with or without replacement),
  // arriving `interval` after the previous one, never ending; none once the
  // requests reach the target.
  bool next_sampled(JobSpec& job) {
    if (!sorted_) read_sample_rows();
    const TraceSample& sample = *spec_.sample;
    if (rows_.empty() || report_->requested_gpu_milli >= sample.until_requested_gpu_milli) return false;
    std::size_t index = 0;
    if (sample.with_replacement) {
      index = static_cast<std::size_t>(sample_random_.uniform_below(rows_.size()));
    } else {
      if (drawn_ == rows_.size()) return false;
      // A partial Fisher-Yates shuffle: rows_[0, drawn_) are the rows drawn.
      const std::size_t pick = drawn_ + static_cast<std::size_t>(sample_random_.uniform_below(rows_.size() - drawn_));
      std::swap(rows_[drawn_], rows_[pick]);
      index = drawn_++;
    }
    const std::int64_t k = report_->jobs;  // draws so far
    job = rows_[index];
    job.name += "#" + std::to_string(k);
    job.submit = Time::zero() + sample.interval * k;
    job.work = std::numeric_limits<double>::infinity();
    job.outcome = JobOutcome::kCompleted;
    report_->requested_gpu_milli += job.request.gpu_milli;
    return true;
  }

  // Reads every row into the sorter, skipping bad rows when asked and
  // leaving out cancelled jobs and those the filters reject.
  void sort_all() {
    sorted_ = true;
    JobSpec job;
    while (next_good_row(job)) {
      if (!trace_start_ || job.submit < *trace_start_) trace_start_ = job.submit;
      if (job.outcome == JobOutcome::kCancelled) {
        ++report_->cancelled;
        continue;
      }
      if (!passes_filters(job)) {
        ++report_->filtered_out;
        continue;
      }
      sorter_.add(job);
    }
    report_->rows = reader_->rows();
    sorter_.finish();

    // The window in the trace's own time.
    const TraceClock clock = reader_->clock();
    const std::int64_t origin_us = clock.unix_origin_s.value_or(0) * 1'000'000;
    Time start = trace_start_.value_or(Time::zero());
    if (spec_.window.start_at_us) start = Time::from_us(*spec_.window.start_at_us - origin_us);
    if (spec_.window.start_offset) start = start + *spec_.window.start_offset;
    window_start_ = start;
    if (spec_.window.length) window_end_ = start + *spec_.window.length;
    if (spec_.window.end_at_us) window_end_ = Time::from_us(*spec_.window.end_at_us - origin_us);
    if (clock.unix_origin_s) {
      std::int64_t us = origin_us + window_start_.count_us();
      report_->first_submit_unix_s = us >= 0 ? us / 1'000'000 : -((-us + 999'999) / 1'000'000);
    }
  }

  bool passes_filters(const JobSpec& job) const {
    const TraceFilters& f = spec_.filters;
    const double gpus = static_cast<double>(job.request.gpu_milli) / kMilliPerGpu;
    if (f.min_gpus && gpus < *f.min_gpus) return false;
    if (f.max_gpus && gpus > *f.max_gpus) return false;
    if (!f.states.empty() && std::find(f.states.begin(), f.states.end(), job.outcome) == f.states.end()) return false;
    if (!f.users.empty() && !contains(f.users, job.user)) return false;
    if (!f.queues.empty() && !contains(f.queues, job.queue)) return false;
    return true;
  }

  // The next sorted job inside the window, its time shifted so that the
  // window starts at simulated time 0.
  bool next_in_window(JobSpec& job) {
    while (sorter_.next(job)) {
      if (job.submit < window_start_ || (window_end_ && job.submit >= *window_end_)) {
        ++report_->filtered_out;
        continue;
      }
      job.submit = Time::zero() + (job.submit - window_start_);
      return true;
    }
    return false;
  }

  // Thinning and inflating. Copies are jittered within +-jitter, so a job is
  // released once no later input can come before it: every later input
  // arrives at or after the last one read, and its copies at most `jitter`
  // earlier.
  struct Pending {
    Time submit;
    std::uint64_t sequence;
    JobSpec job;
  };
  struct Later {
    bool operator()(const Pending& a, const Pending& b) const {
      return a.submit != b.submit ? a.submit > b.submit : a.sequence > b.sequence;
    }
  };

  bool next_scaled(JobSpec& job) {
    while (true) {
      if (!pending_.empty() && (input_done_ || pending_.top().submit + spec_.jitter <= last_input_)) {
        job = std::move(const_cast<Pending&>(pending_.top()).job);
        pending_.pop();
        return true;
      }
      if (input_done_) return false;
      JobSpec original;
      if (!next_in_window(original)) {
        input_done_ = true;
        continue;
      }
      last_input_ = original.submit;
      const double whole = std::floor(spec_.scale);
      std::int64_t copies = static_cast<std::int64_t>(whole);
      if (random_.uniform01() < spec_.scale - whole) ++copies;
      if (copies == 0) {
        ++report_->thinned_out;
        continue;
      }
      for (std::int64_t k = 1; k < copies; ++k) {
        JobSpec copy = original;
        const double offset_us = (2 * random_.uniform01() - 1) * static_cast<double>(spec_.jitter.count_us());
        const std::int64_t submit = std::max<std::int64_t>(0, original.submit.count_us() + std::llround(offset_us));
        copy.submit = Time::from_us(submit);
        copy.name += "+copy" + std::to_string(k);
        ++report_->copies_added;
        pending_.push({copy.submit, sequence_++, std::move(copy)});
      }
      pending_.push({original.submit, sequence_++, std::move(original)});
    }
  }

  TraceSpec spec_;
  std::unique_ptr<TraceReader> reader_;
  std::shared_ptr<TraceReport> report_;
  RandomStream random_;
  RandomStream sample_random_;
  std::vector<JobSpec> rows_;  // with a sample
  std::size_t drawn_ = 0;      // a sample without replacement: rows drawn
  JobSorter sorter_;
  bool sorted_ = false;
  std::optional<Time> trace_start_;
  Time window_start_;
  std::optional<Time> window_end_;
  std::priority_queue<Pending, std::vector<Pending>, Later> pending_;
  std::uint64_t sequence_ = 0;
  Time last_input_;
  bool input_done_ = false;
};

}  // namespace

std::unique_ptr<JobSource> open_trace(const TraceSpec& spec, const GpuCatalog& catalog, std::uint64_t seed,
                                      std::shared_ptr<TraceReport> report) {
  return std::make_unique<TraceJobSource>(spec, catalog, seed, std::move(report));
}

}  // namespace capsim
