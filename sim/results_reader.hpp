// Reads back what sim/results_writer.hpp wrote to results.h5: the root
// attributes, the numeric columns of /jobs and the /timeseries, for tools
// that look at a finished run (the HTML report, sim/report.hpp). String
// columns of /jobs and the /services table are not read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sim/results.hpp"

namespace capsim::sim {

struct StoredRun {
  std::filesystem::path file;
  // Root attributes ("" where the file has none).
  std::string capsim_version;
  std::string scenario_name;
  std::string scenario_text;
  std::string engine;
  std::string queue_policy;
  std::string placement_policy;
  std::string status;        // "complete" or "partial"
  std::string summary_json;  // summary.json's content, as written with the run
  std::uint64_t seed = 0;
  // /jobs: the numeric columns (integers widened to double), in file order,
  // with their units; one value per job.
  std::vector<TimeSeries::Metric> jobs;
  // /timeseries: the time axis (start of each interval, s), the interval and
  // every metric.
  TimeSeries timeseries;

  // The /jobs column of that name; nullptr when there is none.
  const TimeSeries::Metric* job_column(std::string_view name) const;
};

// Throws InputError naming `path` when it is not a results file capsim can
// read: missing, not HDF5, or without /jobs or /timeseries.
StoredRun read_results_h5(const std::filesystem::path& path);

}  // namespace capsim::sim
