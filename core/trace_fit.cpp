#include "core/trace_fit.hpp"

#include <cmath>
#include <cstdio>

#include "core/text.hpp"

namespace capsim {

namespace {

constexpr std::int32_t kOpenEnded = 1 << 30;  // the last class's max_gpus, as in the preset

std::string format_number(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// A list of numbers as a YAML flow sequence, `per_line` to a line, the
// continuation lines indented by `indent`.
std::string flow_list(const std::vector<double>& values, std::size_t per_line, const std::string& indent) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += (i % per_line == 0) ? ",\n" + indent : ", ";
    text += format_number("%.4g", values[i]);
  }
  return text + "]";
}

// A Duration as seconds, exact to the microsecond: "828.123456s", "90s".
std::string seconds_yaml(Duration d) {
  const std::int64_t us = d.count_us();
  std::string text = std::to_string(us / 1'000'000);
  if (const std::int64_t rest = us % 1'000'000; rest != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, "%06lld", static_cast<long long>(rest));
    std::string digits = fraction;
    while (digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text + "s";
}

std::string class_range(const DurationClassFit& c) {
  if (c.max_gpus == kOpenEnded) return std::to_string(c.min_gpus) + "+ GPUs";
  if (c.min_gpus == c.max_gpus) return std::to_string(c.min_gpus) + (c.min_gpus == 1 ? " GPU" : " GPUs");
  return std::to_string(c.min_gpus) + "-" + std::to_string(c.max_gpus) + " GPUs";
}

std::string date_or_seconds(const TraceFit& fit, double submit_s) {
  if (!fit.clock.unix_origin_s) return thousands(std::llround(submit_s)) + " s";
  const double local_s = static_cast<double>(*fit.clock.unix_origin_s + fit.clock.utc_offset_s) + submit_s;
  return format_datetime(static_cast<std::int64_t>(std::floor(local_s)) * 1'000'000);
}

// Text for a YAML comment: one line.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

}  // namespace

double DurationClassFit::log_sigma() const {
  return jobs > 0 ? std::sqrt(log_m2 / static_cast<double>(jobs)) : 0.0;
}

TraceFitter::TraceFitter(std::string trace, TraceClock clock, TraceFitOptions options, const GpuCatalog& catalog)
    : trace_(std::move(trace)), options_(std::move(options)), arrivals_(clock) {
  const SourceLocation command_line{"command line", 0, 0};
  std::int32_t low = 1;
  for (const std::int32_t max : options_.class_max_gpus) {
    if (max < low || max >= kOpenEnded) {
      throw InputError(command_line, "--classes",
                       "ascending GPU counts from 1, each the largest of its class (such as 1,4,8)",
                       std::to_string(max));
    }
    classes_.push_back({low, max, 0, 0, 0});
    low = max + 1;
  }
  classes_.push_back({low, kOpenEnded, 0, 0, 0});
  if (options_.max_gpus && *options_.max_gpus < 1) {
    throw InputError(command_line, "--max-gpus", "a GPU count of 1 or more", std::to_string(*options_.max_gpus));
  }
  const auto recorded = catalog.find(options_.recorded_on);
  if (!recorded) {
    throw InputError(command_line, "--recorded-on", "a GPU type of the catalog (" + catalog.names() + ")",
                     quote_for_message(options_.recorded_on));
  }
  options_.recorded_on = catalog.at(*recorded).name;
  recorded_speed_ = catalog.at(*recorded).relative_speed;
  counts_.clock = clock;
  counts_.dated = arrivals_.dated();
}

void TraceFitter::add(const JobSpec& job) {
  if (job.outcome == JobOutcome::kCancelled) {
    ++counts_.cancelled;
    return;
  }
  if (job.request.gpu_milli == 0) {
    ++counts_.cpu_only;
    return;
  }
  if (!job.request.is_whole_gpus()) {
    ++counts_.fractional_gpu;
    return;
  }
  const std::int32_t gpus = job.gpus();
  if (options_.max_gpus && gpus > *options_.max_gpus) {
    ++counts_.above_max_gpus;
    return;
  }
  ++counts_.jobs;
  arrivals_.add(job.submit);
  if (!first_submit_ || job.submit < *first_submit_) first_submit_ = job.submit;
  if (!last_submit_ || job.submit > *last_submit_) last_submit_ = job.submit;
  ++gpu_counts_[gpus];
  if (!job.user.empty() && !users_.contains(job.user)) users_.insert(job.user);
  for (DurationClassFit& c : classes_) {
    if (gpus > c.max_gpus) continue;
    const double x = std::log(std::max(job.duration.to_seconds(), 1.0));
    ++c.jobs;
    const double delta = x - c.log_mean;
    c.log_mean += delta / static_cast<double>(c.jobs);
    c.log_m2 += delta * (x - c.log_mean);
    break;
  }
}

TraceFit TraceFitter::finish() const {
  TraceFit fit = counts_;
  const auto left_out = [&] {
    return thousands(fit.cancelled) + " cancelled, " + thousands(fit.cpu_only) + " CPU-only, " +
           thousands(fit.fractional_gpu) + " on a share of a GPU, " + thousands(fit.above_max_gpus) +
           " above --max-gpus left out";
  };
  if (fit.jobs == 0) {
    throw InputError({trace_, 0, 0}, "", "jobs that ran on whole GPUs to fit", "none (" + left_out() + ")");
  }
  const double span_h = (*last_submit_ - *first_submit_).to_seconds() / 3600.0;
  if (!(span_h > 0)) {
    throw InputError(
        {trace_, 0, 0}, "", "jobs submitted at two different times at least, to fit a rate",
        thousands(fit.jobs) + " jobs all submitted at " + format_number("%.6f s", first_submit_->to_seconds()));
  }
  fit.first_submit_s = first_submit_->to_seconds();
  fit.last_submit_s = last_submit_->to_seconds();
  fit.recorded_on = options_.recorded_on;
  fit.users = static_cast<std::int64_t>(users_.size());

  SyntheticWorkloadSpec& spec = fit.spec;
  spec.jobs_per_hour = static_cast<double>(fit.jobs) / span_h;
  spec.span = Duration::days(7);
  const auto relative = [](const std::vector<std::int64_t>& counts) {
    double sum = 0;
    for (const std::int64_t c : counts) sum += static_cast<double>(c);
    const double mean = sum / static_cast<double>(counts.size());
    std::vector<double> values;
    for (const std::int64_t c : counts) values.push_back(static_cast<double>(c) / mean);
    return values;
  };
  spec.daily_profile = relative(arrivals_.hours_of_day());
  spec.weekly_profile = relative(arrivals_.days_of_week());
  for (const auto& [gpus, count] : gpu_counts_) spec.gpu_weights.emplace_back(gpus, static_cast<double>(count));
  for (const DurationClassFit& c : classes_) {
    if (c.jobs > 0) fit.classes.push_back(c);
  }
  // Classes without jobs are left out; the last one kept takes every larger
  // count, so that a scenario may add larger GPU counts.
  fit.classes.back().max_gpus = kOpenEnded;
  for (const DurationClassFit& c : fit.classes)
    spec.duration_classes.push_back({c.max_gpus, c.log_mean, c.log_sigma()});
  spec.recorded_speed = recorded_speed_;
  spec.users = static_cast<std::int32_t>(std::min<std::int64_t>(fit.users, 10'000'000));
  return fit;
}

TraceFit fit_trace(const TraceSpec& spec, const GpuCatalog& catalog, const TraceFitOptions& options, std::int64_t* rows,
                   std::int64_t* bad_rows) {
  const std::unique_ptr<TraceReader> reader = open_trace_reader(spec, catalog);
  TraceFitter fitter(spec.path.string(), reader->clock(), options, catalog);
  std::int64_t bad = 0;
  JobSpec job;
  while (true) {
    try {
      if (!reader->next(job)) break;
    } catch (const InputError&) {
      if (!spec.skip_bad_rows) throw;
      ++bad;
      continue;
    }
    fitter.add(job);
  }
  if (rows) *rows = reader->rows();
  if (bad_rows) *bad_rows = bad;
  return fitter.finish();
}

std::string format_fit_yaml(const TraceFit& fit, const TraceFitSource& source) {
  const SyntheticWorkloadSpec& spec = fit.spec;
  std::string out;
  out += "# A synthetic workload fitted by `capsim trace fit` (capsim " + source.version + ") on " + source.fitted_at +
         "\n";
  out += "# to " + one_line(source.trace) + " (" + source.format + "): " + thousands(source.rows) + " rows";
  if (source.bad_rows > 0) out += " (" + thousands(source.bad_rows) + " bad, skipped)";
  out += ", " + thousands(fit.jobs) + " jobs fitted,\n";
  out += "# submitted " + date_or_seconds(fit, fit.first_submit_s) + " to " + date_or_seconds(fit, fit.last_submit_s) +
         (fit.dated ? " (the trace's clock).\n" : " (seconds on the trace's clock).\n");
  std::vector<std::string> left;
  if (fit.cancelled > 0) left.push_back(thousands(fit.cancelled) + " cancelled (never ran)");
  if (fit.cpu_only > 0) left.push_back(thousands(fit.cpu_only) + " CPU-only");
  if (fit.fractional_gpu > 0) left.push_back(thousands(fit.fractional_gpu) + " on a share of one GPU");
  if (fit.above_max_gpus > 0) left.push_back(thousands(fit.above_max_gpus) + " above --max-gpus");
  if (!left.empty()) {
    out += "# Jobs left out (the generator draws jobs that run on whole GPUs):";
    for (std::size_t i = 0; i < left.size(); ++i) out += (i == 0 ? " " : ", ") + left[i];
    out += ".\n";
  }
  const double span_s = fit.last_submit_s - fit.first_submit_s;
  if (span_s < 7 * 86400.0) {
    out += "# The trace spans only " + format_duration(Duration::from_seconds(span_s)) +
           ": the hours and days it does not cover get no arrivals.\n";
  }
  out += fit.dated ? "# Hours of day and days of week are the trace's clock (Monday first).\n"
                   : "# The trace has no dates: hours and days count from its first submit (its Monday 00:00).\n";
  out += "# Paste the block into a scenario (scale jobs_per_hour to the cluster; max_gpus leaves out jobs\n";
  out += "# larger than it), or make a trace of it: capsim trace generate THIS_FILE --jobs N -o jobs.csv\n";
  out += "workload:\n";
  out += "  synthetic:\n";
  out += "    jobs_per_hour: " + format_number("%.6g", spec.jobs_per_hour) + "  # the trace's mean over its span\n";
  out += "    span: 7d\n";
  out += "    daily_profile: " + flow_list(spec.daily_profile, 12, std::string(20, ' ')) + "\n";
  out += "    weekly_profile: " + flow_list(spec.weekly_profile, 7, "") + "  # Monday first\n";
  out += "    gpus: {";
  for (std::size_t i = 0; i < spec.gpu_weights.size(); ++i) {
    if (i > 0) out += i % 10 == 0 ? ",\n           " : ", ";
    out += std::to_string(spec.gpu_weights[i].first) + ": " + format_number("%.0f", spec.gpu_weights[i].second);
  }
  out += "}  # jobs per GPU count\n";
  out += "    durations:  # lognormal run times per GPU-count class\n";
  for (std::size_t i = 0; i < fit.classes.size(); ++i) {
    const DurationClassFit& c = fit.classes[i];
    const Duration median = Duration::from_seconds(std::exp(spec.duration_classes[i].log_mean));
    const std::string item = "      - {max_gpus: " + std::to_string(spec.duration_classes[i].max_gpus) +
                             ", median: " + seconds_yaml(median) +
                             ", sigma: " + format_number("%.4f", spec.duration_classes[i].log_sigma) + "}";
    out += item + std::string(item.size() < 72 ? 72 - item.size() : 1, ' ') + "# " + thousands(c.jobs) + " jobs of " +
           class_range(c) + ", median " + format_duration(median) + "\n";
  }
  out += "    recorded_on: " + fit.recorded_on + "\n";
  if (spec.users > 0)
    out += "    users: " + std::to_string(spec.users) + "  # Zipf-distributed, as many as the trace's\n";
  return out;
}

}  // namespace capsim
