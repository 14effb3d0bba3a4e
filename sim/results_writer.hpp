// Writes a run's results (DESIGN.md, "Files"): results.h5 with /jobs and
// /timeseries, one dataset per column, chunked and compressed (shuffle +
// gzip), units in a `units` attribute, the scenario, seed and version as root
// attributes, object timestamps off so identical runs give identical bytes;
// and summary.json with the headline metrics. Both are written atomically.
// A run that was interrupted is written with the root attribute
// status = "partial".
#pragma once

#include <filesystem>

#include "sim/results.hpp"

namespace capsim::sim {

void write_results_h5(const RunResults& results, const std::filesystem::path& path);
void write_summary_json(const RunResults& results, const std::filesystem::path& path);
// Both files into `directory` (created if needed): results.h5, summary.json.
void write_results(const RunResults& results, const std::filesystem::path& directory);

}  // namespace capsim::sim
