// Forecasting an evenly spaced series (a service's request rate) for
// predictive autoscaling (issue 8): a linear regression of each value on its
// recent values (autoregressive lags), on the values one and more seasons
// back (seasonal lags: yesterday at this time), and on the season's first
// harmonics (sin and cos of the time of day), fitted by least squares with
// Eigen (a small ridge keeps it solvable on flat or short histories).
// Forecasts further than one step feed the model its own predictions for
// the lags not yet seen.
//
//   y_t = c + sum_i a_i y_{t-i} + sum_j b_j y_{t-j s}
//           + sum_k (u_k cos(2 pi k t / s) + v_k sin(2 pi k t / s))
//
// t is the absolute step index (so the harmonics know the time of day); s
// the season in steps (0: no seasonal terms).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace capsim {

struct ForecastSpec {
  std::int32_t lags = 3;           // autoregressive terms
  std::int32_t season = 0;         // steps per season (e.g. 1440 one-minute steps a day); 0: none
  std::int32_t seasonal_lags = 1;  // y_{t-s}, y_{t-2s}, ... (with a season)
  std::int32_t harmonics = 3;      // sin/cos pairs of the season (with a season)
  double ridge = 1e-6;             // relative to each regressor's spread about its mean
};

class SeasonalForecaster {
 public:
  explicit SeasonalForecaster(ForecastSpec spec);

  // The values a fit needs before its first fitted step (the longest lag),
  // and the fewest a fit accepts (that, plus twice the coefficients).
  std::int64_t warmup() const;
  std::int64_t min_history() const;

  // Fits on `history` (oldest first), whose first value is step
  // `first_step`. False, and no change, when the history is shorter than
  // min_history().
  bool fit(std::span<const double> history, std::int64_t first_step);
  bool fitted() const { return !coefficients_.empty(); }

  // The next `horizon` values after `history` (which ends at step
  // first_step + history.size() - 1); needs fitted() and at least warmup()
  // values.
  std::vector<double> forecast(std::span<const double> history, std::int64_t first_step, std::int32_t horizon) const;

  // The fit's coefficients in the order of the formula (c, a, b, u/v
  // pairs), and the root mean square of its one-step residuals.
  const std::vector<double>& coefficients() const { return coefficients_; }
  double residual_rms() const { return residual_rms_; }

 private:
  std::int32_t terms() const;
  // The regressors of step t, given the series up to it (values[t - base]).
  void regressors(std::span<const double> values, std::int64_t base, std::int64_t t, std::vector<double>& row) const;

  ForecastSpec spec_;
  std::vector<double> coefficients_;
  double residual_rms_ = 0;
};

}  // namespace capsim
