// The headline metrics of a run (summary.json, the CLI's table): computed from
// the job table in job-id order, so that they are the same bits on every run.
// Percentiles interpolate linearly between the closest ranks, as NumPy's
// default does, so that a notebook recomputing them from /jobs agrees.
#pragma once

#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "core/scenario.hpp"
#include "core/statistics.hpp"
#include "sim/results.hpp"

namespace capsim::sim {

// The distribution of `values` (NaNs skipped).
Distribution distribution_of(std::span<const double> values);

Summary summarise(const Scenario& scenario, const ClusterLayout& layout, const JobTable& jobs,
                  const EngineStats& stats);

// summary.json's content.
nlohmann::ordered_json summary_to_json(const Summary& summary);

// The table the CLI prints.
std::string format_summary(const Summary& summary);

}  // namespace capsim::sim
