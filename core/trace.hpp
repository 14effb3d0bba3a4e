// Real workload traces: one streaming reader per public format (../shared/
// traces/README.md describes the files), and the pipeline that turns a trace
// into a replayable job stream (sorted by submit time in bounded memory,
// windowed, filtered, thinned or inflated).
//
// Formats:
//   philly         Microsoft Philly job list (timestamp,duration,num_gpus,gpu_time,cluster)
//   alibaba-openb  Alibaba PAI openb pod list (name,cpu_milli,memory_mib,num_gpu,gpu_milli,...)
//   azure-llm      Azure LLM inference requests (TIMESTAMP,ContextTokens,GeneratedTokens)
//   swf            Standard Workload Format of the Parallel Workloads Archive
//   csv            capsim's native CSV (core/csv_trace.hpp)
// Any of them may be compressed (.gz, .bz2, .xz, or a .zip holding one file):
// the reader decompresses as it streams.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/time.hpp"

namespace capsim {

enum class TraceFormat : std::uint8_t { kPhilly, kAlibabaOpenb, kAzureLlm, kSwf, kCsv };
std::string_view to_string(TraceFormat format);
std::optional<TraceFormat> parse_trace_format(std::string_view text);
// "philly, alibaba-openb, azure-llm, swf, csv", for messages.
std::string trace_format_names();

// Which part of a trace to replay. `start` is either an offset from the
// trace's first submit time or a wall-clock instant (for traces whose times
// are dates); the window ends after `length` or at `end`, whichever is given.
struct TraceWindow {
  std::optional<Duration> start_offset;     // from the trace's first submit
  std::optional<std::int64_t> start_at_us;  // wall clock: microseconds since 1970 (UTC)
  std::optional<Duration> length;
  std::optional<std::int64_t> end_at_us;  // wall clock
  bool empty() const { return !start_offset && !start_at_us && !length && !end_at_us; }
};

struct TraceFilters {
  // GPUs per job, inclusive (fractions allowed: 0.5 is half a GPU).
  std::optional<double> min_gpus;
  std::optional<double> max_gpus;
  std::vector<JobOutcome> states;   // empty: every state
  std::vector<std::string> users;   // empty: every user
  std::vector<std::string> queues;  // empty: every queue
};

// How an azure-llm request becomes a job: it holds `gpus` GPUs for
// context_tokens / prefill_tokens_per_s + generated_tokens / decode_tokens_per_s
// seconds (the trace records tokens, not run times). The defaults are an
// order-of-magnitude stand-in, stated in the README: a 70B model on an 8-GPU
// H100 replica that batches about 32 requests (a quarter of a GPU each),
// prefilling about 10,000 tokens/s and decoding about 30 tokens/s per request
// (the regime Splitwise, ISCA'24, measures). Scenarios should set their own.
struct AzureLlmModel {
  double gpus = 0.25;
  double prefill_tokens_per_s = 10'000;
  double decode_tokens_per_s = 30;
};

// The packing experiment of Weng et al. (ATC'23, "Beware of Fragmentation"):
// instead of replaying the trace in time, draw its rows (its requests) at
// random, one arrival every `interval`, until the GPUs they request reach a
// target; the drawn jobs never end (work = +infinity), so the cluster fills
// up and a placement policy is judged by how much of it it can allocate.
// Every row that passes the filters is drawn from, pods that never ran in
// the trace included (the sample is of requests, not of run times); rows
// need no times.
struct TraceSample {
  bool with_replacement = true;  // false: each row at most once (stops early when all are drawn)
  // Stop after the job that brings the GPUs requested (shares as fractions)
  // to at least this many thousandths of a GPU.
  std::int64_t until_requested_gpu_milli = 0;
  // The same target as a percentage of the cluster's GPUs, when given so
  // (for reports).
  std::optional<double> until_requested_percent;
  Duration interval = Duration::seconds(1);
};

struct TraceSpec {
  TraceFormat format = TraceFormat::kCsv;
  std::filesystem::path path;
  // The GPU type the trace's run times were measured on, for jobs whose row
  // names no type; a row's own type takes precedence.
  GpuTypeId recorded_on = 0;
  // The trace's GPU model names mapped to catalog types (e.g. G2 -> T4); a
  // name not mapped is looked up in the catalog.
  std::map<std::string, GpuTypeId> gpu_types;
  TraceWindow window;
  TraceFilters filters;
  // < 1 keeps each job with this probability; > 1 adds copies (the whole part
  // always, the rest with that probability) whose submit times are jittered
  // uniformly within +-jitter.
  double scale = 1.0;
  Duration jitter = Duration::hours(1);
  // Skip rows that do not parse (counting them) instead of stopping.
  bool skip_bad_rows = false;
  // swf: processors of the log per GPU of the simulated cluster.
  double processors_per_gpu = 1;
  AzureLlmModel azure;
  // Draw rows at random instead of replaying them in time (then window,
  // scale and jitter do not apply).
  std::optional<TraceSample> sample;
  SourceLocation where;  // the scenario's `trace:` entry, for messages
};

// The trace's clock: where its time zero lies in wall-clock time, when known.
struct TraceClock {
  // Seconds since 1970 (UTC) of the trace's time zero; none when the trace's
  // times are only relative (openb).
  std::optional<std::int64_t> unix_origin_s;
  // Offset of the trace's local time from UTC, for hour-of-day figures.
  std::int32_t utc_offset_s = 0;
};

// A reader of one trace file, row by row in file order (not necessarily
// sorted). A job's `submit` is the time since the trace clock's zero.
// next() throws InputError for a bad row after consuming it, so a caller may
// count the error and call next() again; errors in the header or the file
// itself are thrown by the constructor (open_trace_reader).
class TraceReader {
 public:
  virtual ~TraceReader() = default;
  virtual bool next(JobSpec& job) = 0;
  virtual TraceClock clock() const = 0;
  // Rows read so far (data rows, good or bad).
  virtual std::int64_t rows() const = 0;
  // Whether the rows have submit and run times. Some files only list
  // requests (openb's multigpuNN variants, for packing experiments): their
  // jobs all submit at 0 with no run time, and they cannot be replayed.
  virtual bool timed() const { return true; }
};

std::unique_ptr<TraceReader> open_trace_reader(const TraceSpec& spec, const GpuCatalog& catalog);

// What a trace pipeline read, kept or left out; filled while it streams.
struct TraceReport {
  std::int64_t rows = 0;                            // data rows read
  std::int64_t bad_rows = 0;                        // skipped with skip_bad_rows
  std::vector<std::string> first_bad_rows;          // the first errors, in full
  std::int64_t cancelled = 0;                       // never ran in the trace: not replayed
  std::int64_t filtered_out = 0;                    // by window or filters
  std::int64_t thinned_out = 0;                     // by scale < 1
  std::int64_t copies_added = 0;                    // by scale > 1
  std::int64_t jobs = 0;                            // handed to the simulation
  std::optional<std::int64_t> first_submit_unix_s;  // wall clock of simulated time 0, when known
  std::int64_t sampled_from = 0;                    // with a sample: the rows drawn from
  std::int64_t requested_gpu_milli = 0;             // with a sample: what the drawn jobs request
};

// The replayable job stream of a trace: sorted by submit time (stable: rows
// with equal times keep their file order) in bounded memory, spilling sorted
// runs to temporary files when the trace is large; cancelled jobs left out;
// window, filters and scale applied; times shifted so that simulated time 0
// is the window's start (or the trace's first submit). `seed` drives
// thinning, copies and jitter. `report` (optional) is filled as it streams.
// With spec.sample, the stream is the sample instead (TraceSample), drawn
// with the stream (seed, "trace.sample"): the same seed draws the same jobs.
std::unique_ptr<JobSource> open_trace(const TraceSpec& spec, const GpuCatalog& catalog, std::uint64_t seed,
                                      std::shared_ptr<TraceReport> report = nullptr);

}  // namespace capsim
