// Carbon-aware deferral of flexible work (issue 9; the "temporal shifting"
// of Wiesner et al., "Let's Wait Awhile", Middleware '21): a job whose class
// has a deadline or slack is held back to the start time, within its
// window, at which the grid's carbon intensity over its expected run is
// lowest; work without a deadline starts when it arrives.
//
// The intensity a job meets is the mean of the hourly series of the regions
// it may run in, weighted by their GPUs (the scheduler may place it in any
// of them); regions without a series do not count, and a job none of whose
// regions has one is not deferred. The window runs from its submission to
// its latest start, deadline - expected run - `margin` (room for queueing and
// a slower placement than the ideal one). The series is constant within an
// hour, so the emissions of a start time are piecewise linear in it, with
// corners where the start or the end crosses an hour: those, the
// submission and the latest start are the candidates, cleanest first (the
// earliest among equals).
//
// Deferred work must not all pile into the same clean hours, or it queues
// past its deadlines: the policy books each deferred job's GPUs over its
// expected run, hour by hour, against the GPUs of its regions, and takes the
// cleanest candidate that keeps the booked GPUs within `max_share` of them
// in every hour (bookings of jobs with other regions count apart); with no
// such candidate the job starts when it arrives. Knowing each job's run time
// is the simulator's oracle, as for size-based queue policies; with
// `margin` a planner can allow for a forecast's error.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/cluster.hpp"
#include "scheduler/energy/energy_policy.hpp"

namespace capsim::scheduler {

struct CarbonAwareParams {
  Duration margin;         // kept between the chosen start and the latest start that meets the deadline
  double max_share = 0.5;  // of the GPUs of a job's regions, deferred work may book in any hour
};

class CarbonAwarePolicy final : public EnergyPolicy {
 public:
  // `cluster` must outlive the policy.
  CarbonAwarePolicy(const ClusterSpec& cluster, CarbonAwareParams params);
  std::string_view name() const override { return "carbon_aware"; }
  Time release_at(const FlexibleJob& job) override;
  bool defers() const override { return true; }

 private:
  // The regions' GPU-weighted intensity, hour by hour; empty when none of
  // `regions` has a series.
  struct Blend {
    std::uint64_t regions = 0;                            // RegionSet bits
    std::vector<std::pair<std::size_t, double>> weights;  // (region, share of the GPUs)
    std::vector<double> cumulative;                       // g/kWh x hours before hour h (extended as needed)
    double gpus = 0;                                      // in the regions (with a series or not)
    std::vector<double> booked;                           // GPU-hours of deferred work booked in hour h
  };
  // Whether a run of `gpus` from `start` for `run` keeps the booked GPUs
  // within max_share in every hour; books it when `book`.
  bool fits(Blend& blend, double gpus, Time start, Duration run, bool book);
  Blend& blend_for(RegionSet regions);
  // g/kWh x seconds from time 0 to `t`.
  double integral_to(Blend& blend, Time t);

  const ClusterSpec& cluster_;
  CarbonAwareParams params_;
  std::vector<Blend> blends_;  // one per set of regions met so far
};

}  // namespace capsim::scheduler
