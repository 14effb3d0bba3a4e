#include "core/load_series.hpp"

#include <cmath>
#include <numbers>
#include <ostream>

#include "core/error.hpp"
#include "core/traces/common.hpp"

namespace capsim {

namespace {

constexpr std::int64_t kDayUs = Duration::days(1).count_us();

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  const std::int64_t r = a % b;
  return r < 0 ? r + b : r;
}

// Steps needed to cover `span`, rounded up.
std::int64_t steps_for(Duration span, Duration step) {
  return (span.count_us() + step.count_us() - 1) / step.count_us();
}

Time step_start(const RateSeries& series, std::size_t i) {
  return series.start + series.step * static_cast<std::int64_t>(i);
}

}  // namespace

double RateSeries::at(Time t) const {
  if (t < start || per_second.empty()) return 0;
  const std::int64_t i = (t - start).count_us() / step.count_us();
  if (i >= static_cast<std::int64_t>(per_second.size())) return 0;
  return per_second[static_cast<std::size_t>(i)];
}

double RateSeries::requests() const {
  const double step_s = step.to_seconds();
  double total = 0;
  for (const double rate : per_second) total += rate * step_s;
  return total;
}

std::ostream& operator<<(std::ostream& out, const RateSeries& series) {
  return out << "RateSeries{start " << format_duration(series.start.since_start()) << ", " << series.per_second.size()
             << " steps of " << format_duration(series.step) << ", " << series.requests() << " requests"
             << (series.has_tokens() ? ", with tokens}" : "}");
}

RateSeries constant_rate(Time start, Duration step, Duration span, double per_second) {
  CAPSIM_CHECK(step > Duration()) << "step " << step.count_us() << " us";
  CAPSIM_CHECK(span >= Duration()) << "span " << span.count_us() << " us";
  CAPSIM_CHECK(per_second >= 0 && std::isfinite(per_second)) << "rate " << per_second;
  const std::int64_t steps = steps_for(span, step);
  CAPSIM_CHECK(steps <= kMaxLoadSteps) << steps << " steps";
  RateSeries series;
  series.start = start;
  series.step = step;
  series.per_second.assign(static_cast<std::size_t>(steps), per_second);
  return series;
}

void apply_diurnal(RateSeries& series, const DiurnalShape& shape) {
  for (std::size_t i = 0; i < series.per_second.size(); ++i) {
    // The phase in whole microseconds, so that the peak and the trough fall
    // exactly on cos = 1 and cos = -1.
    const std::int64_t phase_us = floor_mod((step_start(series, i) - Time::zero() - shape.peak).count_us(), kDayUs);
    const double angle = 2 * std::numbers::pi * static_cast<double>(phase_us) / static_cast<double>(kDayUs);
    const double factor = phase_us * 2 == kDayUs ? -1.0 : std::cos(angle);
    series.per_second[i] *= 1 + shape.amplitude * factor;
  }
}

void apply_weekly(RateSeries& series, const WeeklyShape& shape) {
  for (std::size_t i = 0; i < series.per_second.size(); ++i) {
    const std::int64_t us = step_start(series, i).count_us();
    const std::int64_t days = us / kDayUs - (us % kDayUs < 0 ? 1 : 0);  // rounded down
    const std::int64_t day = floor_mod(days, 7);
    series.per_second[i] *= day >= 5 ? shape.weekend : shape.weekday;  // Monday is day 0
  }
}

std::vector<double> apply_bursts(RateSeries& series, const BurstShape& shape, RandomStream& random) {
  CAPSIM_CHECK(shape.mean_on > Duration() && shape.mean_off > Duration()) << "burst sojourns must be positive";
  const double mean_on_s = shape.mean_on.to_seconds();
  const double mean_off_s = shape.mean_off.to_seconds();
  const double step_s = series.step.to_seconds();
  // Times in seconds since the series' start. The first state is drawn from
  // the stationary law; by memorylessness its remaining sojourn is a full one.
  bool on = random.uniform01() < mean_on_s / (mean_on_s + mean_off_s);
  double switch_at = random.exponential(on ? mean_on_s : mean_off_s);
  std::vector<double> on_share(series.per_second.size(), 0.0);
  for (std::size_t i = 0; i < series.per_second.size(); ++i) {
    const double begin = static_cast<double>(i) * step_s;
    const double end = static_cast<double>(i + 1) * step_s;
    double cursor = begin;
    double on_s = 0;
    while (switch_at < end) {
      if (on) on_s += switch_at - cursor;
      cursor = switch_at;
      on = !on;
      switch_at += random.exponential(on ? mean_on_s : mean_off_s);
    }
    if (on) on_s += end - cursor;
    on_share[i] = std::min(1.0, on_s / step_s);
    series.per_second[i] *= 1 + (shape.factor - 1) * on_share[i];
  }
  return on_share;
}

