// What a researcher checks first about a trace (`capsim trace stats`): rows,
// jobs by final state, users and queues, GPU-hours, GPUs per job, run-time
// percentiles, arrivals by hour of day and the span. TraceStats accumulates
// jobs in one pass, in any order, keeping 8 bytes per job (the run times, for
// exact percentiles) and a fixed amount besides; its summary prints as an
// aligned table or as JSON. ArrivalCalendar, which bins submit times by hour
// of the week on the trace's clock, is shared with the synthetic fit.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/chunked_vector.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/statistics.hpp"
#include "core/trace.hpp"

namespace capsim {

// Submit times binned by hour of the week (Monday 00h first). On a trace
// whose clock knows dates (TraceClock::unix_origin_s), the hours are the
// trace's local time (UTC + utc_offset_s). On one without dates, hour 0 is
// the whole second of the earliest submit: hours and days count from it, to
// the second (the trace's first submit is "Monday 00:00"). Rows may come in
// any order; without dates the calendar keeps one counter per second of a
// week (4.8 MB) until the earliest submit is known.
class ArrivalCalendar {
 public:
  explicit ArrivalCalendar(TraceClock clock);
  void add(Time submit);
  // Whether hours are wall-clock hours of the trace (else hours since its
  // first submit).
  bool dated() const { return dated_; }
  // 168 counts, Monday 00h first.
  std::vector<std::int64_t> hours_of_week() const;
  // 24 counts, 00h first (the week's hours summed by hour of day).
  std::vector<std::int64_t> hours_of_day() const;
  // 7 counts, Monday first.
  std::vector<std::int64_t> days_of_week() const;

 private:
  TraceClock clock_;
  bool dated_ = false;
  std::vector<std::int64_t> by_hour_;    // dated: 168 counts
  std::vector<std::int64_t> by_second_;  // undated: 604,800 counts of floor(submit) mod one week
  std::optional<std::int64_t> first_second_;
};

// One user or queue with its share of the trace.
struct TraceStatsShare {
  std::string name;
  std::int64_t jobs = 0;
  double gpu_hours = 0;
  friend bool operator==(const TraceStatsShare&, const TraceStatsShare&) = default;
};

// Users or queues of a trace: how many distinct names, and the largest by
// GPU-hours (ties: by name).
struct TraceStatsNames {
  std::int64_t distinct = 0;         // non-empty names
  std::int64_t jobs_without = 0;     // jobs with no name
  std::vector<TraceStatsShare> top;  // at most TraceStats::kTop, largest first
};

// Run times of the jobs that ran (cancelled ones have none), in seconds.
struct TraceStatsDurations {
  std::int64_t jobs = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;  // NaN when no job ran
};

struct TraceStatsSummary {
  std::string trace;          // the file, as given
  std::string format;         // "philly", ...
  std::int64_t rows = 0;      // data rows read, good or bad
  std::int64_t bad_rows = 0;  // skipped (skip_bad_rows)
  std::vector<std::string> first_bad_rows;
  std::int64_t jobs = 0;  // rows that parsed; the states below sum to it
  std::int64_t completed = 0, failed = 0, killed = 0;
  std::int64_t running = 0;    // still running when the trace ended
  std::int64_t cancelled = 0;  // left the queue without running
  TraceStatsNames users;
  TraceStatsNames queues;
  // Sum over jobs of run time x GPUs (a share of a GPU counts as its share).
  double gpu_hours = 0;
  // Jobs per distinct GPU request, in thousandths of a GPU (0: CPU only),
  // ascending.
  std::vector<std::pair<std::int64_t, std::int64_t>> gpus_per_job;
  TraceStatsDurations duration_s;
  // Arrivals per hour of day: the trace's local time when `dated`, else
  // hours since its first submit (mod 24).
  std::vector<std::int64_t> arrivals_by_hour;
  bool dated = false;
  TraceClock clock;
  // First and last submit, in seconds since the trace's time zero (for a
  // dated trace, first_submit_s + unix_origin_s is the Unix time); absent
  // without jobs.
  std::optional<double> first_submit_s;
  std::optional<double> last_submit_s;
};

// Accumulates jobs as a trace reader yields them.
class TraceStats {
 public:
  static constexpr std::size_t kTop = 5;
  static constexpr std::size_t kBadRowsKept = 10;

  TraceStats(std::string trace, std::string format, TraceClock clock);
  void add(const JobSpec& job);
  // A row that did not parse, with the reader's message (the first
  // kBadRowsKept are kept).
  void add_bad_row(const std::string& message);
  void set_rows(std::int64_t rows) { summary_.rows = rows; }
  // The summary; sorts the run times in place, so call it once, at the end.
  TraceStatsSummary finish();

 private:
  struct NameTotals {
    std::int64_t jobs = 0;
    double gpu_seconds = 0;
  };
  static TraceStatsNames top_of(const std::map<std::string, NameTotals, std::less<>>& totals,
                                std::int64_t jobs_without);

  TraceStatsSummary summary_;
  ArrivalCalendar arrivals_;
  ChunkedVector<double> durations_s_;
  double duration_sum_s_ = 0;
  double gpu_seconds_ = 0;
  std::map<std::int64_t, std::int64_t> gpu_requests_;
  std::map<std::string, NameTotals, std::less<>> users_;
  std::map<std::string, NameTotals, std::less<>> queues_;
  std::int64_t without_user_ = 0;
  std::int64_t without_queue_ = 0;
  std::optional<Time> first_submit_;
  std::optional<Time> last_submit_;
};

// Reads a whole trace (open_trace_reader) into TraceStats. Bad rows are
// skipped and counted when spec.skip_bad_rows; otherwise the first one is
// thrown (InputError naming file, line, column and field).
TraceStatsSummary trace_stats(const TraceSpec& spec, const GpuCatalog& catalog);

// "0", "0.25", "8": a GPU request given in thousandths.
std::string format_gpus(std::int64_t gpu_milli);

// The summary as one JSON object with a fixed key order (the README lists
// the keys), indented by two spaces, ending in a newline.
std::string trace_stats_json(const TraceStatsSummary& summary);

// The summary as an aligned table for a terminal.
std::string format_trace_stats(const TraceStatsSummary& summary);

}  // namespace capsim
