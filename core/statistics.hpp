// Small statistics shared by trace statistics (core) and run summaries (sim),
// so that both compute percentiles the same way as NumPy's default.
#pragma once

#include <span>

namespace capsim {

// The p-th percentile (0..100) of sorted values, interpolating linearly
// between the closest ranks as numpy.percentile does by default; NaN when
// there are none.
double percentile_of_sorted(std::span<const double> sorted, double p);

}  // namespace capsim
