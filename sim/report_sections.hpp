// The parts of the HTML report (sim/report.hpp), one file each: a run's
// summary and charts (report_run.cpp), a comparison's table and overlays
// (report_compare.cpp), a plan's frontier and a sweep's table
// (report_plan.cpp), and the small pieces they share (report_page.cpp).
// Internal to sim/report*.cpp.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/results_reader.hpp"
#include "sim/svg_chart.hpp"

namespace capsim::sim::report {

// Hands out chart ids unique in the page ("utilisation-3").
class ChartIds {
 public:
  std::string next(std::string_view stem) { return std::string(stem) + "-" + std::to_string(++count_); }

 private:
  int count_ = 0;
};

// A chart in a <figure>, with a caption under it ("" for none).
std::string figure(const Chart& chart, std::string_view caption = {});
// In place of a chart whose data the folder lacks: says which and why.
std::string skipped_chart(std::string_view title, std::string_view reason);
// A table of text cells (escaped here). `numeric` right-aligns the columns
// it marks (missing entries: left).
std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& numeric = {});

// Simulated time shown in hours for up to three days, in days past that.
struct TimeAxis {
  double seconds_per_unit = 3600;
  std::string label = "time (h)";
};
TimeAxis time_axis_for(double span_s);

// A CSV file read whole, looked up by column name (core/csv.hpp parses it).
struct CsvTable {
  std::filesystem::path file;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header (short rows padded with "")
  // The index of the column `name`, or -1.
  int column(std::string_view name) const;
  // Field `column` of `row` as a number; NaN when empty or not a number.
  double number(std::size_t row, int column) const;
  // Throws InputError naming the file and `name` when there is no such column.
  int require(std::string_view name, std::string_view expected) const;
};
CsvTable read_csv_table(const std::filesystem::path& path);

// The sections. Each returns a <section> element.
std::string run_section(const StoredRun& run, const std::filesystem::path& summary_json, ChartIds& ids);
// `table`: compare.csv / comparison.csv or their .json ("" for none); `runs`: the
// variants' results with their labels ("srtf+best_fit/seed-1").
std::string comparison_section(const std::filesystem::path& table,
                               const std::vector<std::pair<std::string, StoredRun>>& runs, ChartIds& ids);
std::string plan_section(const std::filesystem::path& directory, ChartIds& ids);
std::string sweep_section(const std::filesystem::path& sweep_csv);

// Charts of one run or of several overlaid (one line each). nullopt when no
// run has the data; `why` then says what is missing.
struct ChartLine {
  std::string name;    // legend ("" for a lone run)
  std::string colour;  // "" = the palette's
  const StoredRun* run = nullptr;
};
std::optional<Chart> utilisation_chart(const std::vector<ChartLine>& lines, ChartIds& ids, std::string& why);
std::optional<Chart> queue_chart(const std::vector<ChartLine>& lines, ChartIds& ids, std::string& why);
std::optional<Chart> power_chart(const std::vector<ChartLine>& lines, ChartIds& ids, std::string& why);
// The CDF of a /jobs column (seconds) on a log axis. `columns`: the names it
// may have, in order of preference.
std::optional<Chart> job_cdf_chart(const std::vector<ChartLine>& lines, const std::vector<std::string>& columns,
                                   std::string_view title, std::string_view axis_label, ChartIds& ids,
                                   std::string& why);

}  // namespace capsim::sim::report