double Spike::factor_at(Time t) const {
  if (t < at) return 1;
  Duration since = t - at;
  if (since < ramp) {
    return 1 + (factor - 1) * static_cast<double>(since.count_us()) / static_cast<double>(ramp.count_us());
  }
  since = since - ramp;
  if (since < hold) return factor;
  since = since - hold;
  if (since < decay) {
    return factor - (factor - 1) * static_cast<double>(since.count_us()) / static_cast<double>(decay.count_us());
  }
  return 1;
}

void apply_spikes(RateSeries& series, std::span<const Spike> spikes) {
  for (std::size_t i = 0; i < series.per_second.size(); ++i) {
    const Time t = step_start(series, i);
    for (const Spike& spike : spikes) series.per_second[i] *= spike.factor_at(t);
  }
}

std::int64_t poisson_variate(RandomStream& random, double mean) {
  CAPSIM_CHECK(mean >= 0 && std::isfinite(mean)) << "Poisson mean " << mean;
  if (mean == 0) return 0;
  if (mean < 10) {
    // Inversion by sequential search.
    const double u = random.uniform01();
    double p = std::exp(-mean);
    double cumulative = p;
    std::int64_t k = 0;
    while (u > cumulative && k < 1000) {
      ++k;
      p *= mean / static_cast<double>(k);
      cumulative += p;
    }
    return k;
  }
  // PTRS: W. Hörmann, "The transformed rejection method for generating
  // Poisson random variables", Insurance: Mathematics and Economics 12 (1993).
  const double log_mean = std::log(mean);
  const double b = 0.931 + 2.53 * std::sqrt(mean);
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double v_r = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = random.uniform01() - 0.5;
    const double v = random.uniform01();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= v_r) return static_cast<std::int64_t>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <= -mean + k * log_mean - std::lgamma(k + 1)) {
      return static_cast<std::int64_t>(k);
    }
  }
}

void apply_poisson_noise(RateSeries& series, RandomStream& random) {
  const double step_s = series.step.to_seconds();
  for (double& rate : series.per_second) {
    rate = static_cast<double>(poisson_variate(random, rate * step_s)) / step_s;
  }
}

RateSeries azure_llm_rate_series(const AzureLoadTrace& trace, Duration step, Time start_at) {
  CAPSIM_CHECK(step > Duration()) << "step " << step.count_us() << " us";
  const std::string path = trace.path.string();
  const auto timestamp = [](const traces::HeaderedCsv& csv) {
    const auto us = parse_datetime_us(csv.field("TIMESTAMP"));
    if (!us) csv.fail("TIMESTAMP", std::string(kDatetimeExpected) + " (with a fraction of a second)");
    return *us;
  };
  const std::initializer_list<std::string_view> columns = {"TIMESTAMP", "ContextTokens", "GeneratedTokens"};

  // First pass: the trace's extent (its rows need not be sorted).
  std::int64_t first_us = 0;
  std::int64_t last_us = 0;
  {
    traces::HeaderedCsv csv(path, columns);
    std::int64_t rows = 0;
    while (csv.next()) {
      const std::int64_t us = timestamp(csv);
      first_us = rows == 0 ? us : std::min(first_us, us);
      last_us = rows == 0 ? us : std::max(last_us, us);
      ++rows;
    }
    if (rows == 0) throw InputError({path, 0, 0}, "", "at least one request in the trace", "none");
  }
  const std::int64_t window_start_us = first_us + trace.start.count_us();
  std::int64_t steps = 0;
  if (trace.span) {
    steps = steps_for(*trace.span, step);
  } else {
    if (last_us < window_start_us) {
      throw InputError(
          {path, 0, 0}, "start",
          "an offset within the trace, which spans " + format_duration(Duration::microseconds(last_us - first_us)),
          format_duration(trace.start));
    }
    steps = (last_us - window_start_us) / step.count_us() + 1;
  }
  if (steps > kMaxLoadSteps) {
    throw InputError({path, 0, 0}, "step",
                     "a step giving at most " + std::to_string(kMaxLoadSteps) + " steps over the trace's window",
                     std::to_string(steps) + " steps of " + format_duration(step));
  }

  // Second pass: count the requests and sum their tokens per step.
  const auto n = static_cast<std::size_t>(steps);
  std::vector<double> counts(n, 0.0);
  std::vector<double> context(n, 0.0);
  std::vector<double> generated(n, 0.0);
  traces::HeaderedCsv csv(path, columns);
  const auto tokens = [&](std::string_view column) {
    std::int64_t value = 0;
    if (!parse_int(csv.field(column), value) || value < 0 || value > 100'000'000) {
      csv.fail(column, "a whole number of tokens from 0 to 100000000");
    }
    return static_cast<double>(value);
  };
  while (csv.next()) {
    const std::int64_t since_us = timestamp(csv) - window_start_us;
    const double context_tokens = tokens("ContextTokens");
    const double generated_tokens = tokens("GeneratedTokens");
    if (since_us < 0) continue;
    const std::int64_t i = since_us / step.count_us();
    if (i >= steps) continue;
    counts[static_cast<std::size_t>(i)] += 1;
    context[static_cast<std::size_t>(i)] += context_tokens;
    generated[static_cast<std::size_t>(i)] += generated_tokens;
  }

  RateSeries series;
  series.start = start_at;
  series.step = step;
  series.per_second.resize(n);
  series.mean_context_tokens.resize(n);
  series.mean_generated_tokens.resize(n);
  const double step_s = step.to_seconds();
  for (std::size_t i = 0; i < n; ++i) {
    series.per_second[i] = counts[i] * trace.scale / step_s;
    series.mean_context_tokens[i] = counts[i] > 0 ? context[i] / counts[i] : 0;
    series.mean_generated_tokens[i] = counts[i] > 0 ? generated[i] / counts[i] : 0;
  }
  return series;
}

