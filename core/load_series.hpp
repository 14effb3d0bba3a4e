// The request load of an inference service (DESIGN.md, "Inference services";
// issue 8): a piecewise-constant series of requests per second, either binned
// from the Azure LLM inference trace or generated, seeded and deterministic,
// as a base rate multiplied by shape factors. The engine and the autoscalers
// read it; this file only builds it.
//
// The generated model, in simulated time t (t = 0 is Monday 00:00, as for the
// synthetic training workload), for each step [t, t + step):
//   rate = base x diurnal(t) x weekly(t) x bursts(step) x spikes(t)
//   diurnal(t) = 1 + amplitude x cos(2 pi (t - peak) / 24h)
//   weekly(t)  = `weekend` on Saturday and Sunday, `weekday` otherwise
//   bursts     = 1 + (factor - 1) x (share of the step the MMPP spends "on"):
//                a two-state Markov-modulated process, exponential sojourns of
//                means mean_on and mean_off, its first state drawn from the
//                stationary law (on with mean_on / (mean_on + mean_off))
//   spikes(t)  = the product over the spikes of: 1 before `at`, a linear ramp
//                to `factor` over `ramp`, `factor` for `hold`, a linear decay
//                back to 1 over `decay`, 1 after
// Deterministic shapes (diurnal, weekly, spikes) are sampled at each step's
// start; bursts are the exact mean of the on/off process over the step. Then,
// with `noise: poisson`, each step's count rate x step is replaced by a
// Poisson draw of that mean (divided back by the step). Random draws come from
// RandomStream::derive(seed, stream_name, id): id 0 for the bursts, id 1 for
// the noise, so turning noise on leaves the bursts as they were.
//
// From a trace, the base is the trace's requests counted per step (times
// `scale`), with each step's mean prompt and generated tokens per request;
// the shapes above, when given too, multiply it.
//
// YAML (parse_load), a map such as
//   load:
//     step: 1m          # default 1m
//     span: 2d          # required with base; with a trace, trace.span instead
//     base: 200         # requests per second; or `trace`, not both
//     trace: {path: conv.csv, format: azure-llm, scale: 1, start: 0s, span: 1h, repeat: 1d}
//                       # path relative to the scenario's folder; format
//                       # azure-llm only; scale default 1; start (offset from
//                       # the trace's first request) default 0s; span default
//                       # up to the last request; repeat: the window's steps
//                       # over and over until the series is that long
//     diurnal: {amplitude: 0.6, peak: 14h}   # amplitude 0..1 required; peak default 14h
//     weekly: {weekday: 1, weekend: 0.5}     # each default 1
//     bursts: {factor: 3, mean_on: 5m, mean_off: 1h}   # all required
//     spikes: [{at: 6h, factor: 10, ramp: 1m, hold: 20m, decay: 10m}]
//                       # at, factor, hold required; ramp, decay default 0s
//     noise: poisson    # or none (the default)
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_tree.hpp"
#include "core/random.hpp"
#include "core/time.hpp"

namespace capsim {

// Requests per second, constant within each step. A value type.
struct RateSeries {
  Time start;                            // of the first step
  Duration step = Duration::minutes(1);  // > 0
  std::vector<double> per_second;        // one rate per step, >= 0
  // Mean prompt (context) and generated tokens per request in each step, as
  // the trace recorded them (0 in a step without requests); empty when the
  // series carries no token figures (a generated load).
  std::vector<double> mean_context_tokens;
  std::vector<double> mean_generated_tokens;

  // The rate in force at t: that of the step holding t, 0 before start and
  // from start + span() on.
  double at(Time t) const;
  Duration span() const { return step * static_cast<std::int64_t>(per_second.size()); }
  Time end() const { return start + span(); }
  // Expected requests over the series: the sum of rate x step, in step order.
  double requests() const;
  bool has_tokens() const { return !mean_context_tokens.empty(); }

