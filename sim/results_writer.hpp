// Writes a run's results (DESIGN.md, "Files"): results.h5 with /jobs and
// /timeseries, one dataset per column, chunked and compressed (shuffle +
// gzip), units in a `units` attribute, the scenario, seed and version as root
// attributes, object timestamps off so identical runs give identical bytes;
// and summary.json with the headline metrics. Both are written atomically.
// A run that was interrupted is written with the root attribute
// status = "partial".
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "sim/result_columns.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

void write_results_h5(const RunResults& results, const std::filesystem::path& path);
void write_summary_json(const RunResults& results, const std::filesystem::path& path);
// Both files into `directory` (created if needed): results.h5, summary.json.
void write_results(const RunResults& results, const std::filesystem::path& directory);

// Any table in the same layout (a sweep's, a plan's): one dataset per
// column under `/group`, the column order in its `columns` attribute, and
// string attributes on the root. Written atomically, without timestamps.
void write_table_h5(const std::filesystem::path& path, const std::string& group,
                    const std::vector<ResultColumn>& columns,
                    const std::vector<std::pair<std::string, std::string>>& attributes);

}  // namespace capsim::sim