RateSeries generate_load(const LoadSpec& spec, std::uint64_t seed, std::string_view stream_name) {
  RateSeries series = spec.trace ? azure_llm_rate_series(*spec.trace, spec.step)
                                 : constant_rate(Time::zero(), spec.step, spec.span, spec.base_per_second.value_or(0));
  if (spec.trace && spec.trace->repeat && !series.per_second.empty()) {
    const std::size_t window = series.per_second.size();
    const auto steps = static_cast<std::size_t>(steps_for(*spec.trace->repeat, spec.step));
    for (std::vector<double>* values :
         {&series.per_second, &series.mean_context_tokens, &series.mean_generated_tokens}) {
      values->resize(steps);
      for (std::size_t i = window; i < steps; ++i) (*values)[i] = (*values)[i % window];
    }
  }
  if (spec.diurnal) apply_diurnal(series, *spec.diurnal);
  if (spec.weekly) apply_weekly(series, *spec.weekly);
  if (spec.bursts) {
    RandomStream bursts = RandomStream::derive(seed, stream_name, 0);
    apply_bursts(series, *spec.bursts, bursts);
  }
  apply_spikes(series, spec.spikes);
  if (spec.noise == LoadNoise::kPoisson) {
    RandomStream noise = RandomStream::derive(seed, stream_name, 1);
    apply_poisson_noise(series, noise);
  }
  return series;
}

namespace {

constexpr double kMaxFactor = 1000;
constexpr double kMaxRate = 1e7;  // requests per second

Duration read_positive_duration(const ConfigNode& node, const std::string& field) {
  const Duration d = read_duration(node, field);
  if (d <= Duration()) {
    throw InputError(node.where(), field, "a positive " + std::string(kDurationExpected), node.describe());
  }
  return d;
}

AzureLoadTrace parse_load_trace(const ConfigNode& node, const std::string& field,
                                const std::filesystem::path& base_dir) {
  MapReader map(node, field, {"path", "format", "scale", "start", "span", "repeat"});
  AzureLoadTrace trace;
  const ConfigNode& format = map.required("format", "the trace's format (azure-llm)");
  if (read_string(format, map.field("format")) != "azure-llm") {
    throw InputError(format.where(), map.field("format"), "azure-llm (the one trace format with request rates so far)",
                     format.describe());
  }
  const ConfigNode& path = map.required("path", "the path of the trace file");
  const std::filesystem::path relative = read_string(path, map.field("path"));
  trace.path = (relative.is_absolute() ? relative : base_dir / relative).lexically_normal();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(trace.path, ec)) {
    throw InputError(path.where(), map.field("path"), "an existing trace file (relative to the scenario's folder)",
                     quote_for_message(trace.path.string()));
  }
  if (const ConfigNode* v = map.optional("scale")) {
    trace.scale = read_number(*v, map.field("scale"), 0, kMaxFactor);
  }
  if (const ConfigNode* v = map.optional("start")) trace.start = read_duration(*v, map.field("start"));
  if (const ConfigNode* v = map.optional("span")) trace.span = read_positive_duration(*v, map.field("span"));
  if (const ConfigNode* v = map.optional("repeat")) {
    trace.repeat = read_positive_duration(*v, map.field("repeat"));
  }
  return trace;
}

}  // namespace

