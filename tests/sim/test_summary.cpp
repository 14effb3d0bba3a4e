// Summary statistics: percentiles as NumPy computes them, NaN-aware.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/summary.hpp"

using namespace capsim::sim;

TEST_CASE("percentiles interpolate like numpy.percentile", "[sim][summary]") {
  // numpy.percentile([1, 2, 3, 4, 10], [50, 95, 99]) = [3.0, 8.8, 9.76]
  const std::vector<double> values{10, 2, 3, 1, 4};
  const Distribution d = distribution_of(values);
  CHECK(d.count == 5);
  CHECK(d.mean == 4.0);
  CHECK(d.p50 == 3.0);
  CHECK(d.p95 == Approx(8.8));
  CHECK(d.p99 == Approx(9.76));
  CHECK(d.max == 10);
}

TEST_CASE("NaNs are skipped; an empty distribution is NaN", "[sim][summary]") {
  const double nan = std::nan("");
  const Distribution d = distribution_of(std::vector<double>{nan, 5, nan});
  CHECK(d.count == 1);
  CHECK(d.p99 == 5);
  const Distribution empty = distribution_of(std::vector<double>{nan});
  CHECK(empty.count == 0);
  CHECK(std::isnan(empty.mean));
}

TEST_CASE("summary.json carries null for undefined figures", "[sim][summary]") {
  Summary s;
  s.jct_s = distribution_of(std::vector<double>{});
  const auto json = summary_to_json(s);
  CHECK(json["metrics"]["jct_mean_s"].is_null());
  CHECK(json["status"] == "complete");
}
