// Seeded random streams and capsim's own distributions (DESIGN.md, "Time and
// determinism"). A stream is derived from (seed, stable name, id), so adding a
// new source of randomness never shifts the draws of the others, and the
// variates are computed here rather than by the standard library, whose
// distributions differ between implementations.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace capsim {

// xoshiro256** (Blackman and Vigna, 2018): small, fast, and equidistributed
// enough for simulation. Not for cryptography.
class RandomStream {
 public:
  // The stream for (seed, name, id): e.g. (seed, "synthetic.durations", 0).
  static RandomStream derive(std::uint64_t seed, std::string_view name, std::uint64_t id = 0);

  std::uint64_t next_u64();
  // Uniform in [0, 1), 53 random bits.
  double uniform01();
  // Uniform in [0, n) without modulo bias; n > 0.
  std::uint64_t uniform_below(std::uint64_t n);
  // Exponential with the given mean (> 0).
  double exponential(double mean);
  // Standard normal (Box-Muller; uses two uniforms per call).
  double standard_normal();
  // exp(mu + sigma * Z).
  double lognormal(double mu, double sigma);
  // Weibull with the given shape and scale (both > 0); shape 1 is the
  // exponential of mean `scale`.
  double weibull(double shape, double scale);
  // An index i drawn with probability proportional to weights[i] (all >= 0,
  // at least one > 0), given their cumulative sums (`cumulative.back()` is the
  // total).
  std::size_t categorical(std::span<const double> cumulative);

 private:
  explicit RandomStream(std::uint64_t key);
  std::uint64_t state_[4];
};

// The Weibull scale that gives `mean` with `shape`: mean / Gamma(1 + 1/shape).
double weibull_scale_for_mean(double mean, double shape);

// A 64-bit hash of a name (FNV-1a), stable across platforms and runs.
std::uint64_t stable_hash(std::string_view text);

}  // namespace capsim