LoadSpec parse_load_spec(const ConfigNode& node, const std::string& field, const std::filesystem::path& base_dir) {
  MapReader map(node, field, {"step", "span", "base", "trace", "diurnal", "weekly", "bursts", "spikes", "noise"});
  LoadSpec spec;
  if (const ConfigNode* v = map.optional("step")) spec.step = read_positive_duration(*v, map.field("step"));

  const ConfigNode* base = map.optional("base");
  const ConfigNode* trace = map.optional("trace");
  if (base && trace) {
    throw InputError(trace->where(), map.field("trace"), "either base (a rate) or trace, not both", "both");
  }
  if (!base && !trace) {
    throw InputError(node.where(), map.field("base"),
                     "a base rate in requests per second, or a trace: {path, format: azure-llm}", "neither");
  }
  if (base) {
    spec.base_per_second = read_number(*base, map.field("base"), 0, kMaxRate);
    const ConfigNode& span = map.required("span", "the length of the series (a duration such as 2d)");
    spec.span = read_positive_duration(span, map.field("span"));
    if (steps_for(spec.span, spec.step) > kMaxLoadSteps) {
      throw InputError(span.where(), map.field("span"),
                       "at most " + std::to_string(kMaxLoadSteps) + " steps of " + format_duration(spec.step),
                       span.describe());
    }
  } else {
    if (const ConfigNode* span = map.optional("span")) {
      throw InputError(span->where(), map.field("span"), "the span of a trace's load in trace.span", "span");
    }
    spec.trace = parse_load_trace(*trace, map.field("trace"), base_dir);
    if (spec.trace->repeat && steps_for(*spec.trace->repeat, spec.step) > kMaxLoadSteps) {
      const ConfigNode* repeat = trace->find("repeat")->value.get();
      throw InputError(repeat->where(), map.field("trace") + ".repeat",
                       "at most " + std::to_string(kMaxLoadSteps) + " steps of " + format_duration(spec.step),
                       repeat->describe());
    }
  }

  if (const ConfigNode* v = map.optional("diurnal")) {
    MapReader d(*v, map.field("diurnal"), {"amplitude", "peak"});
    DiurnalShape shape;
    shape.amplitude =
        read_number(d.required("amplitude", "the relative swing, from 0 to 1"), d.field("amplitude"), 0, 1);
    if (const ConfigNode* peak = d.optional("peak")) shape.peak = read_duration(*peak, d.field("peak"));
    spec.diurnal = shape;
  }
  if (const ConfigNode* v = map.optional("weekly")) {
    MapReader w(*v, map.field("weekly"), {"weekday", "weekend"});
    WeeklyShape shape;
    if (const ConfigNode* f = w.optional("weekday")) shape.weekday = read_number(*f, w.field("weekday"), 0, kMaxFactor);
    if (const ConfigNode* f = w.optional("weekend")) shape.weekend = read_number(*f, w.field("weekend"), 0, kMaxFactor);
    spec.weekly = shape;
  }
  if (const ConfigNode* v = map.optional("bursts")) {
    MapReader b(*v, map.field("bursts"), {"factor", "mean_on", "mean_off"});
    BurstShape shape;
    shape.factor =
        read_number(b.required("factor", "the rate's multiplier while on"), b.field("factor"), 0, kMaxFactor);
    shape.mean_on = read_positive_duration(b.required("mean_on", "the mean time on"), b.field("mean_on"));
    shape.mean_off = read_positive_duration(b.required("mean_off", "the mean time off"), b.field("mean_off"));
    spec.bursts = shape;
  }
  if (const ConfigNode* v = map.optional("spikes")) {
    const auto& items = read_list(*v, map.field("spikes"), "spikes such as {at: 6h, factor: 10, ramp: 1m, hold: 20m}");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string f = map.field("spikes") + "[" + std::to_string(i) + "]";
      MapReader s(*items[i], f, {"at", "factor", "ramp", "hold", "decay"});
      Spike spike;
      spike.at = Time::zero() + read_duration(s.required("at", "the time the spike starts"), s.field("at"));
      spike.factor =
          read_number(s.required("factor", "the rate's multiplier at the top"), s.field("factor"), 0, kMaxFactor);
      spike.hold = read_duration(s.required("hold", "how long the top lasts"), s.field("hold"));
      if (const ConfigNode* r = s.optional("ramp")) spike.ramp = read_duration(*r, s.field("ramp"));
      if (const ConfigNode* d = s.optional("decay")) spike.decay = read_duration(*d, s.field("decay"));
      spec.spikes.push_back(spike);
    }
  }
  if (const ConfigNode* v = map.optional("noise")) {
    const std::string noise = read_string(*v, map.field("noise"));
    if (noise == "poisson") {
      spec.noise = LoadNoise::kPoisson;
    } else if (noise != "none") {
      throw InputError(v->where(), map.field("noise"), "poisson or none", v->describe());
    }
  }
  return spec;
}

RateSeries parse_load(const ConfigNode& node, const std::string& field, const std::filesystem::path& base_dir,
                      std::uint64_t seed, std::string_view stream_name) {
  return generate_load(parse_load_spec(node, field, base_dir), seed, stream_name);
}

}  // namespace capsim
