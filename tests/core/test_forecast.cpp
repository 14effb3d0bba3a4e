// The seasonal regression forecaster (core/forecast.hpp) on series whose
// future is known.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/forecast.hpp"
#include "core/random.hpp"

using namespace capsim;

TEST_CASE("forecast: an autoregressive process gives back its coefficient", "[forecast]") {
  // y_t = 10 + 0.8 y_{t-1} + noise (sd 1): one lag recovers 0.8 and 10, and
  // the long-run mean 10 / 0.2 = 50 is where forecasts settle.
  RandomStream noise = RandomStream::derive(3, "forecast.ar");
  std::vector<double> y{50};
  for (int t = 1; t < 20'000; ++t) y.push_back(10 + 0.8 * y.back() + noise.standard_normal());
  SeasonalForecaster f({.lags = 1});
  REQUIRE(f.fit(y, 0));
  CHECK(f.coefficients()[1] == Approx(0.8).margin(0.01));
  CHECK(f.coefficients()[0] == Approx(10).margin(0.5));
  CHECK(f.residual_rms() == Approx(1).margin(0.03));
  const std::vector<double> ahead = f.forecast(y, 0, 200);
  CHECK(ahead.back() == Approx(50).margin(0.5));
}

TEST_CASE("forecast: a daily pattern is forecast a day ahead", "[forecast]") {
  // A request rate of 100 + 60 cos(2 pi (t - 840) / 1440) per one-minute
  // step (peak at 14:00), with Poisson-like noise (sd 5): after 7 days the
  // forecaster predicts day 8 from its harmonics and yesterday's values.
  // Its error there is about the noise, and far below the error of holding
  // the last value (which misses the swing of the day by up to 120/s).
  constexpr int kDay = 1440;
  const auto truth = [](std::int64_t t) { return 100 + 60 * std::cos(2 * std::numbers::pi * (t - 840) / kDay); };
  RandomStream noise = RandomStream::derive(5, "forecast.daily");
  std::vector<double> y;
  for (std::int64_t t = 0; t < 7 * kDay; ++t) y.push_back(truth(t) + 5 * noise.standard_normal());
  SeasonalForecaster f({.lags = 2, .season = kDay, .seasonal_lags = 1, .harmonics = 2});
  REQUIRE(f.fit(y, 0));
  const std::vector<double> day8 = f.forecast(y, 0, kDay);
  double error = 0, naive = 0;
  for (std::int64_t h = 0; h < kDay; ++h) {
    const double want = truth(7 * kDay + h);
    error += std::pow(day8[static_cast<std::size_t>(h)] - want, 2);
    naive += std::pow(y.back() - want, 2);
  }
  error = std::sqrt(error / kDay);
  naive = std::sqrt(naive / kDay);
  CHECK(error < 3);
  CHECK(naive > 30);
  // The same history seen from another starting step: the harmonics follow
  // the absolute time of day.
  SeasonalForecaster shifted({.lags = 2, .season = kDay, .seasonal_lags = 1, .harmonics = 2});
  REQUIRE(shifted.fit(std::span<const double>(y).subspan(kDay), kDay));
  CHECK(shifted.forecast(std::span<const double>(y).subspan(kDay), kDay, 1)[0] == Approx(day8[0]).margin(2));
}

TEST_CASE("forecast: too short a history is not fitted; a flat one is", "[forecast]") {
  SeasonalForecaster f({.lags = 3, .season = 24, .seasonal_lags = 1, .harmonics = 2});
  // Warm-up 24 values, 1 + 3 + 1 + 4 = 9 coefficients: at least 42 values.
  CHECK(f.warmup() == 24);
  CHECK(f.min_history() == 42);
  const std::vector<double> short_history(41, 7.0);
  CHECK_FALSE(f.fit(short_history, 0));
  CHECK_FALSE(f.fitted());
  // A flat history is singular without the ridge; with it, the forecast is
  // the level.
  const std::vector<double> flat(100, 7.0);
  REQUIRE(f.fit(flat, 0));
  for (const double v : f.forecast(flat, 0, 48)) CHECK(v == Approx(7).margin(1e-3));
  // No terms but the level: the mean.
  SeasonalForecaster level({.lags = 0});
  const std::vector<double> steps{1, 2, 3, 4, 5};
  REQUIRE(level.fit(steps, 0));
  CHECK(level.forecast(steps, 0, 1)[0] == Approx(3));
}
