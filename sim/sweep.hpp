// Running a sweep (core/sweep.hpp) and its combined table: one row per
// point, the values of the fields it varies, then every figure of the run
// (summary.json's metrics, each inference service's as
// "<service>.<figure>"). The table is the same, byte for byte, whatever the
// number of threads or MPI ranks that computed it: rows are in point order
// and each point's run is deterministic.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/sweep.hpp"
#include "scheduler/registry.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

// What one point's run gave: its status ("complete" or "partial") and its
// figures by name, in the order summary.json lists them, then
// cost_per_month_usd (cluster_cost_usd at its rate over the run, for an
// average month of 365.25 / 12 days).
struct PointFigures {
  std::size_t point = 0;
  std::string status;
  std::vector<std::pair<std::string, double>> figures;  // NaN where a figure has no value

  double figure(std::string_view name) const;  // NaN when absent
};

PointFigures point_figures(std::size_t point, const Summary& summary);

// One line of text each way, for passing figures between processes (MPI
// ranks); numbers round-trip exactly.
std::string encode_point_figures(const PointFigures& figures);
PointFigures decode_point_figures(std::string_view text);

struct SweepOptions {
  unsigned threads = 1;
  const scheduler::PolicyRegistry* registry = nullptr;
  std::function<bool()> should_stop;
  // Runs only these points (indices into the list; empty: all).
  std::vector<std::size_t> only;
  // Called after each point's run, serialised (write its results here).
  std::function<void(const SweepPoint&, const RunResults&)> done;
};

// Runs the points; the figures of each (nullopt for a point not run: not in
// `only`, or the sweep was stopped). Throws the first failing point's error.
struct SweepRuns {
  std::vector<std::optional<PointFigures>> figures;  // per point
  bool interrupted = false;
};
SweepRuns run_sweep(const std::vector<SweepPoint>& points, const SweepOptions& options);

struct SweepRow {
  std::size_t point = 0;
  std::string label;                  // "point-0007"
  std::vector<std::string> settings;  // per SweepTable::fields ("" where the point leaves the field as it is)
  std::string status;                 // complete, partial, or "not run"
  std::vector<double> values;         // per SweepTable::metrics (NaN where none)
};
struct SweepTable {
  std::string scenario;              // its name
  std::vector<std::string> fields;   // the fields varied
  std::vector<std::string> metrics;  // every figure any point reported, in first-seen order
  std::vector<SweepRow> rows;        // in point order
};

SweepTable make_sweep_table(const std::string& scenario, const std::vector<std::string>& fields,
                            const std::vector<SweepPoint>& points,
                            const std::vector<std::optional<PointFigures>>& figures);

// As CSV (a header row, then one row per point; numbers with 17 digits,
// empty where NaN) and as HDF5 (/sweep, one dataset per column, the scenario
// text as a root attribute); both written atomically by the caller/here.
std::string sweep_csv(const SweepTable& table);
void write_sweep_h5(const SweepTable& table, const std::string& scenario_text, const std::filesystem::path& path);

// The table the command line prints: the fields and a few headline figures.
std::string format_sweep(const SweepTable& table, std::size_t max_rows = 40);

}  // namespace capsim::sim