  friend bool operator==(const RateSeries&, const RateSeries&) = default;
};
// "RateSeries{start 0s, 2880 steps of 1m, 34560000 requests}", for test failures.
std::ostream& operator<<(std::ostream& out, const RateSeries& series);

// --- Generators -------------------------------------------------------------

// `per_second` in every step of [start, start + span), span rounded up to a
// whole number of steps.
RateSeries constant_rate(Time start, Duration step, Duration span, double per_second);

struct DiurnalShape {
  double amplitude = 0;                 // 0..1: the peak is 1 + amplitude, the trough 1 - amplitude
  Duration peak = Duration::hours(14);  // time of day of the peak (t = 0 is midnight)
  friend bool operator==(const DiurnalShape&, const DiurnalShape&) = default;
};
void apply_diurnal(RateSeries& series, const DiurnalShape& shape);

// t = 0 is Monday 00:00; Saturday is [5d, 6d) and Sunday [6d, 7d) of each week.
struct WeeklyShape {
  double weekday = 1;
  double weekend = 1;
  friend bool operator==(const WeeklyShape&, const WeeklyShape&) = default;
};
void apply_weekly(RateSeries& series, const WeeklyShape& shape);

struct BurstShape {
  double factor = 1;  // the rate's multiplier while "on"
  Duration mean_on;   // > 0
  Duration mean_off;  // > 0
  friend bool operator==(const BurstShape&, const BurstShape&) = default;
};
// Multiplies each step by 1 + (factor - 1) x its on-share; returns the on-share
// of each step (0..1), for tests and reports.
std::vector<double> apply_bursts(RateSeries& series, const BurstShape& shape, RandomStream& random);

struct Spike {
  Time at;  // the ramp starts here
  double factor = 1;
  Duration ramp;  // 0: a step change
  Duration hold;
  Duration decay;  // 0: a step change back
  friend bool operator==(const Spike&, const Spike&) = default;
  // This spike's factor at t.
  double factor_at(Time t) const;
};
void apply_spikes(RateSeries& series, std::span<const Spike> spikes);

// Replaces each step's rate by Poisson(rate x step) / step.
void apply_poisson_noise(RateSeries& series, RandomStream& random);

// A Poisson variate of the given mean (>= 0): inversion below 10, Hörmann's
// transformed rejection (PTRS, 1993) above; capsim's own, like random.hpp's.
std::int64_t poisson_variate(RandomStream& random, double mean);

// --- The Azure LLM inference trace ------------------------------------------

struct AzureLoadTrace {
  std::filesystem::path path;    // TIMESTAMP,ContextTokens,GeneratedTokens (may be compressed)
  double scale = 1;              // multiplies the rate (not the tokens)
  Duration start;                // offset of the window from the trace's first request
  std::optional<Duration> span;  // default: up to and including the last request
  // The window's steps repeated until the series is this long (the public
  // trace holds one hour; `repeat: 1d` makes a day of it). generate_load
  // applies it; none: the window once.
  std::optional<Duration> repeat;
  friend bool operator==(const AzureLoadTrace&, const AzureLoadTrace&) = default;
};

// Counts the trace's requests per step from its window (step 0 starts at the
// first request's time plus `start`), with each step's mean tokens. The series
// starts at `start_at` in simulated time. Throws InputError for a bad file or
// row (naming its line and column).
RateSeries azure_llm_rate_series(const AzureLoadTrace& trace, Duration step, Time start_at = Time::zero());

// --- The YAML block -----------------------------------------------------------

enum class LoadNoise : std::uint8_t { kNone, kPoisson };

// What a `load:` block says (see the top of this file).
struct LoadSpec {
  Duration step = Duration::minutes(1);
  Duration span;  // with base_per_second
  std::optional<double> base_per_second;
  std::optional<AzureLoadTrace> trace;
  std::optional<DiurnalShape> diurnal;
  std::optional<WeeklyShape> weekly;
  std::optional<BurstShape> bursts;
  std::vector<Spike> spikes;
  LoadNoise noise = LoadNoise::kNone;
  friend bool operator==(const LoadSpec&, const LoadSpec&) = default;
};

// The most steps a series may have (memory stays bounded on any input).
inline constexpr std::int64_t kMaxLoadSteps = 10'000'000;

// Builds the series a spec describes, starting at Time::zero(); streams are
// derived from (seed, stream_name) (e.g. "load.chat").
RateSeries generate_load(const LoadSpec& spec, std::uint64_t seed, std::string_view stream_name);

// Reads a `load:` block; `field` is its dotted path ("services[0].load"),
// `base_dir` the folder trace paths are relative to. Throws InputError naming
// file, line, field and what was expected.
LoadSpec parse_load_spec(const ConfigNode& node, const std::string& field, const std::filesystem::path& base_dir);
// parse_load_spec, then generate_load.
RateSeries parse_load(const ConfigNode& node, const std::string& field, const std::filesystem::path& base_dir,
                      std::uint64_t seed, std::string_view stream_name);

}  // namespace capsim
