// The curves the HTML report (sim/report.hpp) draws that a results file
// does not hold as such: empirical CDFs of a /jobs column, energy summed
// from the power series, and the cost of the work accrued over time. Pure
// functions of their inputs, summed in a fixed order.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace capsim::sim {

struct Curve {
  std::vector<double> x, y;
  friend bool operator==(const Curve&, const Curve&) = default;
};

// The empirical CDF of the finite values: a step curve from (smallest, 0)
// through (v_i, i/n), drawn as steps (y holds until the next x). Over
// `max_points` values, the ranks kept are evenly spaced, the smallest and
// largest always among them. Empty when no value is finite.
Curve empirical_cdf(std::span<const double> values, std::size_t max_points = 400);

// Energy used up to the end of each interval (kWh), from the mean power of
// each interval (kW) starting at time_s (s), `interval_s` long, the last one
// cut at `end_s` (the run's end) when that comes sooner.
Curve cumulative_energy_kwh(std::span<const double> time_s, std::span<const double> power_kw, double interval_s,
                            double end_s);

// What the jobs cost up to each time of `at_s` (ascending, s): each job's
// cost accrued evenly from its start to its end (a job still running at the
// end of the run, end NaN, up to `end_s`; one never started, start NaN, not
// at all). A job preempted and resumed is spread over its whole span.
Curve accrued_cost(std::span<const double> start_s, std::span<const double> end_s, std::span<const double> cost,
                   std::span<const double> at_s, double run_end_s);

}  // namespace capsim::sim
