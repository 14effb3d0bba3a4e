#include "core/forecast.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace capsim {

SeasonalForecaster::SeasonalForecaster(ForecastSpec spec) : spec_(spec) {
  CAPSIM_CHECK(spec_.lags >= 0 && spec_.season >= 0 && spec_.seasonal_lags >= 0 && spec_.harmonics >= 0 &&
               spec_.ridge >= 0)
      << "a forecast spec with a negative term count";
  if (spec_.season == 0) spec_.seasonal_lags = spec_.harmonics = 0;
  if (spec_.season > 0) spec_.harmonics = std::min(spec_.harmonics, spec_.season / 2);
}

std::int32_t SeasonalForecaster::terms() const {
  return 1 + spec_.lags + spec_.seasonal_lags + 2 * spec_.harmonics;
}

std::int64_t SeasonalForecaster::warmup() const {
  return std::max<std::int64_t>(spec_.lags, std::int64_t{spec_.seasonal_lags} * spec_.season);
}

std::int64_t SeasonalForecaster::min_history() const {
  return warmup() + 2 * terms();
}

void SeasonalForecaster::regressors(std::span<const double> values, std::int64_t base, std::int64_t t,
                                    std::vector<double>& row) const {
  row.clear();
  row.push_back(1.0);
  const auto at = [&](std::int64_t step) { return values[static_cast<std::size_t>(step - base)]; };
  for (std::int32_t i = 1; i <= spec_.lags; ++i) row.push_back(at(t - i));
  for (std::int32_t j = 1; j <= spec_.seasonal_lags; ++j) row.push_back(at(t - std::int64_t{j} * spec_.season));
  for (std::int32_t k = 1; k <= spec_.harmonics; ++k) {
    // The phase from t modulo the season: exact for any t.
    const double phase = 2 * std::numbers::pi * k *
                         static_cast<double>(((t % spec_.season) + spec_.season) % spec_.season) / spec_.season;
    row.push_back(std::cos(phase));
    row.push_back(std::sin(phase));
  }
}

bool SeasonalForecaster::fit(std::span<const double> history, std::int64_t first_step) {
  const auto n = static_cast<std::int64_t>(history.size());
  if (n < min_history()) return false;
  const std::int64_t rows = n - warmup();
  const std::int32_t cols = terms();
  Eigen::MatrixXd x(rows, cols);
  Eigen::VectorXd y(rows);
  std::vector<double> row;
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t t = first_step + warmup() + r;
    regressors(history, first_step, t, row);
    for (std::int32_t c = 0; c < cols; ++c) x(r, c) = row[static_cast<std::size_t>(c)];
    y(r) = history[static_cast<std::size_t>(t - first_step)];
  }
  // Least squares on centred regressors, so that the intercept is the mean
  // left over (and no ridge touches it), with a ridge relative to each
  // regressor's own spread: it only matters where the fit is singular (a
  // flat history, a harmonic the history is too short to tell apart).
  const Eigen::RowVectorXd means = x.rightCols(cols - 1).colwise().mean();
  const Eigen::MatrixXd centred = x.rightCols(cols - 1).rowwise() - means;
  const double y_mean = y.mean();
  Eigen::MatrixXd gram = centred.transpose() * centred;
  const double floor = 1e-12 * static_cast<double>(rows) * (1 + y.squaredNorm() / static_cast<double>(rows));
  for (std::int32_t c = 0; c < cols - 1; ++c) gram(c, c) += spec_.ridge * gram(c, c) + floor;
  const Eigen::VectorXd slopes =
      cols > 1 ? Eigen::VectorXd(gram.ldlt().solve(centred.transpose() * (y.array() - y_mean).matrix()))
               : Eigen::VectorXd();
  if (!slopes.allFinite()) return false;
  Eigen::VectorXd beta(cols);
  beta(0) = y_mean - means.dot(slopes);
  beta.tail(cols - 1) = slopes;
  coefficients_.assign(beta.data(), beta.data() + beta.size());
  residual_rms_ = std::sqrt((x * beta - y).squaredNorm() / static_cast<double>(rows));
  return true;
}

std::vector<double> SeasonalForecaster::forecast(std::span<const double> history, std::int64_t first_step,
                                                 std::int32_t horizon) const {
  CAPSIM_CHECK(fitted()) << "forecast before a fit";
  CAPSIM_CHECK(static_cast<std::int64_t>(history.size()) >= warmup())
      << "a forecast from " << history.size() << " values needs " << warmup();
  // The series extended by its own predictions: the lags of later steps.
  std::vector<double> values(history.begin(), history.end());
  std::vector<double> out, row;
  const std::int64_t end = first_step + static_cast<std::int64_t>(history.size());
  for (std::int32_t h = 0; h < horizon; ++h) {
    regressors(values, first_step, end + h, row);
    double value = 0;
    for (std::size_t c = 0; c < row.size(); ++c) value += coefficients_[c] * row[c];
    values.push_back(value);
    out.push_back(value);
  }
  return out;
}

}  // namespace capsim
