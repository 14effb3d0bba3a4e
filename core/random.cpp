#include "core/random.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace capsim {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

}  // namespace

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

RandomStream RandomStream::derive(std::uint64_t seed, std::string_view name, std::uint64_t id) {
  // Mix the three parts through splitmix64 so that nearby seeds and ids give
  // unrelated streams.
  std::uint64_t x = seed;
  std::uint64_t key = splitmix64(x);
  x = key ^ stable_hash(name);
  key = splitmix64(x);
  x = key ^ id;
  key = splitmix64(x);
  return RandomStream(key);
}

RandomStream::RandomStream(std::uint64_t key) {
  std::uint64_t x = key;
  for (auto& word : state_) word = splitmix64(x);
}

std::uint64_t RandomStream::next_u64() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double RandomStream::uniform01() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

std::uint64_t RandomStream::uniform_below(std::uint64_t n) {
  CAPSIM_CHECK(n > 0);
  // Lemire's nearly divisionless method.
  __uint128_t m = static_cast<__uint128_t>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<__uint128_t>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double RandomStream::exponential(double mean) {
  return -mean * std::log1p(-uniform01());
}

double RandomStream::standard_normal() {
  // 1 - u is in (0, 1], so the logarithm is finite.
  const double u1 = 1.0 - uniform01();
  const double u2 = uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double RandomStream::lognormal(double mu, double sigma) {
  return std::exp(mu + sigma * standard_normal());
}

double RandomStream::weibull(double shape, double scale) {
  // Inverse transform: F(x) = 1 - exp(-(x / scale)^shape).
  return scale * std::pow(-std::log1p(-uniform01()), 1.0 / shape);
}

double weibull_scale_for_mean(double mean, double shape) {
  return mean / std::tgamma(1.0 + 1.0 / shape);
}

std::size_t RandomStream::categorical(std::span<const double> cumulative) {
  CAPSIM_CHECK(!cumulative.empty() && cumulative.back() > 0);
  const double target = uniform01() * cumulative.back();
  // First index whose cumulative sum exceeds the target: zero-weight entries
  // (equal cumulative sums) are never chosen.
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  return std::min(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

}  // namespace capsim
