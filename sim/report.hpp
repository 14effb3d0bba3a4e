// `capsim report RESULT_DIR`: one self-contained HTML page a planner can
// forward. It reads what capsim wrote into a folder and shows, for each
// part found:
//   results.h5 (+ summary.json)      a run: what ran, headline figures, charts
//                                    of utilisation, queue, JCT and queueing
//                                    CDFs, cost, power and energy;
//   compare.csv / comparison.csv     a comparison: its table, and overlays of
//     (or .json) and subfolders      every variant's results.h5;
//   plan.csv (+ plan.json)           a plan: the recommended candidates and
//                                    the frontier, one panel per quarter;
//   sweep.csv                        a sweep: its table.
// Charts are inline SVG (sim/svg_chart.hpp); the page has no script and no
// external resource. The same folder gives the same bytes: nothing in it
// depends on the clock, the host or the folder's absolute path.
#pragma once

#include <filesystem>
#include <string>

namespace capsim::sim {

// The page. Throws InputError naming `directory` when it is not a folder
// or holds none of the files above, and naming the file when one of them
// cannot be read (a corrupt results.h5, a CSV without its columns).
std::string build_report(const std::filesystem::path& directory);

// build_report(directory) written to `output` atomically (sim/atomic_file.hpp).
void write_report(const std::filesystem::path& directory, const std::filesystem::path& output);

}  // namespace capsim::sim
