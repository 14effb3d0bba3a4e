// Fits the synthetic workload generator (core/synthetic.hpp) to a trace, in
// one pass over its jobs: the arrival rate over the trace's span, relative
// rates per hour of day and day of week on the trace's clock, the frequency
// of each GPU count, and a maximum-likelihood lognormal of run times per
// GPU-count class (mean and population standard deviation of ln(seconds),
// run times below 1 s counted as 1 s). This is how the `philly-2017` preset
// was fitted; `capsim trace fit` writes the result as a scenario's
// `workload:` block.
//
// The generator draws whole GPUs and jobs that run, so the fit leaves out
// cancelled jobs (they never ran), CPU-only jobs and jobs asking for a share
// of one GPU, and jobs above max_gpus; it counts each. Jobs still running when
// the trace ended count with the run time the trace saw.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/synthetic.hpp"
#include "core/trace.hpp"
#include "core/trace_stats.hpp"

namespace capsim {

struct TraceFitOptions {
  // The largest GPU count of each duration class but the last, ascending;
  // the last class takes every larger job. {1, 4, 8}: 1, 2-4, 5-8, 9+ GPUs.
  std::vector<std::int32_t> class_max_gpus = {1, 4, 8};
  // Leave jobs above this many GPUs out of the fit (rate included).
  std::optional<std::int32_t> max_gpus;
  // The GPU type the trace's run times were measured on (the fitted spec's
  // recorded_speed and its YAML `recorded_on`).
  std::string recorded_on = "V100";
};

// Welford's running mean and variance of ln(run time) of one class.
struct DurationClassFit {
  std::int32_t min_gpus = 1;
  std::int32_t max_gpus = 1;  // 1 << 30 for the open-ended last class
  std::int64_t jobs = 0;
  double log_mean = 0;
  double log_m2 = 0;  // sum of squared deviations from the mean
  double log_sigma() const;
};

struct TraceFit {
  // The fitted parameters (full precision). Span one week, no job limit.
  SyntheticWorkloadSpec spec;
  std::string recorded_on;
  std::int64_t jobs = 0;  // jobs fitted
  std::int64_t cancelled = 0;
  std::int64_t fractional_gpu = 0;  // asked for a share of one GPU
  std::int64_t cpu_only = 0;
  std::int64_t above_max_gpus = 0;
  std::vector<DurationClassFit> classes;  // the classes with jobs, as in spec.duration_classes
  bool dated = false;                     // hours are the trace's clock (else since its first submit)
  TraceClock clock;
  double first_submit_s = 0;  // on the trace's clock
  double last_submit_s = 0;
  std::int64_t users = 0;  // distinct users of the jobs fitted
};

// Accumulates jobs of a trace, in any order.
class TraceFitter {
 public:
  // `trace` names the file in messages. Throws InputError (fields
  // "--classes", "--max-gpus", "--recorded-on") on options that make no fit.
  TraceFitter(std::string trace, TraceClock clock, TraceFitOptions options, const GpuCatalog& catalog);
  void add(const JobSpec& job);
  // Throws InputError when the jobs left to fit do not arrive at two
  // different times at least (no rate can be fitted).
  TraceFit finish() const;

 private:
  std::string trace_;
  TraceFitOptions options_;
  double recorded_speed_ = 1.0;
  ArrivalCalendar arrivals_;
  std::vector<DurationClassFit> classes_;
  std::map<std::int32_t, std::int64_t> gpu_counts_;
  std::set<std::string, std::less<>> users_;
  TraceFit counts_;  // the left-out counts
  std::optional<Time> first_submit_;
  std::optional<Time> last_submit_;
};

// Reads a whole trace (open_trace_reader) into a TraceFitter; bad rows as in
// trace_stats (skipped and counted into `bad_rows` with spec.skip_bad_rows).
TraceFit fit_trace(const TraceSpec& spec, const GpuCatalog& catalog, const TraceFitOptions& options,
                   std::int64_t* rows = nullptr, std::int64_t* bad_rows = nullptr);

// Where a fit came from, for the YAML's comment header.
struct TraceFitSource {
  std::string trace;   // the file
  std::string format;  // "philly", ...
  std::int64_t rows = 0;
  std::int64_t bad_rows = 0;
  std::string fitted_at;  // "2025-11-25 06:40:00 UTC"
  std::string version;    // capsim's
};

// The fit as a YAML document holding one `workload:` block with a
// `synthetic:` generator, under a comment header saying which trace, how many
// jobs and when. It loads with the scenario loader (paste it into a scenario,
// or append it to one without a workload). Profiles and sigmas are written
// to four significant digits / four decimals, the rate to six significant
// digits and medians to the microsecond.
std::string format_fit_yaml(const TraceFit& fit, const TraceFitSource& source);

}  // namespace capsim
